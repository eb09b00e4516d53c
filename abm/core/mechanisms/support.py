"""Unit managers' support for change, which moves with experience and workload (Eisenhardt & Martin 2000 on
learning mechanisms; Greenhalgh et al. 2017 on organisational readiness), and the regional e-health unit as a
shared implementation-support capacity any practice can use (NASSS: the wider system)."""

from __future__ import annotations

import numpy as np

from abm.core.state import ServiceState as SS


def update(support: np.ndarray, state: np.ndarray, workload: np.ndarray, learning: float, erosion: float) -> np.ndarray:
    """Support rises with the share of the unit's active services that are routinised (experience of success)
    and falls with workload above capacity; it stays in [0, 1]."""
    active = ((state == SS.PILOTING) | (state == SS.IMPLEMENTING) | (state == SS.ROUTINISED)).sum(axis=1)
    success = (state == SS.ROUTINISED).sum(axis=1) / np.maximum(active, 1)
    change = learning * success - erosion * np.maximum(workload - 1.0, 0.0)
    return np.clip(support + change, 0.0, 1.0)


def allocate(state: np.ndarray, since: np.ndarray, mandated: np.ndarray, capacity: int) -> np.ndarray:
    """(U, S) which piloting or implementing unit-services the e-health unit supports: mandated first, then
    the longest-running, up to `capacity`."""
    taking_up = (state == SS.PILOTING) | (state == SS.IMPLEMENTING)
    out = np.zeros(state.shape, dtype=bool)
    cells = np.flatnonzero(taking_up)
    if capacity <= 0 or cells.size == 0:
        return out
    order = np.lexsort((cells, since.ravel()[cells], ~np.broadcast_to(mandated, state.shape).ravel()[cells]))
    out.ravel()[cells[order[:capacity]]] = True
    return out
