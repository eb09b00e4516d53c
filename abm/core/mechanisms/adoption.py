"""Phase 6, adoption and discontinuance of e-health services.

UTAUT (Venkatesh et al. 2003): intention from performance expectancy (weight 0.30, pooled healthcare
estimate), effort expectancy, social influence and facilitating conditions; intention sets a logistic
hazard. Bass (1969) external and imitation hazards and Granovetter (1978) / Centola (2010) count
thresholds are special cases selected by parameters.

The functions below state each rule over whole arrays; `step` applies them all in two compiled passes, over
the people whose unit has an active service and then over the cells that can change (tests/core/test_kernels.py
checks it equals them, draw for draw).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import numpy as np
from numba import njit
from numba.extending import register_jitable

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
    per_person = _per_person(attitude, role, tenure, resist, ap.w_attitude, ap.w_habit)
    facilitating = support[:, None] + ehealth_support * supported
    per_unit = ap.w_facilitating * facilitating - ap.w_workload * np.maximum(workload - 1.0, 0.0)[:, None]
    return Terms(ap.w_performance * expectancy - ap.w_effort * complexity, per_person, per_unit,
                 dimension.astype(np.int64))


@njit(cache=True)
def _per_person(attitude, role, tenure, resist, w_attitude, w_habit):  # pragma: no cover - compiled
    """w_attitude (attitude - 1/2) - resist[role] - w_habit min(tenure / HABIT_WEEKS, 1), person by person."""
    out = np.empty(attitude.size)
    for i in range(attitude.size):
        out[i] = w_attitude * (attitude[i] - 0.5) - resist[role[i]] - w_habit * min(tenure[i] / HABIT_WEEKS, 1.0)
    return out


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


# ---- the weekly step: the functions above, fused over the people whose unit has an active service ----

def step(
    uses: np.ndarray, unit_active: np.ndarray, staff_unit: np.ndarray, net: Network, ap: AdoptionParams,
    t: Terms, knowhow: np.ndarray, thresholds: np.ndarray, rng: np.random.Generator,
) -> tuple[np.ndarray, int, int]:
    """(new uses, adopters, discontinuers) this week under `ap.rule`, reading last week's uses.

    Equals social_share, intention, hazard and adopt_hazard (or adopt_threshold) applied to whole
    arrays, with the same draws (tests/core/test_kernels.py), but visits only people whose unit has an
    active service (`unit_active`, (U, S)), and under the hazard rule counts a person's adopting contacts
    only where the outcome depends on them:

    - every non-user of an active service draws a uniform whatever their intention, so the cells are known
      without it; the intention (with the contacts) and the hazard (two exponentials) are computed only
      where the draw falls below the largest step probability any intention could give;
    - a user may stop only with intention below the margin; intention without the social term is a lower
      bound (each rounded operation is monotone and the social term is not negative), so the contacts are
      counted only for users whose bound is below the margin.
    """
    adj = net.adjacency
    totals = uses.sum(axis=0).astype(np.int64) if net.complete else np.zeros(uses.shape[1], np.int64)
    threshold_rule = ap.rule == "threshold"
    packed = packed_uses(uses, net) if threshold_rule else np.zeros(0, dtype=np.uint64)
    social = (adj.indptr, adj.indices, net.degree, net.complete, totals, ap.w_social)
    intent = (t.per_service, t.dimension, knowhow, t.per_person, t.per_unit, ap.w_effort)
    new, cells, user, n_adopt = _cells(threshold_rule, packed, thresholds, uses, unit_active, staff_unit, *social,
                                       *intent, ap.intention_threshold - ap.discontinue_margin)
    if threshold_rule:
        return new, n_adopt, 0
    draws = rng.random(cells.size)  # one uniform per cell that can change, row-major
    changes = _hazard_changes(cells, user, draws, uses, staff_unit, *social, *intent, ap.intention_threshold,
                              ap.steepness, ap.rate_adopt, ap.p_external, ap.q_social, ap.dt,
                              ap.step_probability == "linear", ap.p_discontinue)
    changed = cells[changes]
    person, service = np.divmod(changed, uses.shape[1])  # cells are row-major indices, whatever the layout
    was_used = new[person, service]
    new[person, service] = ~was_used  # a non-user adopts, a user stops
    n_stop = int(was_used.sum())
    return new, changed.size - n_stop, n_stop


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
def _cells(
    threshold_rule, packed, thresholds, uses, unit_active, staff_unit, indptr, indices, degree, complete, totals,
    w_social, per_service, dimension, knowhow, per_person, per_unit, w_effort, low_below,
):  # pragma: no cover - compiled; documented by `step`
    """(uses kept and threshold adoptions, cells that can change, whether each is a user who may stop,
    adopters by threshold): the threshold rule decides at once, the hazard rule lists the cells that draw."""
    if threshold_rule:
        new, n_adopt = _threshold_step(uses, packed, unit_active, staff_unit, indptr, indices, complete, totals,
                                       thresholds)
        return new, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.bool_), n_adopt
    new, cells, users = _hazard_cells(uses, unit_active, staff_unit, indptr, indices, degree, complete, totals,
                                      w_social, per_service, dimension, knowhow, per_person, per_unit, w_effort,
                                      low_below)
    return new, cells, users, 0


@register_jitable
def _active_lists(unit_active: np.ndarray) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    """Each unit's active services, listed: (services (U, S), how many (U,))."""
    n_units, n_services = unit_active.shape
    active = np.empty((n_units, n_services), dtype=np.int64)
    n_active = np.zeros(n_units, dtype=np.int64)
    for u in range(n_units):
        for s in range(n_services):
            if unit_active[u, s]:
                active[u, n_active[u]] = s
                n_active[u] += 1
    return active, n_active


