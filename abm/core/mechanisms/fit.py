"""Services' fit to what good care needs, and how a unit's code judges it (March 1991 codes; the NASSS value
proposition, Greenhalgh et al. 2017).

Each service depends on `fit_dims` dimensions of reality, with a required sign on each. Its true fit is the
mean agreement of those signs with reality, in [-1, 1]; turbulence changes reality and so which services are
worth having. A unit judges the fit with its code in place of reality: a unit whose code knows what good
care needs judges pilots right, one with a poor code picks and keeps the wrong ones.
"""

from __future__ import annotations

import numpy as np


def requirements(fit_dims: np.ndarray, reality: np.ndarray, initial_fit: float, rng: np.random.Generator) -> np.ndarray:
    """(S, m) int8 required signs: `fit_dims[s]` dimensions per service, each agreeing with week-0 reality
    with probability `initial_fit` (0 elsewhere). Draws: per service, a permutation of the dimensions then
    one uniform per chosen dimension."""
    m = reality.size
    out = np.zeros((fit_dims.size, m), dtype=np.int8)
    for s, k in enumerate(fit_dims):
        dims = rng.permutation(m)[: min(int(k), m)]
        agree = rng.random(dims.size) < initial_fit
        out[s, dims] = np.where(agree, reality[dims], -reality[dims])
    return out


def fit(required: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """Mean agreement of each service's required signs with each vector (reality (m,) or codes (U, m)):
    (S,) or (U, S), in [-1, 1]."""
    n_required = np.maximum(np.abs(required).sum(axis=1), 1)
    return (vectors.astype(np.float64) @ required.T.astype(np.float64)) / n_required


def experienced_advantage(advantage: np.ndarray, service_fit: np.ndarray, fit_weight: float) -> np.ndarray:
    """The advantage a service delivers given its fit: full when it fits, reduced (or negative) when not."""
    return advantage * ((1.0 - fit_weight) + fit_weight * service_fit)


def benefit(advantage: np.ndarray, cost: np.ndarray, service_fit: np.ndarray, fit_weight: float) -> np.ndarray:
    """A service's value to care: its experienced advantage net of its cost."""
    return experienced_advantage(advantage, service_fit, fit_weight) - cost * advantage
