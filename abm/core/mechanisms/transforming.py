"""Phase 8, transforming (Teece 2007; Eisenhardt & Martin 2000): scale successful pilots to other
units and reconfigure the organisation (new champions and cross-unit ties for lagging units)."""

from __future__ import annotations

import numpy as np

from abm.core.state import ServiceState as SS


def scale(
    state: np.ndarray, since: np.ndarray, readiness: np.ndarray, units_per_round: int, week: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Move proven services (implementing or routinised somewhere) into implementation in more units.

    Returns (state, since, mask of services scaled this round). Units are taken by readiness,
    ties broken at random.
    """
    state, since = state.copy(), since.copy()
    proven = ((state == SS.IMPLEMENTING) | (state == SS.ROUTINISED)).any(axis=0)
    jitter = rng.random(state.shape[0])
    scaled = np.zeros(state.shape[1], dtype=bool)
    for s in np.flatnonzero(proven):
        waiting = np.flatnonzero(state[:, s] == SS.AVAILABLE)
        if waiting.size == 0 or units_per_round == 0:
            continue
        order = np.lexsort((jitter[waiting], -readiness[waiting]))
        take = waiting[order[:units_per_round]]
        state[take, s] = SS.IMPLEMENTING
        since[take, s] = week
        scaled[s] = True
    return state, since, scaled


def reconfigure(
    unit_adoption: np.ndarray, maturity_total: np.ndarray, staff_unit: np.ndarray,
    knowhow: np.ndarray, champion: np.ndarray, n_ties: int, rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Make the most skilled non-champion of the lagging unit a champion and tie them to the leading unit's champions.

    Returns (champion, new tie sources, new tie targets).
    """
    champion = champion.copy()
    lagging, leading = int(np.argmin(unit_adoption)), int(np.argmax(maturity_total))
    candidates = np.flatnonzero((staff_unit == lagging) & ~champion)
    if lagging == leading or candidates.size == 0:
        return champion, np.zeros(0, np.int64), np.zeros(0, np.int64)
    new = candidates[np.argmax(knowhow[candidates])]
    champion[new] = True
    partners = np.flatnonzero((staff_unit == leading) & champion)
    if partners.size == 0:
        partners = np.flatnonzero(staff_unit == leading)
    dst = rng.choice(partners, size=min(n_ties, partners.size), replace=False)
    return champion, np.full(dst.size, new, dtype=np.int64), dst.astype(np.int64)
