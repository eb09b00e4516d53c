"""Phase 6, adoption and discontinuance of e-health services.

UTAUT (Venkatesh et al. 2003): intention from performance expectancy (weight 0.30, pooled healthcare
estimate), effort expectancy, social influence and facilitating conditions; intention sets a logistic
hazard. Bass (1969) external and imitation hazards and Granovetter (1978) / Centola (2010) count
thresholds are special cases selected by parameters.

The functions below state each rule over whole arrays; `step` applies them all in one compiled pass
over the people whose unit has an active service (tests/test_kernels.py checks it equals them).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from abm.network import Network
from abm.params import AdoptionParams


def social_share(uses: np.ndarray, net: Network) -> np.ndarray:
    """Share of each person's contacts using each service, (n, S); 0 for people without contacts."""
    counts = np.asarray(net.neighbour_sum(uses.astype(np.float64)))
    return counts / np.maximum(net.degree, 1.0)[:, None]


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

    A uniform is drawn, in row-major order, only for a cell that can change: a non-user of an active
    service compares it with the adoption probability, a user with low intention with the
    discontinuance probability.
    """
    low = intent < ap.intention_threshold - ap.discontinue_margin
    draws = np.full(uses.shape, np.inf)
    can_change = active & (~uses | low)
    draws[can_change] = rng.random(int(can_change.sum()))
    adopt = active & ~uses & (draws < step_probability(rate, ap.dt, ap.step_probability))
    stop = active & uses & low & (draws < ap.p_discontinue)
    return (uses | adopt) & ~stop & active, adopt, stop


def adopt_threshold(
    uses: np.ndarray, active: np.ndarray, net: Network, thresholds: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(new uses, new adopters): adopt once the count of adopting contacts reaches one's threshold."""
    counts = np.asarray(net.neighbour_sum(uses.astype(np.float64)))
    adopt = active & ~uses & (counts >= thresholds[:, None])
    return (uses | adopt) & active, adopt


# ---- the weekly step: the functions above, fused over one pass of the people ----------------------

def step(
    uses: np.ndarray, unit_active: np.ndarray, staff_unit: np.ndarray, net: Network,
    ap: AdoptionParams, advantage: np.ndarray, complexity: np.ndarray, knowhow: np.ndarray,
    support: np.ndarray, attitude: np.ndarray, thresholds: np.ndarray, rng: np.random.Generator,
) -> tuple[np.ndarray, int, int]:
    """(new uses, adopters, discontinuers) this week under `ap.rule`, reading last week's uses.

    Equals social_share, intention, hazard and adopt_hazard (or adopt_threshold) applied to whole
    arrays, with the same draws (tests/test_kernels.py), but visits only people whose unit has an
    active service (`unit_active`, (U, S)) and counts their adopting contacts there.
    """
    adj = net.adjacency
    per_service = ap.w_performance * advantage - ap.w_effort * complexity
    per_person = ap.w_effort * knowhow + ap.w_facilitating * support[staff_unit] + ap.w_attitude * (attitude - 0.5)
    totals = uses.sum(axis=0).astype(np.int64) if net.complete else np.zeros(uses.shape[1], np.int64)
    return _step(
        uses, unit_active, staff_unit, adj.indptr, adj.indices, net.degree, net.complete, totals,
        ap.rule == "threshold", thresholds, per_service, per_person, ap.w_social, ap.intention_threshold,
        ap.steepness, ap.rate_adopt, ap.p_external, ap.q_social, ap.dt, ap.step_probability == "linear",
        ap.intention_threshold - ap.discontinue_margin, ap.p_discontinue, rng,
    )


@njit(cache=True)
def _step(
    uses, unit_active, staff_unit, indptr, indices, degree, complete, totals, threshold_rule, thresholds,
    per_service, per_person, w_social, intention_threshold, steepness, rate_adopt, p_external, q_social,
    dt, linear, low_below, p_discontinue, rng,
):  # pragma: no cover - compiled; typed and documented by `step`
    n, n_services = uses.shape
    new = np.zeros_like(uses)
    counts = np.zeros(n_services, dtype=np.int64)
    n_adopt = 0
    n_stop = 0
    for i in range(n):
        u = staff_unit[i]
        if not unit_active[u].any():
            continue  # no active service in the unit: nothing to use, nothing to decide
        if complete:
            for s in range(n_services):
                counts[s] = totals[s] - uses[i, s]
        else:
            counts[:] = 0
            for e in range(indptr[i], indptr[i + 1]):
                j = indices[e]
                for s in range(n_services):
                    counts[s] += uses[j, s]
        for s in range(n_services):
            if not unit_active[u, s]:
                continue
            if threshold_rule:
                if uses[i, s] or counts[s] >= thresholds[i]:
                    new[i, s] = True
                    if not uses[i, s]:
                        n_adopt += 1
                continue
            social = counts[s] / max(degree[i], 1.0)
            intent = w_social * social + per_service[s] + per_person[i]
            if uses[i, s]:
                if intent < low_below and rng.random() < p_discontinue:
                    n_stop += 1
                else:
                    new[i, s] = True
                continue
            rate = rate_adopt / (np.exp((intent - intention_threshold) * -steepness) + 1.0) + p_external
            if q_social:
                rate += q_social * social
            prob = min(rate * dt, 1.0) if linear else -np.expm1(-rate * dt)
            if rng.random() < prob:
                new[i, s] = True
                n_adopt += 1
    return new, n_adopt, n_stop
