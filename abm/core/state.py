"""Struct-of-arrays state: one row per staff member, one row per unit, owned by the model.

Mesa agents are thin handles onto these rows; every mechanism updates whole arrays at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np


class Role(IntEnum):
    PHYSICIAN = 0
    NURSE = 1
    ASSISTANT = 2
    ADMIN = 3




class UnitKind(IntEnum):
    PRIMARY_CARE = 0
    WARD = 1
    SPECIALIST = 2
    INNOVATION = 3


class ServiceState(IntEnum):
    """Lifecycle of one service in one unit (Greenhalgh et al. 2004; Rogers 2003)."""

    UNAVAILABLE = 0
    AVAILABLE = 1
    PILOTING = 2
    IMPLEMENTING = 3
    ROUTINISED = 4
    ABANDONED = 5


ACTIVE_STATES = (ServiceState.PILOTING, ServiceState.IMPLEMENTING, ServiceState.ROUTINISED)
LIVE_STATES = (ServiceState.IMPLEMENTING, ServiceState.ROUTINISED)
NEVER = np.iinfo(np.int32).max


class Cause(IntEnum):
    """Why a pilot failed or a unit abandoned a service (NASSS: Greenhalgh et al. 2017; Granja et al. 2018)."""

    FUNDING = 0  # the pilot's or the implementation's time (funding) ran out
    MISFIT = 1  # the unit judged it a misfit to its work (its code judges the fit)
    LOW_USE = 2  # too few used it
    TECHNICAL = 3  # it failed technically


@dataclass
class StaffState:
    """Per-staff arrays (n rows). Rows are positions: a leaver's row is taken by the newcomer."""

    unit: np.ndarray  # int32 (n,)
    role: np.ndarray  # int8 (n,)
    knowhow: np.ndarray  # float64 (n, D), in [0, 1]: digital know-how per maturity dimension
    beliefs: np.ndarray  # int8 (n, m), in {-1, 0, 1}
    attitude: np.ndarray  # float64 (n,), in [0, 1]
    tenure: np.ndarray  # int32 (n,), weeks in post
    champion: np.ndarray  # bool (n,)
    uses: np.ndarray  # bool (n, S)
    person_id: np.ndarray  # int64 (n,), new id at each hire
    p_socialise: np.ndarray  # float64 (n,), personal p1 (heterogeneous learners)
    threshold: np.ndarray  # float64 (n,), adoption threshold (threshold rule)
    actions: np.ndarray  # int8 (n, m), this week's actions
    performance: np.ndarray  # int64 (n,), this week's action x reality
    care: np.ndarray  # float64 (n,), this week's care output
    trained: np.ndarray  # bool (n,), trained this week
    left: np.ndarray  # bool (n,), left this week (replaced)

    @property
    def n(self) -> int:
        return int(self.unit.shape[0])


@dataclass
class UnitState:
    """Per-unit arrays (U rows)."""

    kind: np.ndarray  # int8 (U,)
    size: np.ndarray  # int64 (U,)
    code: np.ndarray  # int8 (U, m)
    demand_base: np.ndarray  # float64 (U,)
    enabling: np.ndarray  # bool (U,), manager style
    support: np.ndarray  # float64 (U,), manager support for change in [0, 1]
    explore_share: np.ndarray  # float64 (U,)
    target_share: np.ndarray  # float64 (U,), practice's target before slack
    aspiration: np.ndarray  # float64 (U,)
    productivity: np.ndarray  # float64 (U,), share of demand met (adaptive's performance)
    care: np.ndarray  # float64 (U,), contacts delivered this week (at most demand)
    demand: np.ndarray  # float64 (U,), new demand this week
    workload: np.ndarray  # float64 (U,), (new demand + waiting) / care capacity at full time
    waiting: np.ndarray  # float64 (U,), patients on the waiting list
    unmet: np.ndarray  # float64 (U,), demand not met this week
    remote_share: np.ndarray  # float64 (U,), remote share of contacts
    uptake: np.ndarray  # float64 (U, S), patient uptake in the unit's catchment (1 where not patient-facing)
    supported: np.ndarray  # bool (U, S), implementation supported by the regional e-health unit
    mandate_week: np.ndarray  # int32 (U, S), week a mandated service must start in the unit (large: never)
    service_state: np.ndarray  # int8 (U, S)
    service_progress: np.ndarray  # float64 (U, S)
    service_since: np.ndarray  # int32 (U, S), week the current state began
    maturity: np.ndarray  # float64 (U, 4)
    stage: np.ndarray  # int8 (U,)

    @property
    def n(self) -> int:
        return int(self.kind.shape[0])


@dataclass
class ServiceEvents:
    """Region-level event weeks per service (NaN until it happens), for lifecycle lags."""

    available: np.ndarray
    first_pilot: np.ndarray
    first_success: np.ndarray
    first_scaled: np.ndarray
    first_routinised: np.ndarray

    @classmethod
    def empty(cls, n_services: int) -> ServiceEvents:
        return cls(*(np.full(n_services, np.nan) for _ in range(5)))

    def mark(self, name: str, mask: np.ndarray, week: int) -> None:
        """Record `week` for services in `mask` that have no week for event `name` yet."""
        arr = getattr(self, name)
        arr[mask & np.isnan(arr)] = week


@dataclass
class ServiceRecord:
    """What management has learnt about each service: attempts, failures by cause, estimates (region level)."""

    attempts: np.ndarray  # int64 (S,), pilots started
    last_failed: np.ndarray  # float64 (S,), week of the last failed pilot (NaN: none)
    judged: np.ndarray  # float64 (S,), last finished pilot's judged benefit (NaN: none)
    pilot_failures: np.ndarray  # int64 (len(Cause),), failed pilots by cause
    abandonments: np.ndarray  # int64 (len(Cause),), live services abandoned by units, by cause
    repilots: int  # pilots of a service that had failed before
    scaled_units: int  # unit-services brought into implementation by scaling (experience)
    half_units: np.ndarray  # float64 (S,), first week half the care units had it live (NaN: not yet)

    @classmethod
    def empty(cls, n_services: int) -> ServiceRecord:
        return cls(np.zeros(n_services, np.int64), np.full(n_services, np.nan), np.full(n_services, np.nan),
                   np.zeros(len(Cause), np.int64), np.zeros(len(Cause), np.int64), 0, 0,
                   np.full(n_services, np.nan))
