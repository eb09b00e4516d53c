"""Phase 4, balancing: each unit's exploration share from the practice and local slack (March 1991;
Gibson & Birkinshaw 2004 contextual; Tushman & O'Reilly 1996 structural; Brown & Eisenhardt 1997
sequential; Fang, Lee & Schilling 2010 networked; Cyert & March 1963 adaptive aspirations)."""

from __future__ import annotations

import numpy as np

from abm.core.params import PracticeParams
from abm.core.state import UnitKind


def sequential_exploring(week: int, period_weeks: int) -> bool:
    """`sequential` explores in the first half of every period."""
    return (week % period_weeks) < period_weeks // 2


def target_shares(
    practice: PracticeParams, week: int, kind: np.ndarray, current: np.ndarray,
    productivity: np.ndarray, aspiration: np.ndarray,
) -> np.ndarray:
    """The practice's exploration share for every unit before local slack."""
    innovation = kind == UnitKind.INNOVATION
    match practice.name:
        case "exploit_only":
            return np.zeros(kind.size)
        case "contextual" | "networked":
            return np.full(kind.size, practice.alpha)
        case "structural":
            return np.where(innovation, practice.alpha_innovation, 0.0)
        case "sequential":
            return np.full(
                kind.size, practice.alpha_phase if sequential_exploring(week, practice.period_weeks) else 0.0
            )
        case "adaptive":
            return adaptive_shares(current, productivity, aspiration, practice)
    raise ValueError(practice.name)


def adaptive_shares(
    current: np.ndarray, productivity: np.ndarray, aspiration: np.ndarray, practice: PracticeParams
) -> np.ndarray:
    """Problemistic search (Cyert & March 1963): the further performance falls below aspiration, the
    more a unit explores; at aspiration it returns to the base share. Moves at most `adaptive_step` a week."""
    shortfall = (aspiration - productivity) / np.maximum(aspiration, 1e-9)
    desired = np.clip(practice.alpha + practice.adaptive_gain * shortfall, 0.0, practice.alpha_max)
    step = np.clip(desired - current, -practice.adaptive_step, practice.adaptive_step)
    return np.clip(current + step, 0.0, practice.alpha_max)


def update_aspiration(aspiration: np.ndarray, productivity: np.ndarray, practice: PracticeParams) -> np.ndarray:
    """Aspiration mixes own past performance with the best unit's (historical and social, Greve 1998)."""
    w = practice.aspiration_weight
    social = practice.social_aspiration
    reference = (1 - social) * productivity + social * productivity.max(initial=0.0)
    return (1 - w) * aspiration + w * reference


def apply_slack(target: np.ndarray, workload: np.ndarray, enabling: np.ndarray, practice: PracticeParams) -> np.ndarray:
    """Managers cut exploration when workload exceeds capacity; enabling managers cut half as much."""
    overload = np.maximum(workload - 1.0, 0.0)
    sensitivity = np.where(enabling, 0.5, 1.0) * practice.slack_sensitivity
    return np.clip(target * (1.0 - sensitivity * overload), 0.0, 1.0)
