"""Phase 8, transforming (Teece 2007; Eisenhardt & Martin 2000): scale successful pilots to other
units and reconfigure the organisation (new champions and cross-unit ties for lagging units)."""

from __future__ import annotations

import numpy as np

from abm.core.state import ServiceState as SS


def scaling_capacity(capacity_per_1000: float, n_staff: int, learning: float, scaled_before: int) -> float:
    """Staff a scaling round can bring into implementation: per 1,000 staff (so a larger region scales as
    fast in shares), growing with the experience of earlier scale-ups (Zollo & Winter 2002; Argote 1999)."""
    return capacity_per_1000 * n_staff / 1000.0 * (1.0 + learning * np.log1p(scaled_before))


def scale(
    state: np.ndarray, since: np.ndarray, takeable: np.ndarray, readiness: np.ndarray, sizes: np.ndarray,
    eligible_units: np.ndarray,
    scalable: np.ndarray, priority: np.ndarray, capacity: float, week: int, rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Move proven services into implementation in more units, within the round's capacity in staff.

    Returns (state, since, mask of services scaled this round, unit-services scaled). A proven service is
    implementing or routinised somewhere; `scalable` (S,) excludes mandated services (rolled out by their
    mandate). Services go by priority; within one, units that can take it up (`takeable`: available, or dropped
    long enough ago) by readiness (ties broken at
    random); a unit is taken while capacity remains (so a large unit is never left out for good).
    """
    state, since = state.copy(), since.copy()
    proven = ((state == SS.IMPLEMENTING) | (state == SS.ROUTINISED)).any(axis=0) & scalable
    jitter = rng.random(state.shape[0])
    scaled = np.zeros(state.shape[1], dtype=bool)
    remaining, n_scaled = capacity, 0
    order = np.flatnonzero(proven)
    order = order[np.argsort(-np.nan_to_num(priority[order], nan=-np.inf), kind="stable")]
    for s in order:
        ready = eligible_units & takeable[:, s] & (readiness[:, s] > 0)
        for u in np.flatnonzero(ready)[np.lexsort((jitter[ready], -readiness[ready, s]))]:
            if remaining <= 0:
                break
            state[u, s] = SS.IMPLEMENTING
            since[u, s] = week
            remaining -= sizes[u]
            scaled[s] = True
            n_scaled += 1
    return state, since, scaled, n_scaled


def reconfigure(
    unit_adoption: np.ndarray, maturity_total: np.ndarray, staff_unit: np.ndarray,
    knowhow: np.ndarray, champion: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Make the most skilled non-champion of the lagging unit a champion and tie them to every champion of the
    leading unit (to its most skilled member if it has none): a cross-unit bridge (Hansen 1999; Reagans &
    McEvily 2003). The number of bridging ties is not a parameter: measured over 40 seeds, 3 against 27 ties
    per reconfiguration moved no headline outcome (docs/ODD.md, transforming).

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
        members = np.flatnonzero(staff_unit == leading)
        partners = members[[np.argmax(knowhow[members])]]
    return champion, np.full(partners.size, new, dtype=np.int64), partners.astype(np.int64)
