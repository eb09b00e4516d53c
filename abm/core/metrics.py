"""The metrics registry: every outcome defined once (name, label, unit, kind, compute) and reused by data
collection, plots, comparison tables and docs/ODD.md. Names follow Starsim: `n_` stocks, `new_` flows,
`cum_` totals.

What is registered is what runs: the collector (abm.core.collector) calls each metric's `compute`, so a
definition here is the one that produces its column. Several metrics share costly intermediates (unit
weights, per-state pair counts, service user counts); a `Week` computes each of those at most once per
collection, which keeps the per-metric functions as cheap as one combined pass.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Literal

import numpy as np

from abm.core.aggregate import column_counts, total_score
from abm.core.params import DIMENSIONS
from abm.core.state import Cause, ServiceState

if TYPE_CHECKING:
    from abm.core.model import RegionModel

Kind = Literal["stock", "flow", "share", "score", "index", "lag", "rate", "count"]


class Week:
    """The model at one collection, with the intermediates several metrics share computed once.

    Build a fresh Week after every step: the cached values are those of the week it was built in.
    """

    def __init__(self, model: RegionModel) -> None:
        self.model = model

    @cached_property
    def weights(self) -> np.ndarray:
        """Staff per unit as float64: the weights of every staff-weighted mean."""
        return self.model.units.size.astype(np.float64)

    @cached_property
    def scale(self) -> np.float64:
        """Sum of the weights (the staff count, as float64)."""
        return self.weights.sum()

    @cached_property
    def weighted_maturity(self) -> np.ndarray:
        """(U, D) maturity times unit weight, shared by the maturity dimensions."""
        return self.model.units.maturity * self.weights[:, None]

    @cached_property
    def state_pairs(self) -> np.ndarray:
        """Unit-service pairs in each ServiceState, (len(ServiceState),)."""
        return np.bincount(self.model.units.service_state.ravel(), minlength=len(ServiceState))

    @cached_property
    def services_reaching(self) -> np.ndarray:
        """Services in each ServiceState in at least one unit, (len(ServiceState),)."""
        state = self.model.units.service_state
        if not state.size:
            return np.zeros(len(ServiceState), dtype=np.int64)
        present = np.zeros((len(ServiceState), state.shape[1]), dtype=bool)
        present[state, np.arange(state.shape[1])[None, :]] = True
        return present.sum(axis=1)

    @cached_property
    def service_users(self) -> np.ndarray:
        """Staff using each service, (S,): adoption_share and the per-service adoption columns."""
        return column_counts(self.model.staff.uses)

    @cached_property
    def arrived(self) -> np.ndarray:
        """(S,) True for services that have arrived."""
        return ~np.isnan(self.model.events.available)

    @cached_property
    def unit_adoption(self) -> np.ndarray:
        """(U, S) adoption shares: the model's end-of-week shares when it has them."""
        model = self.model
        adoption = getattr(model, "adoption_by_unit", None)
        return model.unit_adoption() if adoption is None else adoption

    @cached_property
    def live(self) -> np.ndarray:
        """(U, S) whether each service is implementing or routinised in each unit (live_by_unit)."""
        state = self.model.units.service_state
        return (state == ServiceState.IMPLEMENTING) | (state == ServiceState.ROUTINISED)

    @cached_property
    def live_adoption(self) -> np.ndarray:
        """(U,) each unit's adoption shares summed over the services live in it (adoption_share, per unit)."""
        return (self.unit_adoption * self.live).sum(axis=1)

    @cached_property
    def live_in_care(self) -> np.ndarray:
        """(care units, S) the rows of `live` for care units."""
        return self.live[self.model.care_units]

    @cached_property
    def live_in_care_by_dimension(self) -> np.ndarray:
        """(D,) live unit-services of care units per maturity dimension (integer counts as float64)."""
        model = self.model
        return np.bincount(model.dimension, weights=self.live_in_care.sum(axis=0), minlength=len(DIMENSIONS))

    @cached_property
    def n_care_units(self) -> int:
        """Care units (at least 1: the denominator of per-care-unit means)."""
        return max(int(self.model.care_units.sum()), 1)

    @cached_property
    def unit_knowhow(self) -> np.ndarray:
        """(U, D) the model's mean know-how per unit and dimension: its end-of-week values when it has them."""
        model = self.model
        knowhow = getattr(model, "knowhow_by_unit", None)
        return model.unit_knowhow() if knowhow is None else knowhow

    @cached_property
    def unit_code_scores(self) -> np.ndarray:
        """(U,) each unit's code x reality (int64)."""
        model = self.model
        return model.units.code.astype(np.int64) @ model.reality

    @cached_property
    def seizing_lag(self) -> float:
        """Mean weeks from arrival to first pilot ."""
        return mean_lag(self.model, "available", "first_pilot")

    @cached_property
    def transforming_lag(self) -> float:
        """Mean weeks from first pilot success to first scaling ."""
        return mean_lag(self.model, "first_success", "first_scaled")

    def staff_weighted(self, values: np.ndarray) -> float:
        """Mean over units of `values` weighted by unit size (float64 products, then one sum)."""
        return float(np.multiply(values, self.weights, dtype=np.float64).sum() / self.scale)


