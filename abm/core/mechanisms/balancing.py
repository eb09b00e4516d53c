"""Phase 4, balancing: each unit's exploration share from the practice, at the same budget for every
exploring practice (March 1991 on the trade-off; the practices differ only in where, when and who decides).

- where: evenly in every unit (contextual: Gibson & Birkinshaw 2004; networked: Fang, Lee & Schilling 2010,
  whose ties differ), or in dedicated innovation units sized from the budget (structural: Tushman & O'Reilly
  1996; O'Reilly & Tushman 2013);
- when: all the time; in alternating phases (sequential: Boumgarden, Nickerson & Zenger 2012 on vacillation);
  early (an `explore_weeks` schedule: Siggelkow & Levinthal 2003 on temporal sequencing); or when a unit falls
  short of its aspiration (adaptive: Cyert & March 1963; Greve 1998);
- who decides: management protects the time, or unit managers cut it under workload (enabling managers half
  as much).

A budget account keeps every practice to its budget: time not spent (or overspent) is made up over the next
`carryover_weeks` weeks, so a run's realised mean share is close to the budget whatever the practice. It cannot
spend in weeks with nothing planned (the exploit half of `sequential`, after an `explore_weeks` schedule, or when
unit managers cut every share to 0); no unit's share goes above `max_raise` times its planned share (the units
whose managers cut less make up the others' time only so far: what is left is made up in later weeks), nor above
`max_unit_share`.
"""

from __future__ import annotations

import numpy as np

from abm.core.params import PracticeParams
from abm.core.state import UnitKind


def schedule_weight(practice: PracticeParams, week: int, horizon: int) -> float:
    """The region's planned intensity at `week`, relative to the budget (mean 1 over the horizon).

    `sequential` explores in the first half of every period (twice the budget then, none in the second half);
    an `explore_weeks` schedule spends the whole run's budget in weeks 1..explore_weeks.
    """
    weight = 1.0
    if practice.explore_weeks and practice.explore_weeks < horizon:
        weight = horizon / practice.explore_weeks if week <= practice.explore_weeks else 0.0
    if practice.name == "sequential":
        half = practice.period_weeks // 2
        weight *= practice.period_weeks / half if sequential_exploring(week, practice.period_weeks) else 0.0
    return weight


def sequential_exploring(week: int, period_weeks: int) -> bool:
    """`sequential` explores in the first half of every period (weeks 1.. of the run)."""
    return ((week - 1) % period_weeks) < period_weeks // 2


def planned_shares(
    practice: PracticeParams, weight: float, kind: np.ndarray, relative: np.ndarray
) -> np.ndarray:
    """Each unit's planned exploration share this week before slack and the account.

    `relative` is adaptive's per-unit intensity relative to the budget (1 elsewhere).
    """
    budget = practice.budget * weight
    match practice.name:
        case "exploit_only":
            return np.zeros(kind.size)
        case "contextual" | "networked" | "sequential":
            return np.full(kind.size, budget)
        case "structural":
            return np.where(kind == UnitKind.INNOVATION, practice.innovation_share * weight, 0.0)
        case "adaptive":
            return budget * relative
    raise ValueError(practice.name)


def adaptive_relative(
    relative: np.ndarray, performance: np.ndarray, aspiration: np.ndarray, practice: PracticeParams
) -> np.ndarray:
    """Problemistic search (Cyert & March 1963): the further a unit's performance falls below its aspiration,
    the more of the budget it explores; above aspiration, less. Moves at most `adaptive_step` (as a share of
    working time) a week."""
    if practice.budget <= 0:
        return relative
    shortfall = (aspiration - performance) / np.maximum(aspiration, 1e-9)
    cap = practice.max_unit_share / practice.budget
    desired = np.clip(1.0 + practice.adaptive_gain * shortfall, 0.0, cap)
    step = practice.adaptive_step / practice.budget
    return np.clip(relative + np.clip(desired - relative, -step, step), 0.0, cap)


def update_aspiration(aspiration: np.ndarray, performance: np.ndarray, practice: PracticeParams) -> np.ndarray:
    """Aspiration mixes own past performance with the best unit's (historical and social, Greve 1998)."""
    w = practice.aspiration_weight
    social = practice.social_aspiration
    reference = (1 - social) * performance + social * performance.max(initial=0.0)
    return (1 - w) * aspiration + w * reference


def apply_slack(target: np.ndarray, workload: np.ndarray, enabling: np.ndarray, practice: PracticeParams) -> np.ndarray:
    """Unit managers cut exploration when workload exceeds capacity; enabling managers cut half as much.
    Under `decided_by: management` the time is protected and nothing is cut."""
    if practice.decided_by == "management":
        return target
    overload = np.maximum(workload - 1.0, 0.0)
    sensitivity = np.where(enabling, 0.5, 1.0) * practice.slack_sensitivity
    return np.clip(target * (1.0 - sensitivity * overload), 0.0, 1.0)


def account_factor(target: float, planned: float, account: float, practice: PracticeParams, n_staff: int) -> float:
    """Multiplier on this week's shares (after slack) that spends the region's target share plus a
    `carryover_weeks` part of the account (staff-weeks budgeted but not yet spent). Slack therefore moves time
    between units (to those whose managers cut less), not out of the budget. 1 in a week with nothing planned."""
    if planned <= 0 or target <= 0:
        return 1.0
    makeup = account / practice.carryover_weeks / n_staff
    return float(max((target + makeup) / planned, 0.0))


def shares(
    practice: PracticeParams, week: int, horizon: int, kind: np.ndarray, size: np.ndarray, relative: np.ndarray,
    workload: np.ndarray, enabling: np.ndarray, account: float,
) -> tuple[np.ndarray, np.ndarray, float]:
    """(this week's exploration share per unit, the practice's planned share per unit before slack and the
    account, the region's budget this week: budget x schedule, against which the account is kept).

    The week's region-wide target is the budget, except under `adaptive`, whose units' aspiration gaps move
    it (the account then brings the run back to the budget over `carryover_weeks`: adaptive shifts exploration
    in time as well as between units).
    """
    weight = schedule_weight(practice, week, horizon)
    budget = practice.budget * weight if practice.name != "exploit_only" else 0.0
    planned = planned_shares(practice, weight, kind, relative)
    n_staff = max(int(size.sum()), 1)
    target = float(planned @ size) / n_staff if practice.name == "adaptive" else budget
    cut = apply_slack(planned, workload, enabling, practice)
    factor = account_factor(target, float(cut @ size) / n_staff, account, practice, n_staff)
    raised = np.minimum(cut * factor, practice.max_raise * planned)
    return np.clip(raised, 0.0, practice.max_unit_share), planned, budget
