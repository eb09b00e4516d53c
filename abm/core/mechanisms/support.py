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


def allocate(state: np.ndarray, since: np.ndarray, mandated: np.ndarray, size: np.ndarray,
             capacity: float) -> np.ndarray:
    """(U, S) which piloting or implementing unit-services the e-health unit supports: mandated first, then
    the longest-running, as long as the staff of the units supported so far fit in `capacity` (care staff).

    Capacity counts staff, not unit-services, so that the share of staff whose implementation is supported does
    not depend on how the region is cut into units (a region of large units needs as much support per staff
    member as one of small units)."""
    taking_up = (state == SS.PILOTING) | (state == SS.IMPLEMENTING)
    out = np.zeros(state.shape, dtype=bool)
    cells = np.flatnonzero(taking_up)
    if capacity <= 0 or cells.size == 0:
        return out
    order = np.lexsort((cells, since.ravel()[cells], ~np.broadcast_to(mandated, state.shape).ravel()[cells]))
    staff = np.cumsum(size[cells[order] // state.shape[1]])
    out.ravel()[cells[order[staff <= capacity]]] = True
    return out