@dataclass(frozen=True)
class Metric:
    """One region-level outcome: one column of the region table."""

    name: str
    label: str
    unit: str
    kind: Kind
    compute: Callable[[Week], float]


@dataclass(frozen=True)
class UnitMetric:
    """One unit-level outcome: one column of the unit table, `compute` giving a (U,) array."""

    name: str
    label: str
    unit: str
    compute: Callable[[Week], np.ndarray]
    dtype: type[np.generic] = np.float64


def mean_of(values: np.ndarray) -> float:
    """values.mean() without numpy's Python wrapper around it: the same sum (pairwise, or exact counts of
    booleans and integers) divided by the size, so the same value."""
    return float(values.sum() / values.size)


def code_knowledge(source: Week | RegionModel) -> float:
    """Mean over units of (code x reality) / m (March 1991); validation calls it with the model itself."""
    if isinstance(source, Week):
        return float(mean_of(source.unit_code_scores) / source.model.reality.size)
    return float(np.mean(source.units.code.astype(np.int64) @ source.reality) / source.reality.size)


def belief_knowledge(week: Week) -> float:
    """Mean over staff of (beliefs x reality) / m."""
    model = week.model
    return float(total_score(model.staff.beliefs, model.reality) / model.staff.n / model.reality.size)


def sd_knowhow(week: Week) -> float:
    """Population standard deviation of know-how over staff and dimensions."""
    knowhow = week.model.staff.knowhow
    return float(knowhow.std()) if knowhow.size else 0.0


def maturity_dimension(d: int) -> Callable[[Week], float]:
    def compute(week: Week) -> float:
        return float(week.weighted_maturity[:, d].sum() / week.scale)

    compute.__name__ = f"maturity_{DIMENSIONS[d]}"
    return compute


def adoption_share(week: Week) -> float:
    """Share of staff using the services live in their own unit: users over staff-service pairs where the service
    is implementing or routinised in the person's unit (0 before any). Depth of use, so that taking up more
    services (services_live, the breadth) does not by itself lower it."""
    pairs = float(week.live.sum(axis=1) @ week.weights)
    if pairs <= 0:
        return 0.0
    return float(week.live_adoption @ week.weights / pairs)


def pairs_in(state: ServiceState) -> Callable[[Week], float]:
    def compute(week: Week) -> float:
        return float(week.state_pairs[state])

    compute.__name__ = f"n_{state.name.lower()}"
    return compute


def services_reaching(state: ServiceState) -> Callable[[Week], float]:
    def compute(week: Week) -> float:
        return float(week.services_reaching[state])

    compute.__name__ = f"n_services_{state.name.lower()}"
    return compute


