"""Phase 3, seizing (Teece 2007): management picks promising services to pilot and the units to pilot them."""

from __future__ import annotations

import numpy as np

from abm.core.state import ServiceState


def choose_pilots(
    estimate: np.ndarray, service_state: np.ndarray, readiness: np.ndarray, eligible_units: np.ndarray,
    value_threshold: float, max_pilots: int,
) -> list[tuple[int, int]]:
    """(unit, service) pairs to start piloting, best estimate first, within the pilot budget.

    A service is a candidate if it is available everywhere (never tried) and its estimate exceeds the
    threshold; its pilot unit is the eligible, not-yet-piloting unit with the highest readiness > 0.
    """
    piloting = service_state == ServiceState.PILOTING
    budget = max_pilots - int(piloting.sum())
    if budget <= 0:
        return []
    untried = (service_state == ServiceState.AVAILABLE).all(axis=0)
    candidates = np.flatnonzero(untried & (estimate > value_threshold))  # NaN (not sensed) is never above
    if candidates.size == 0:
        return []
    busy = piloting.any(axis=1) | ~eligible_units | (readiness <= 0)
    chosen: list[tuple[int, int]] = []
    for s in candidates[np.argsort(-estimate[candidates], kind="stable")]:
        if budget <= 0 or busy.all():
            break
        u = int(np.argmax(np.where(busy, -np.inf, readiness)))
        chosen.append((u, int(s)))
        busy[u] = True
        budget -= 1
    return chosen
