"""Phase 6, adoption and discontinuance of e-health services.

UTAUT (Venkatesh et al. 2003): intention from performance expectancy (weight 0.30, pooled healthcare
estimate), effort expectancy, social influence and facilitating conditions; intention sets a logistic
hazard. Bass (1969) external and imitation hazards and Granovetter (1978) / Centola (2010) count
thresholds are special cases selected by parameters.

The functions below state each rule over whole arrays; `step` applies them all in one compiled pass
over the people whose unit has an active service (tests/core/test_kernels.py checks it equals them).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import numpy as np
from numba import njit

from abm.core.network import Network
from abm.core.params import AdoptionParams

HABIT_WEEKS = 520.0  # tenure at which the habit term is full (ten years): the scale of w_habit


def social_share(uses: np.ndarray, net: Network) -> np.ndarray:
    """Share of each person's contacts using each service, (n, S); 0 for people without contacts."""
    counts = np.asarray(net.neighbour_sum(uses.astype(np.float64)))
    return counts / np.maximum(net.degree, 1.0)[:, None]


@dataclass(frozen=True)
class Terms:
    """The parts of UTAUT intention that do not depend on contacts: per service (performance expectancy net of
    effort by complexity), per person (attitude, role resistance, tenure habit) and per unit and service
    (facilitating conditions: the manager's support, the e-health unit's support; workload)."""

    per_service: np.ndarray  # (S,)
    per_person: np.ndarray  # (n,)
    per_unit: np.ndarray  # (U, S)
    dimension: np.ndarray  # (S,) int64: the maturity dimension whose know-how is effort expectancy


def terms(
    ap: AdoptionParams, expectancy: np.ndarray, complexity: np.ndarray, dimension: np.ndarray,
    attitude: np.ndarray, role: np.ndarray, tenure: np.ndarray, support: np.ndarray, supported: np.ndarray,
    ehealth_support: float, workload: np.ndarray,
) -> Terms:
    """Intention's terms; `expectancy` (S,) is each service's experienced advantage (its fit, a shock's boost)."""
    resist = np.array([ap.resist_physician, ap.resist_nurse, ap.resist_assistant, ap.resist_admin])
    per_person = ap.w_attitude * (attitude - 0.5) - resist[role] - ap.w_habit * np.minimum(tenure / HABIT_WEEKS, 1.0)
    facilitating = support[:, None] + ehealth_support * supported
    per_unit = ap.w_facilitating * facilitating - ap.w_workload * np.maximum(workload - 1.0, 0.0)[:, None]
    return Terms(ap.w_performance * expectancy - ap.w_effort * complexity, per_person, per_unit,
                 dimension.astype(np.int64))


def intention(
    ap: AdoptionParams, t: Terms, knowhow: np.ndarray, social: np.ndarray, staff_unit: np.ndarray
) -> np.ndarray:
    """Behavioural intention per person and service, (n, S)."""
    out = ap.w_social * social
    out += t.per_service[None, :]
    out += ap.w_effort * knowhow[:, t.dimension]
    out += t.per_person[:, None]
    out += t.per_unit[staff_unit]
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
    uses: np.ndarray, unit_active: np.ndarray, staff_unit: np.ndarray, net: Network, ap: AdoptionParams,
    t: Terms, knowhow: np.ndarray, thresholds: np.ndarray, rng: np.random.Generator,
) -> tuple[np.ndarray, int, int]:
    """(new uses, adopters, discontinuers) this week under `ap.rule`, reading last week's uses.

    Equals social_share, intention, hazard and adopt_hazard (or adopt_threshold) applied to whole
    arrays, with the same draws (tests/core/test_kernels.py), but visits only people whose unit has an
    active service (`unit_active`, (U, S)) and counts their adopting contacts there.
    """
    adj = net.adjacency
    totals = uses.sum(axis=0).astype(np.int64) if net.complete else np.zeros(uses.shape[1], np.int64)
    new, cells, chance, n_threshold = _chances(
        uses, packed_uses(uses, net), unit_active, staff_unit, adj.indptr, adj.indices, net.degree,
        net.complete, totals, ap.rule == "threshold", thresholds, t.per_service, t.dimension, knowhow,
        t.per_person, t.per_unit, ap.w_effort, ap.w_social,
        ap.intention_threshold, ap.steepness, ap.rate_adopt, ap.p_external, ap.q_social, ap.dt,
        ap.step_probability == "linear", ap.intention_threshold - ap.discontinue_margin, ap.p_discontinue,
    )
    changed = cells[rng.random(cells.size) < chance]  # one uniform per cell that can change, row-major
    flat = new.reshape(-1)
    was_used = flat[changed]
    flat[changed] = ~was_used  # a non-user adopts, a user stops
    n_stop = int(was_used.sum())
    return new, n_threshold + changed.size - n_stop, n_stop