def mean_lag(model: RegionModel, start: str, end: str) -> float:
    lags = getattr(model.events, end) - getattr(model.events, start)  # NaN unless both happened
    lags = lags[~np.isnan(lags)]
    return float(lags.sum() / lags.size) if lags.size else float("nan")


def sensing_accuracy(week: Week) -> float:
    return float(week.model.management.sensing_accuracy)


def reconfiguration_rate(week: Week) -> float:
    """Reconfigurations (units moved into implementation, champion moves) per unit per year."""
    model = week.model
    years = max(model.week, 1) / 52.0
    return model.n_reconfigured / model.units.n / years


def care_per_staff(week: Week) -> float:
    """Contacts delivered per staff-week (never more than is asked)."""
    return float(week.model.units.care.sum() / max(week.model.staff.n, 1))


def unmet_demand(week: Week) -> float:
    """Share of this week's asked care (new demand and the waiting list) not delivered."""
    u = week.model.units
    asked = float(u.care.sum() + u.unmet.sum())
    return float(u.unmet.sum()) / asked if asked > 0 else 0.0


def waiting_list(week: Week) -> float:
    """Patients on the waiting list per staff member."""
    return float(week.model.units.waiting.sum() / max(week.model.staff.n, 1))


def live_by_unit(week: Week) -> np.ndarray:
    """(U, S) whether each service is implementing or routinised in each unit (computed once a week)."""
    return week.live


def services_live(week: Week) -> float:
    """Services implementing or routinised per care unit, on average."""
    return float(week.live_in_care.sum() / week.n_care_units)


def services_live_in(d: int) -> Callable[[Week], float]:
    def compute(week: Week) -> float:
        return float(week.live_in_care_by_dimension[d] / week.n_care_units)

    compute.__name__ = f"services_live_{DIMENSIONS[d]}"
    return compute


def mandated_progress(week: Week) -> float:
    """Share of care units with a mandated service live, averaged over mandated services that have arrived."""
    model = week.model
    mandated = model.mandated & week.arrived
    if not mandated.any():
        return 0.0
    return mean_of(week.live_in_care[:, mandated])


def patient_uptake(week: Week) -> float:
    """Mean patient uptake of patient-facing services, over the unit-services that run them."""
    model = week.model
    running = (live_by_unit(week) | (model.units.service_state == ServiceState.PILOTING)) & model.patient_facing
    return mean_of(model.units.uptake[running]) if running.any() else 0.0


def pilots_failed_by(cause: Cause) -> Callable[[Week], float]:
    def compute(week: Week) -> float:
        return float(week.model.record.pilot_failures[cause])

    compute.__name__ = f"pilots_failed_{cause.name.lower()}"
    return compute


def abandoned_by(cause: Cause) -> Callable[[Week], float]:
    def compute(week: Week) -> float:
        return float(week.model.record.abandonments[cause])

    compute.__name__ = f"abandoned_{cause.name.lower()}"
    return compute


def weeks_to_half(week: Week) -> float:
    """Dynamic capability as a response time: mean weeks from a service's arrival to half the care units
    having it live, over the services that got there (NaN until one has)."""
    model = week.model
    lags = model.record.half_units - model.events.available
    lags = lags[~np.isnan(lags)]
    return mean_of(lags) if lags.size else float("nan")


def share_to_half(week: Week) -> float:
    """Share of arrived services that half the care units have had live."""
    arrived = week.arrived
    if not arrived.any():
        return 0.0
    return mean_of(~np.isnan(week.model.record.half_units[arrived]))


