"""Invariants that hold after every step (tests check them on every step of their runs)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from abm.core.mechanisms import maturity
from abm.core.state import ACTIVE_STATES, ServiceState

if TYPE_CHECKING:
    from abm.core.model import RegionModel


def violations(model: RegionModel) -> list[str]:
    """Every broken invariant, as readable text (empty when all hold)."""
    s, u = model.staff, model.units
    out: list[str] = []
    if not ((s.knowhow >= 0) & (s.knowhow <= 1)).all():
        out.append("know-how outside [0, 1]")
    if not np.isin(s.beliefs, (-1, 0, 1)).all():
        out.append("a belief outside {-1, 0, 1}")
    if not np.isin(u.code, (-1, 0, 1)).all():
        out.append("a code value outside {-1, 0, 1}")
    if not np.isin(model.reality, (-1, 1)).all():
        out.append("reality outside {-1, 1}")
    if not ((u.maturity >= 0) & (u.maturity <= 100)).all():
        out.append("a maturity dimension outside [0, 100]")
    total = u.maturity.sum(axis=1)
    if not ((total >= 0) & (total <= 400)).all():
        out.append("a maturity total outside [0, 400]")
    routinised = (u.service_state == ServiceState.ROUTINISED).sum(axis=1)
    met = maturity.criteria(u.maturity, routinised, model.params.maturity)
    for unit in range(u.n):
        if not met[unit, : u.stage[unit]].all():
            out.append(f"unit {unit} holds stage {u.stage[unit]} while failing a lower stage's criterion")
    if not ((u.explore_share >= 0) & (u.explore_share <= 1)).all():
        out.append("an exploration share outside [0, 1]")
    states = np.bincount(u.service_state.ravel(), minlength=len(ServiceState))
    if states.sum() != u.service_state.size:
        out.append("service states do not add up to units x services")
    if (np.bincount(s.unit, minlength=u.n) != u.size).any():
        out.append("unit sizes do not match staff assignments")
    if u.size.sum() != s.n:
        out.append("unit sizes do not add up to the staff count")
    active = np.isin(u.service_state, ACTIVE_STATES)[s.unit]
    if (s.uses & ~active).any():
        out.append("someone uses a service that is not active in their unit")
    if (s.care < 0).any():
        out.append("negative care production")
    out += care_violations(model)
    return out


def care_violations(model: RegionModel) -> list[str]:
    """Care against demand: nothing negative, delivered plus unmet is what was asked, the waiting list is what
    stayed unmet less those who gave up; exploration and remote shares within their bounds."""
    u, p = model.units, model.params
    out: list[str] = []
    if (u.care < 0).any() or (u.unmet < 0).any() or (u.waiting < 0).any():
        out.append("negative care, unmet demand or waiting list")
    if model.week > 0 and (u.waiting > u.unmet * (1 - p.care.waiting_renege) + 1e-9).any():
        out.append("a waiting list longer than this week's unmet demand less those who gave up")
    if (u.explore_share > p.practice.max_unit_share + 1e-12).any():
        out.append("an exploration share above practice.max_unit_share")
    if ((u.remote_share < 0) | (u.remote_share > p.care.max_remote_share + 1e-12)).any():
        out.append("a remote share outside [0, care.max_remote_share]")
    if ((u.uptake < 0) | (u.uptake > 1)).any():
        out.append("a patient uptake outside [0, 1]")
    return out


def assert_invariants(model: RegionModel) -> None:
    broken = violations(model)
    if broken:
        raise AssertionError(f"week {model.week}: " + "; ".join(broken))