def packed_uses(uses: np.ndarray, net: Network) -> np.ndarray:
    """Each person's uses as one uint64 word, service s in byte s, when a sum of words over contacts
    counts every service at once: up to 8 services, fewer than 256 contacts, little-endian bytes.
    Otherwise an empty array (contacts are then counted service by service)."""
    n, n_services = uses.shape
    if net.complete or n_services > 8 or n == 0 or net.degree.max() >= 256 or sys.byteorder != "little":
        return np.zeros(0, dtype=np.uint64)
    lanes = np.zeros((n, 8), dtype=np.uint8)
    lanes[:, :n_services] = uses
    return lanes.view(np.uint64).ravel()


@njit(cache=True)
def _chances(
    uses, packed, unit_active, staff_unit, indptr, indices, degree, complete, totals, threshold_rule, thresholds,
    per_service, dimension, knowhow, per_person, per_unit, w_effort, w_social, intention_threshold, steepness,
    rate_adopt, p_external, q_social, dt, linear, low_below, p_discontinue,
):  # pragma: no cover - compiled; documented by `step`
    """(uses kept and threshold adoptions, cells that can change, their chance of changing, adopters
    by threshold). Cells are row-major indices into `uses`."""
    n, n_services = uses.shape
    new = np.zeros_like(uses)
    cells = np.empty(uses.size, dtype=np.int64)
    chance = np.empty(uses.size)
    n_cells = 0
    n_threshold = 0
    counts = np.zeros(n_services, dtype=np.int64)
    n_units = unit_active.shape[0]
    active = np.empty((n_units, n_services), dtype=np.int64)  # each unit's active services, listed
    n_active = np.zeros(n_units, dtype=np.int64)
    for u in range(n_units):
        for s in range(n_services):
            if unit_active[u, s]:
                active[u, n_active[u]] = s
                n_active[u] += 1
    for i in range(n):
        u = staff_unit[i]
        if n_active[u] == 0:
            continue  # no active service in the unit: nothing to use, nothing to decide
        if packed.size:  # adopting contacts of every service in one sum of words (byte s: service s)
            word = np.uint64(0)
            for e in range(indptr[i], indptr[i + 1]):
                word += packed[indices[e]]
            for a in range(n_active[u]):
                s = active[u, a]
                counts[s] = (word >> np.uint64(8 * s)) & np.uint64(0xFF)
        else:
            for a in range(n_active[u]):  # adopting contacts, for the active services only
                s = active[u, a]
                if complete:
                    counts[s] = totals[s] - uses[i, s]
                else:
                    counts[s] = 0
                    for e in range(indptr[i], indptr[i + 1]):
                        counts[s] += uses[indices[e], s]
        for a in range(n_active[u]):
            s = active[u, a]
            new[i, s] = uses[i, s]
            if threshold_rule:
                if not uses[i, s] and counts[s] >= thresholds[i]:
                    new[i, s] = True
                    n_threshold += 1
                continue
            social = counts[s] / max(degree[i], 1.0)
            intent = (w_social * social + per_service[s] + w_effort * knowhow[i, dimension[s]] + per_person[i]
                      + per_unit[u, s])
            if uses[i, s]:
                if intent < low_below:
                    cells[n_cells] = i * n_services + s
                    chance[n_cells] = p_discontinue
                    n_cells += 1
                continue
            rate = rate_adopt / (np.exp((intent - intention_threshold) * -steepness) + 1.0) + p_external
            if q_social:
                rate += q_social * social
            cells[n_cells] = i * n_services + s
            chance[n_cells] = min(rate * dt, 1.0) if linear else -np.expm1(-rate * dt)
            n_cells += 1
    return new, cells[:n_cells], chance[:n_cells], n_threshold