REGION_METRICS: tuple[Metric, ...] = (
    Metric("code_knowledge", "Code knowledge (March)", "score -1..1", "score", code_knowledge),
    Metric("belief_knowledge", "Mean belief knowledge", "score -1..1", "score", belief_knowledge),
    Metric("mean_knowhow", "Digital know-how, mean", "0..1", "score",
           lambda w: mean_of(w.model.staff.knowhow)),
    Metric("sd_knowhow", "Digital know-how, spread", "sd", "score", sd_knowhow),
    *(Metric(f"maturity_{d}", f"Maturity: {d.replace('_', ' ')}", "0..100", "score", maturity_dimension(i))
      for i, d in enumerate(DIMENSIONS)),
    Metric("maturity_total", "Digital maturity score", "0..400", "score",
           lambda w: w.staff_weighted(w.model.units.maturity.sum(axis=1))),
    Metric("mean_stage", "Digital maturity stage, mean", "stage 0..7", "score",
           lambda w: w.staff_weighted(w.model.units.stage)),
    Metric("adoption_share", "Adoption share (services live in the unit)", "share", "share", adoption_share),
    Metric("services_live", "Services live per care unit", "services", "stock", services_live),
    *(Metric(f"services_live_{d}", f"Services live per care unit: {d.replace('_', ' ')}", "services", "stock",
             services_live_in(i)) for i, d in enumerate(DIMENSIONS)),
    Metric("mandated_progress", "Mandated services: share of care units live", "share", "share", mandated_progress),
    Metric("patient_uptake", "Patient uptake of patient-facing services", "share", "share", patient_uptake),
    *(Metric(f"n_{s.name.lower()}", f"Unit-services {s.name.lower()}", "pairs", "stock", pairs_in(s))
      for s in ServiceState),
    *(Metric(f"n_services_{s.name.lower()}", f"Services {s.name.lower()} somewhere", "services", "stock",
             services_reaching(s)) for s in (ServiceState.PILOTING, ServiceState.IMPLEMENTING,
                                             ServiceState.ROUTINISED, ServiceState.ABANDONED)),
    Metric("pilots_started", "Pilots started (cumulative)", "pilots", "count",
           lambda w: float(w.model.record.attempts.sum())),
    Metric("repilots", "Re-pilots of failed services (cumulative)", "pilots", "count",
           lambda w: float(w.model.record.repilots)),
    Metric("pilots_failed", "Pilots failed (cumulative)", "pilots", "count",
           lambda w: float(w.model.record.pilot_failures.sum())),
    *(Metric(f"pilots_failed_{c.name.lower()}", f"Pilots failed: {c.name.lower().replace('_', ' ')}", "pilots",
             "count", pilots_failed_by(c)) for c in Cause),
    *(Metric(f"abandoned_{c.name.lower()}", f"Services abandoned by units: {c.name.lower().replace('_', ' ')}",
             "unit-services", "count", abandoned_by(c)) for c in Cause),
    Metric("weeks_to_routinised", "Weeks from arrival to routinised", "weeks", "lag",
           lambda w: mean_lag(w.model, "available", "first_routinised")),
    Metric("sensing_accuracy", "Sensing accuracy", "0..1", "score", sensing_accuracy),
    Metric("seizing_lag", "Seizing lag (arrival to pilot)", "weeks", "lag", lambda w: w.seizing_lag),
    Metric("transforming_lag", "Transforming lag (pilot success to scaling)", "weeks", "lag",
           lambda w: w.transforming_lag),
    Metric("dc_weeks_to_half", "Response: weeks from arrival to half the care units live", "weeks", "lag",
           weeks_to_half),
    Metric("dc_share_to_half", "Services that reached half the care units", "share", "share", share_to_half),
    Metric("dc_shock_response", "Response: weeks from a shock to 1.2x remote share", "weeks", "lag",
           lambda w: float(w.model.shock_response_week)),
    Metric("reconfiguration_rate", "Reconfiguration rate", "per unit-year", "rate", reconfiguration_rate),
    Metric("care_production", "Care delivered", "contacts per staff-week", "flow", care_per_staff),
    Metric("unmet_demand", "Unmet share of asked care", "share", "share", unmet_demand),
    Metric("waiting_list", "Waiting list", "patients per staff", "stock", waiting_list),
    Metric("remote_share", "Remote share of contacts", "share", "share", lambda w: w.model.region_remote_share()),
    Metric("exploration_share", "Exploration share of working time", "share", "share",
           lambda w: w.staff_weighted(w.model.units.explore_share)),
    Metric("exploration_target", "Planned exploration share (budget x schedule)", "share", "share",
           lambda w: float(w.model.target_share)),
    Metric("workload", "Workload (asked / capacity)", "ratio", "score",
           lambda w: w.staff_weighted(w.model.units.workload)),
    Metric("new_leavers", "Staff leaving (turnover)", "people per week", "flow",
           lambda w: float(np.count_nonzero(w.model.staff.left))),
    Metric("new_adopters", "New service adoptions", "per week", "flow", lambda w: float(w.model.new_adopters)),
    Metric("new_discontinued", "Service discontinuations", "per week", "flow",
           lambda w: float(w.model.new_discontinued)),
    Metric("new_trained", "Staff trained", "people per week", "flow",
           lambda w: float(np.count_nonzero(w.model.staff.trained))),
)

