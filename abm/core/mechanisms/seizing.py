"""Phase 3, seizing (Teece 2007): management picks promising services to pilot and the units to pilot them.
A failed service can be re-piloted in another unit after a cooldown (Zollo & Winter 2002: learning from
failure), up to `max_attempts` pilots."""

from __future__ import annotations

import numpy as np

from abm.core.state import ServiceState


def choose_pilots(
    priority: np.ndarray, takeable: np.ndarray, service_state: np.ndarray, readiness: np.ndarray,
    eligible_units: np.ndarray,
    allowed: np.ndarray, value_threshold: float, capacity: int,
) -> list[tuple[int, int]]:
    """(unit, service) pairs to start piloting, best priority first, within the pilot capacity.

    A service is a candidate if it is `allowed` (not mandated, attempts and cooldown permitting), not piloted
    or live anywhere, and its priority exceeds the threshold; its pilot unit is the eligible unit, not already
    piloting, where the service can be taken up (`takeable`: available, or dropped long enough ago), with the
    highest readiness > 0.
    """
    piloting = service_state == ServiceState.PILOTING
    budget = capacity - int(piloting.sum())
    if budget <= 0:
        return []
    live = (service_state == ServiceState.IMPLEMENTING) | (service_state == ServiceState.ROUTINISED)
    free = allowed & ~piloting.any(axis=0) & ~live.any(axis=0)
    candidates = np.flatnonzero(free & (priority > value_threshold))  # NaN (not sensed) is never above
    if candidates.size == 0:
        return []
    busy = piloting.any(axis=1) | ~eligible_units
    chosen: list[tuple[int, int]] = []
    for s in candidates[np.argsort(-priority[candidates], kind="stable")]:
        if budget <= 0:
            break
        score = np.where(busy | ~takeable[:, s], -np.inf, readiness[:, s])
        u = int(np.argmax(score))
        if not score[u] > 0:
            continue
        chosen.append((u, int(s)))
        busy[u] = True
        budget -= 1
    return chosen
