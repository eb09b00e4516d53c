"""Phase 8, the service lifecycle in each unit: available -> piloting -> implementing -> routinised, or
abandoned for a cause (Greenhalgh et al. 2004 on spread and sustainability; NASSS, Greenhalgh et al. 2017 and
Granja et al. 2018 on why e-health implementations fail: misfit to the work, low use, technical failure,
funding ending).

A pilot's work advances with the unit's exploration time and its absorptive capacity in the service's
dimension (Cohen & Levinthal 1990). In the week the work is done, the unit judges the service once, with its
code (abm.core.mechanisms.fit) plus noise: a pilot judged no better than the threshold fails as a misfit; one
judged good succeeds once enough of the unit uses it, or ends at `max_pilot_weeks` (low use if the work was
done, funding otherwise).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from abm.core.params import ManagementParams
from abm.core.state import Cause
from abm.core.state import ServiceState as SS


def arrive(state: np.ndarray, arrived: np.ndarray) -> np.ndarray:
    """Services whose arrival week has come become available in every unit that has not seen them."""
    return np.where((state == SS.UNAVAILABLE) & arrived[None, :], SS.AVAILABLE, state).astype(np.int8)


def pilot_progress(
    explore: np.ndarray, capability: np.ndarray, complexity: np.ndarray, speed: float
) -> np.ndarray:
    """Weekly pilot progress (U, S): exploration time times absorptive capacity in the service's dimension
    (`capability`, (U, S)) relative to its complexity."""
    return speed * explore[:, None] * (0.5 + capability) / (0.5 + complexity[None, :])


def misfits(code_benefit: np.ndarray, draws: np.ndarray, mp: ManagementParams) -> np.ndarray:
    """(U, S) services a unit drops as misfits this week if live: its code judges them no better than the pilots'
    bar (`value_threshold`, without the judgement noise), each with weekly chance `p_misfit_abandon`."""
    return (code_benefit <= mp.value_threshold) & (draws < mp.p_misfit_abandon)


@dataclass
class Changes:
    """This week's transitions, as (U, S) masks, and the cause of every ending."""

    succeeded: np.ndarray  # pilots that succeeded (now implementing)
    routinised: np.ndarray
    pilot_failed: np.ndarray  # pilots that ended without success
    abandoned: np.ndarray  # live services a unit gave up
    cause: np.ndarray  # int8 (U, S): Cause of each failed pilot or abandonment (-1 elsewhere)


def advance(
    state: np.ndarray, progress: np.ndarray, since: np.ndarray, adoption: np.ndarray,
    step_progress: np.ndarray, judged: np.ndarray, misfit: np.ndarray, technical: np.ndarray,
    mandated: np.ndarray, week: int, mp: ManagementParams,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, Changes]:
    """One week of the lifecycle; returns (state, progress, since, changes).

    `judged` (U, S) is the unit's noisy judgement of each service's benefit this week, `misfit` (U, S) marks
    services the unit's code judges harmful, `technical` (U, S) this week's technical failures, `mandated`
    (S,) the nationally mandated services (they are never dropped for funding or misfit).
    """
    state, progress, since = state.copy(), progress.copy(), since.copy()
    optional = ~mandated[None, :]
    piloting = state == SS.PILOTING
    progress = np.where(piloting, progress + step_progress, progress)
    age = week - since
    done = piloting & (progress >= 1.0)  # the pilot's work is done
    completed = done & (progress - step_progress < 1.0)  # ... this week: the unit judges it once, now
    judged_poor = completed & (judged <= mp.value_threshold)
    success = done & ~judged_poor & (adoption >= mp.pilot_success_share)
    timed_out = piloting & ~success & ~judged_poor & (age >= mp.max_pilot_weeks)
    pilot_technical = piloting & technical & ~success & ~judged_poor & ~timed_out

    implementing = state == SS.IMPLEMENTING
    routinised = state == SS.ROUTINISED
    live = implementing | routinised
    routinise = implementing & (adoption >= mp.routinise_share)
    broken = live & technical
    dropped = live & misfit & optional & ~broken
    low_use = routinised & (adoption < mp.abandon_share) & ~broken & ~dropped
    stalled = implementing & ~routinise & optional & (age >= mp.max_implement_weeks) & ~broken & ~dropped

    cause = np.full(state.shape, -1, dtype=np.int8)
    cause[timed_out & done] = Cause.LOW_USE
    cause[timed_out & ~done] = Cause.FUNDING
    cause[judged_poor | dropped] = Cause.MISFIT
    cause[pilot_technical | broken] = Cause.TECHNICAL
    cause[low_use] = Cause.LOW_USE
    cause[stalled] = Cause.FUNDING
    pilot_failed = judged_poor | timed_out | pilot_technical
    abandoned = broken | dropped | low_use | stalled

    state[success] = SS.IMPLEMENTING
    state[routinise & ~abandoned] = SS.ROUTINISED
    state[pilot_failed | abandoned] = SS.ABANDONED
    changed = success | routinise | pilot_failed | abandoned
    since[changed] = week
    return state, progress, since, Changes(success, routinise & ~abandoned, pilot_failed, abandoned, cause)