REGISTRY: dict[str, Metric] = {m.name: m for m in REGION_METRICS}


def unit_maturity(d: int) -> Callable[[Week], np.ndarray]:
    def compute(week: Week) -> np.ndarray:
        return week.model.units.maturity[:, d]

    compute.__name__ = f"unit_maturity_{DIMENSIONS[d]}"
    return compute


def unit_adoption_share(week: Week) -> np.ndarray:
    """Each unit's mean adoption share over the services live in it (0 where none is)."""
    n_live = week.live.sum(axis=1)
    return np.where(n_live > 0, week.live_adoption / np.maximum(n_live, 1), 0.0)


def new_implementing(week: Week) -> np.ndarray:
    """Services each unit entered IMPLEMENTING in this week (its go-lives: the start of the productivity dip
    of Fleming et al. 2014, pattern P6)."""
    units = week.model.units
    started = (units.service_state == ServiceState.IMPLEMENTING) & (units.service_since == week.model.week)
    return started.sum(axis=1)


UNIT_METRICS: tuple[UnitMetric, ...] = (
    UnitMetric("exploration_share", "Exploration share", "share", lambda w: w.model.units.explore_share),
    UnitMetric("care_production", "Care delivered", "contacts per staff-week",
               lambda w: w.model.units.care / np.maximum(w.model.units.size, 1)),
    UnitMetric("workload", "Workload", "ratio", lambda w: w.model.units.workload),
    UnitMetric("mean_knowhow", "Digital know-how, mean", "0..1", lambda w: w.unit_knowhow.mean(axis=1)),
    UnitMetric("waiting_list", "Waiting list", "patients per staff",
               lambda w: w.model.units.waiting / np.maximum(w.model.units.size, 1)),
    UnitMetric("remote_share", "Remote share of contacts", "share", lambda w: w.model.units.remote_share),
    UnitMetric("code_knowledge", "Code knowledge", "score -1..1",
               lambda w: w.unit_code_scores / w.model.reality.size),
    *(UnitMetric(f"maturity_{d}", f"Maturity: {d.replace('_', ' ')}", "0..100", unit_maturity(i))
      for i, d in enumerate(DIMENSIONS)),
    UnitMetric("maturity_total", "Digital maturity score", "0..400", lambda w: w.model.units.maturity.sum(axis=1)),
    UnitMetric("stage", "Digital maturity stage", "stage 0..7", lambda w: w.model.units.stage, np.int8),
    UnitMetric("adoption_share", "Adoption share", "share", unit_adoption_share),
    UnitMetric("n_routinised", "Services routinised", "services",
               lambda w: (w.model.units.service_state == ServiceState.ROUTINISED).sum(axis=1), np.int16),
    UnitMetric("new_implementing", "Services the unit started implementing this week", "services",
               new_implementing, np.int16),
)
