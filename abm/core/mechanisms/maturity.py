"""Phase 10 input: digital maturity per unit on four dimensions of the HIMSS Digital Health Indicator
(governance and workforce, interoperability, person-enabled health, predictive analytics; 0-100 each)
and a stage 0-7 under cumulative criteria, as in HIMSS EMRAM (a stage needs every lower stage's criterion)."""

from __future__ import annotations

import numpy as np

from abm.core.params import DIMENSIONS
from abm.core.state import ServiceState as SS

STATE_WEIGHT = {SS.PILOTING: 0.25, SS.IMPLEMENTING: 0.5, SS.ROUTINISED: 1.0}
_WEIGHT = np.array([STATE_WEIGHT.get(s, 0.0) for s in SS])  # lookup table by state code

# Stage s (1-7) requires criterion s and every criterion below it; each is a readable rule.
STAGE_CRITERIA: tuple[str, ...] = (
    "total score >= 60",
    "governance and workforce >= 30",
    "at least one service routinised",
    "person-enabled health >= 40",
    "interoperability >= 30 and total >= 200",
    "predictive analytics >= 40 and three services routinised",
    "every dimension >= 70",
)


def service_component(
    state: np.ndarray, adoption: np.ndarray, dimension: np.ndarray, n_dims: int = len(DIMENSIONS)
) -> np.ndarray:
    """(U, 4): per dimension, mean over its services of lifecycle weight x adoption share in the unit."""
    contrib = _WEIGHT[state] * adoption
    members = dimension[:, None] == np.arange(n_dims)[None, :]  # (S, 4): which dimension each service serves
    return contrib @ (members / np.maximum(members.sum(axis=0), 1))  # a dimension without services: 0


def scores(
    mean_knowhow: np.ndarray, champion_share: np.ndarray, support: np.ndarray, services: np.ndarray
) -> np.ndarray:
    """(U, 4) maturity scores in [0, 100]: governance from people and leadership, the rest from services."""
    out = np.empty_like(services)
    out[:, 0] = 0.5 * mean_knowhow + 0.2 * np.minimum(champion_share / 0.1, 1.0) + 0.3 * support * mean_knowhow
    out[:, 0] += 0.3 * services.mean(axis=1)
    out[:, 1:] = 0.25 * mean_knowhow[:, None] + 0.75 * services[:, 1:]
    return 100.0 * np.clip(out, 0.0, 1.0)


def criteria(score: np.ndarray, n_routinised: np.ndarray) -> np.ndarray:
    """(U, 7) whether each unit meets each stage's criterion."""
    total = score.sum(axis=1)
    gov, interop, person, predictive = score.T
    return np.stack([
        total >= 60,
        gov >= 30,
        n_routinised >= 1,
        person >= 40,
        (interop >= 30) & (total >= 200),
        (predictive >= 40) & (n_routinised >= 3),
        (score >= 70).all(axis=1),
    ], axis=1)


def stage(met: np.ndarray) -> np.ndarray:
    """Highest s such that criteria 1..s all hold (cumulative): the count of leading True values."""
    return np.cumprod(met, axis=1).sum(axis=1).astype(np.int8)
