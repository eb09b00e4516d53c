"""Phase 6, adoption and discontinuance of e-health services.

UTAUT (Venkatesh et al. 2003): intention from performance expectancy (weight 0.30, pooled healthcare
estimate), effort expectancy, social influence and facilitating conditions; intention sets a logistic
hazard. Bass (1969) external and imitation hazards and Granovetter (1978) / Centola (2010) count
thresholds are special cases selected by parameters.
"""

from __future__ import annotations

import numpy as np

from abm.network import Network
from abm.params import AdoptionParams


def social_share(uses: np.ndarray, net: Network) -> np.ndarray:
    """Share of each person's contacts using each service, (n, S)."""
    n, n_services = uses.shape
    if not net.complete and 0 < n_services <= 8 and n and net.degree.max() < 256:
        return packed_counts(uses, net) / np.maximum(net.degree, 1.0)[:, None]  # isolates: share 0
    out = np.zeros(uses.shape)
    used = np.flatnonzero(uses.any(axis=0))  # services nobody uses have no adopting contacts
    if used.size:
        out[:, used] = np.asarray(net.neighbour_sum(uses[:, used].astype(np.float64)))
    out /= np.maximum(net.degree, 1.0)[:, None]
    return out


def packed_counts(uses: np.ndarray, net: Network) -> np.ndarray:
    """Adopting contacts per person and service, (n, S) uint8, for up to 8 services and degree < 256.

    Each person's uses are packed one service per byte into a uint64, so a single sum over the
    contacts counts every service at once (no lane can carry into the next below 256 contacts).
    """
    n, n_services = uses.shape
    lanes = np.zeros((n, 8), dtype=bool)
    lanes[:, :n_services] = uses
    packed = lanes.view(np.uint64).ravel()
    adj = net.adjacency
    if adj.nnz == 0:
        return np.zeros((n, n_services), dtype=np.uint8)
    values = np.zeros(adj.nnz + 1, dtype=np.uint64)  # one spare slot: trailing empty rows stay in range
    np.take(packed, adj.indices, out=values[:-1])
    sums = np.add.reduceat(values, adj.indptr[:-1])
    sums[adj.indptr[:-1] == adj.indptr[1:]] = 0  # reduceat gives the next row's first value for an empty row
    return sums.view(np.uint8).reshape(n, 8)[:, :n_services]


def intention(
    ap: AdoptionParams, advantage: np.ndarray, complexity: np.ndarray, knowhow: np.ndarray,
    social: np.ndarray, support: np.ndarray, attitude: np.ndarray,
) -> np.ndarray:
    """Behavioural intention per person and service, (n, S)."""
    # the same sum, grouped into a per-service and a per-person part (no (n, S) temporaries but one)
    per_service = ap.w_performance * advantage - ap.w_effort * complexity
    per_person = ap.w_effort * knowhow + ap.w_facilitating * support + ap.w_attitude * (attitude - 0.5)
    out = ap.w_social * social
    out += per_service[None, :]
    out += per_person[:, None]
    return out


def hazard(ap: AdoptionParams, intent: np.ndarray, social: np.ndarray) -> np.ndarray:
    """Weekly adoption hazard: logistic in intention plus Bass's p and q F."""
    rate = intent - ap.intention_threshold
    rate *= -ap.steepness
    np.exp(rate, out=rate)
    rate += 1.0
    np.divide(ap.rate_adopt, rate, out=rate)  # the logistic
    rate += ap.p_external
    if ap.q_social:
        rate += ap.q_social * social
    return rate


def step_probability(rate: np.ndarray, dt: float, form: str) -> np.ndarray:
    """Per-step adoption probability: 1 - exp(-h dt) in continuous time; min(1, h dt) for discrete
    ticks, where Bass's (1969) recursion F[t+1] = F[t] + (p + q F[t])(1 - F[t]) needs exactly p + q F."""
    if form == "linear":
        return np.minimum(rate * dt, 1.0)
    return -np.expm1(-rate * dt)


def adopt_hazard(
    uses: np.ndarray, active: np.ndarray, rate: np.ndarray, intent: np.ndarray, ap: AdoptionParams,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(new uses, new adopters, discontinuers): adopt with the step probability of hazard h (below);
    low intention may stop.

    One uniform per person and service each week: a non-user compares it with the adoption
    probability, a user with the discontinuance probability (the two sets never overlap).
    """
    draws = rng.random(uses.shape)
    adopt = active & ~uses & (draws < step_probability(rate, ap.dt, ap.step_probability))
    low = intent < ap.intention_threshold - ap.discontinue_margin
    stop = active & uses & low & (draws < ap.p_discontinue)
    return (uses | adopt) & ~stop & active, adopt, stop


def adopt_threshold(
    uses: np.ndarray, active: np.ndarray, net: Network, thresholds: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(new uses, new adopters): adopt once the count of adopting contacts reaches one's threshold."""
    counts = np.asarray(net.neighbour_sum(uses.astype(np.float64)))
    adopt = active & ~uses & (counts >= thresholds[:, None])
    return uses | adopt, adopt
