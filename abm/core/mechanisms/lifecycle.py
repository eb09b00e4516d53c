"""Phase 7, the service lifecycle in each unit: available -> piloting -> implementing -> routinised,
or abandoned (Greenhalgh et al. 2004 on spread and sustainability; Rogers 2003 stages)."""

from __future__ import annotations

import numpy as np

from abm.core.params import ManagementParams
from abm.core.state import ServiceState as SS


def arrive(state: np.ndarray, arrived: np.ndarray) -> np.ndarray:
    """Services whose arrival week has come become available in every unit that has not seen them."""
    return np.where((state == SS.UNAVAILABLE) & arrived[None, :], SS.AVAILABLE, state).astype(np.int8)


def pilot_progress(
    explore: np.ndarray, capability: np.ndarray, complexity: np.ndarray, speed: float
) -> np.ndarray:
    """Weekly pilot progress (U, S): exploration time times capability relative to complexity."""
    return speed * explore[:, None] * (0.5 + capability[:, None]) / (0.5 + complexity[None, :])


def advance(
    state: np.ndarray, progress: np.ndarray, since: np.ndarray, adoption: np.ndarray,
    step_progress: np.ndarray, week: int, mp: ManagementParams,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One week of the lifecycle; returns (state, progress, since).

    A pilot succeeds once its work is done and enough of the unit uses the service; it is abandoned if
    that has not happened by `max_pilot_weeks`. Implementation routinises at `routinise_share` adoption
    or is abandoned after `max_implement_weeks`; a routinised service whose use collapses is abandoned.
    """
    state, progress, since = state.copy(), progress.copy(), since.copy()
    piloting = state == SS.PILOTING
    progress = np.where(piloting, progress + step_progress, progress)
    age = week - since
    done = piloting & (progress >= 1.0)  # the pilot's work is done: it is evaluated every week from now
    success = done & (adoption >= mp.pilot_success_share)
    failed = piloting & ~success & (age >= mp.max_pilot_weeks)
    implementing = state == SS.IMPLEMENTING
    routinise = implementing & (adoption >= mp.routinise_share)
    stalled = implementing & ~routinise & (age >= mp.max_implement_weeks)
    collapsed = (state == SS.ROUTINISED) & (adoption < mp.abandon_share)
    state[success] = SS.IMPLEMENTING
    state[routinise] = SS.ROUTINISED
    state[failed | stalled | collapsed] = SS.ABANDONED
    changed = success | routinise | failed | stalled | collapsed
    since[changed] = week
    return state, progress, since