@register_jitable
def _threshold_step(
    uses, packed, unit_active, staff_unit, indptr, indices, complete, totals, thresholds,
):  # pragma: no cover - compiled; documented by `step`
    """(uses kept and threshold adoptions, adopters): a non-user adopts once the count of adopting contacts
    reaches their threshold."""
    n, n_services = uses.shape
    new = np.zeros_like(uses)
    n_adopt = 0
    counts = np.zeros(n_services, dtype=np.int64)
    active, n_active = _active_lists(unit_active)
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
            for a in range(n_active[u]):
                s = active[u, a]
                counts[s] = _adopting_contacts(uses, i, s, indptr, indices, complete, totals)
        for a in range(n_active[u]):
            s = active[u, a]
            new[i, s] = uses[i, s]
            if not uses[i, s] and counts[s] >= thresholds[i]:
                new[i, s] = True
                n_adopt += 1
    return new, n_adopt


@register_jitable
def _adopting_contacts(uses, i, s, indptr, indices, complete, totals):  # pragma: no cover - compiled
    """How many of person i's contacts use service s (everyone else on the complete graph)."""
    if complete:
        return totals[s] - uses[i, s]
    count = 0
    for e in range(indptr[i], indptr[i + 1]):
        count += uses[indices[e], s]
    return count


@register_jitable
def _intention(uses, i, s, u, indptr, indices, degree, complete, totals, w_social, per_service, dimension, knowhow,
               per_person, per_unit, w_effort):  # pragma: no cover - compiled
    """(social share, intention) of person i (in unit u) for service s: `intention` for one cell."""
    social = _adopting_contacts(uses, i, s, indptr, indices, complete, totals) / max(degree[i], 1.0)
    intent = (w_social * social + per_service[s] + w_effort * knowhow[i, dimension[s]] + per_person[i]
              + per_unit[u, s])
    return social, intent


@register_jitable
def _hazard_cells(
    uses, unit_active, staff_unit, indptr, indices, degree, complete, totals, w_social, per_service, dimension,
    knowhow, per_person, per_unit, w_effort, low_below,
):  # pragma: no cover - compiled; documented by `step`
    """(uses kept, cells that can change in row-major order, whether each is a user who may stop)."""
    n, n_services = uses.shape
    new = np.zeros_like(uses)
    cells = np.empty(uses.size, dtype=np.int64)
    users = np.empty(uses.size, dtype=np.bool_)
    n_cells = 0
    active, n_active = _active_lists(unit_active)
    for i in range(n):
        u = staff_unit[i]
        for a in range(n_active[u]):
            s = active[u, a]
            if not uses[i, s]:
                cells[n_cells] = i * n_services + s  # a non-user of an active service: always a draw
                users[n_cells] = False
                n_cells += 1
                continue
            new[i, s] = True
            bound = per_service[s] + w_effort * knowhow[i, dimension[s]] + per_person[i] + per_unit[u, s]
            if bound >= low_below:
                continue  # intention is at least the bound: this user keeps the service
            intent = _intention(uses, i, s, u, indptr, indices, degree, complete, totals, w_social, per_service,
                                dimension, knowhow, per_person, per_unit, w_effort)[1]
            if intent < low_below:
                cells[n_cells] = i * n_services + s
                users[n_cells] = True
                n_cells += 1
    return new, cells[:n_cells], users[:n_cells]


@njit(cache=True)
def _hazard_changes(
    cells, users, draws, uses, staff_unit, indptr, indices, degree, complete, totals, w_social, per_service,
    dimension, knowhow, per_person, per_unit, w_effort, intention_threshold, steepness, rate_adopt, p_external,
    q_social, dt, linear, p_discontinue,
):  # pragma: no cover - compiled; documented by `step`
    """Which cells change: a user who may stop if the draw is below p_discontinue; a non-user if it is below
    the step probability of the hazard. The hazard is at most rate_adopt + p_external + q_social (a social
    share is at most 1, and each operation rounds monotonically), so a draw above that bound's probability
    (with a margin for the last bit of expm1) decides without the intention or the exponentials."""
    most = rate_adopt + p_external
    if q_social:
        most += q_social * 1.0
    bound = min(most * dt, 1.0) if linear else -np.expm1(-most * dt)
    bound = bound * (1.0 + 1e-9) + 1e-300
    n_services = uses.shape[1]
    out = np.zeros(draws.size, dtype=np.bool_)
    for c in range(draws.size):
        if users[c]:
            out[c] = draws[c] < p_discontinue
            continue
        if draws[c] >= bound:
            continue
        i, s = cells[c] // n_services, cells[c] % n_services
        social, intent = _intention(uses, i, s, staff_unit[i], indptr, indices, degree, complete, totals, w_social,
                                    per_service, dimension, knowhow, per_person, per_unit, w_effort)
        rate = rate_adopt / (np.exp((intent - intention_threshold) * -steepness) + 1.0) + p_external
        if q_social:
            rate += q_social * social
        chance = min(rate * dt, 1.0) if linear else -np.expm1(-rate * dt)
        out[c] = draws[c] < chance
    return out
