"""The metrics registry: every outcome defined once (name, label, unit, kind) and reused by data
collection, plots and comparison tables. Names follow Starsim: `n_` stocks, `new_` flows, `cum_` totals."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from abm.core.aggregate import column_counts, total_score
from abm.core.params import DIMENSIONS
from abm.core.state import ServiceState

if TYPE_CHECKING:
    from abm.core.model import RegionModel

Kind = Literal["stock", "flow", "share", "score", "index", "lag", "rate", "count"]
LAG_SCALE = 26.0  # weeks: a lag of this size scores 0.5 in the dynamic-capability index


@dataclass(frozen=True)
class Metric:
    name: str
    label: str
    unit: str
    kind: Kind
    compute: Callable[[RegionModel], float | np.ndarray]
    level: Literal["region", "unit"] = "region"


def code_knowledge(model: RegionModel) -> float:
    """Mean over units of (code x reality) / m (March 1991)."""
    return float(np.mean(model.units.code.astype(np.int64) @ model.reality) / model.reality.size)


def belief_knowledge(model: RegionModel) -> float:
    """Mean over staff of (beliefs x reality) / m."""
    return float(total_score(model.staff.beliefs, model.reality) / model.staff.n / model.reality.size)


def mean_knowhow(model: RegionModel) -> float:
    return float(model.staff.knowhow.mean())


def sd_knowhow(model: RegionModel) -> float:
    """Population standard deviation of know-how."""
    deviation = model.staff.knowhow - model.staff.knowhow.mean()
    return float(np.sqrt(deviation @ deviation / deviation.size))


def staff_weighted(values: np.ndarray, model: RegionModel) -> float:
    return float(np.average(values, weights=model.units.size))


def maturity_dimension(d: int) -> Callable[[RegionModel], float]:
    def compute(model: RegionModel) -> float:
        return staff_weighted(model.units.maturity[:, d], model)

    compute.__name__ = f"maturity_{DIMENSIONS[d]}"
    return compute


def maturity_total(model: RegionModel) -> float:
    return staff_weighted(model.units.maturity.sum(axis=1), model)


def mean_stage(model: RegionModel) -> float:
    return staff_weighted(model.units.stage.astype(np.float64), model)


def adoption_share(model: RegionModel) -> float:
    """Share of staff using a service, averaged over services that have arrived."""
    arrived = ~np.isnan(model.events.available)
    if not arrived.any():
        return 0.0
    return float(model.staff.uses[:, arrived].mean())


def pairs_in(state: ServiceState) -> Callable[[RegionModel], float]:
    def compute(model: RegionModel) -> float:
        return float((model.units.service_state == state).sum())

    compute.__name__ = f"n_{state.name.lower()}"
    return compute


def services_reaching(state: ServiceState) -> Callable[[RegionModel], float]:
    def compute(model: RegionModel) -> float:
        return float((model.units.service_state == state).any(axis=0).sum())

    compute.__name__ = f"n_services_{state.name.lower()}"
    return compute


def mean_lag(model: RegionModel, start: str, end: str) -> float:
    lags = getattr(model.events, end) - getattr(model.events, start)  # NaN unless both happened
    lags = lags[~np.isnan(lags)]
    return float(lags.sum() / lags.size) if lags.size else float("nan")


def weeks_to_routinised(model: RegionModel) -> float:
    return mean_lag(model, "available", "first_routinised")


def seizing_lag(model: RegionModel) -> float:
    return mean_lag(model, "available", "first_pilot")


def transforming_lag(model: RegionModel) -> float:
    return mean_lag(model, "first_success", "first_scaled")


def sensing_accuracy(model: RegionModel) -> float:
    return float(model.management.sensing_accuracy)


def reconfiguration_rate(model: RegionModel) -> float:
    """Reconfigurations (units moved into implementation, champion moves) per unit per year."""
    years = max(model.week, 1) / 52.0
    return model.n_reconfigured / model.units.n / years


def lag_score(lag: float) -> float:
    return 0.0 if np.isnan(lag) else LAG_SCALE / (LAG_SCALE + lag)


def dc_index(model: RegionModel) -> float:
    """Composite dynamic capability in [0, 1]: mean of sensing, seizing, transforming and reconfiguring scores."""
    return dc_from(sensing_accuracy(model), seizing_lag(model), transforming_lag(model), reconfiguration_rate(model))


def dc_from(accuracy: float, seizing: float, transforming: float, reconfiguration: float) -> float:
    """The dynamic-capability index from its four parts (shared by dc_index and the fast path)."""
    accuracy = 0.0 if np.isnan(accuracy) else accuracy
    return (accuracy + lag_score(seizing) + lag_score(transforming) + min(1.0, reconfiguration)) / 4.0


def care_production(model: RegionModel) -> float:
    """Care units delivered per staff member this week."""
    return float(model.staff.care.mean())


def exploration_share(model: RegionModel) -> float:
    return staff_weighted(model.units.explore_share, model)


def workload(model: RegionModel) -> float:
    return staff_weighted(model.units.workload, model)


def new_leavers(model: RegionModel) -> float:
    return float(np.count_nonzero(model.staff.left))


def new_adopters(model: RegionModel) -> float:
    return float(model.new_adopters)


def new_discontinued(model: RegionModel) -> float:
    return float(model.new_discontinued)


def new_trained(model: RegionModel) -> float:
    return float(np.count_nonzero(model.staff.trained))


REGION_METRICS: tuple[Metric, ...] = (
    Metric("code_knowledge", "Code knowledge (March)", "score -1..1", "score", code_knowledge),
    Metric("belief_knowledge", "Mean belief knowledge", "score -1..1", "score", belief_knowledge),
    Metric("mean_knowhow", "Digital know-how, mean", "0..1", "score", mean_knowhow),
    Metric("sd_knowhow", "Digital know-how, spread", "sd", "score", sd_knowhow),
    *(Metric(f"maturity_{d}", f"Maturity: {d.replace('_', ' ')}", "0..100", "score", maturity_dimension(i))
      for i, d in enumerate(DIMENSIONS)),
    Metric("maturity_total", "Digital maturity score", "0..400", "score", maturity_total),
    Metric("mean_stage", "Digital maturity stage, mean", "stage 0..7", "score", mean_stage),
    Metric("adoption_share", "Adoption share (arrived services)", "share", "share", adoption_share),
    *(Metric(f"n_{s.name.lower()}", f"Unit-services {s.name.lower()}", "pairs", "stock", pairs_in(s))
      for s in ServiceState),
    *(Metric(f"n_services_{s.name.lower()}", f"Services {s.name.lower()} somewhere", "services", "stock",
             services_reaching(s)) for s in (ServiceState.PILOTING, ServiceState.IMPLEMENTING,
                                             ServiceState.ROUTINISED, ServiceState.ABANDONED)),
    Metric("weeks_to_routinised", "Weeks from arrival to routinised", "weeks", "lag", weeks_to_routinised),
    Metric("sensing_accuracy", "Sensing accuracy", "0..1", "score", sensing_accuracy),
    Metric("seizing_lag", "Seizing lag (arrival to pilot)", "weeks", "lag", seizing_lag),
    Metric("transforming_lag", "Transforming lag (pilot success to scaling)", "weeks", "lag", transforming_lag),
    Metric("reconfiguration_rate", "Reconfiguration rate", "per unit-year", "rate", reconfiguration_rate),
    Metric("dc_index", "Dynamic capability index", "0..1", "index", dc_index),
    Metric("care_production", "Care production", "care units per staff-week", "flow", care_production),
    Metric("exploration_share", "Exploration share of working time", "share", "share", exploration_share),
    Metric("workload", "Workload (demand / capacity)", "ratio", "score", workload),
    Metric("new_leavers", "Staff leaving (turnover)", "people per week", "flow", new_leavers),
    Metric("new_adopters", "New service adoptions", "per week", "flow", new_adopters),
    Metric("new_discontinued", "Service discontinuations", "per week", "flow", new_discontinued),
    Metric("new_trained", "Staff trained", "people per week", "flow", new_trained),
)

UNIT_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("exploration_share", "Exploration share", "share"),
    ("care_production", "Care production", "care units per staff-week"),
    ("workload", "Workload", "ratio"),
    ("mean_knowhow", "Digital know-how, mean", "0..1"),
    ("code_knowledge", "Code knowledge", "score -1..1"),
    *((f"maturity_{d}", f"Maturity: {d.replace('_', ' ')}", "0..100") for d in DIMENSIONS),
    ("maturity_total", "Digital maturity score", "0..400"),
    ("stage", "Digital maturity stage", "stage 0..7"),
    ("adoption_share", "Adoption share", "share"),
    ("n_routinised", "Services routinised", "services"),
)

REGISTRY: dict[str, Metric] = {m.name: m for m in REGION_METRICS}


def unit_values(model: RegionModel, adoption: np.ndarray | None = None, out: np.ndarray | None = None) -> np.ndarray:
    """(U, len(UNIT_COLUMNS)) unit-level values this week (`adoption`: this week's unit_adoption, if
    known), written into `out` if given."""
    u, m = model.units, model.reality.size
    adoption = model.unit_adoption() if adoption is None else adoption
    columns = (
        u.explore_share,
        u.care / np.maximum(u.size, 1),
        u.workload,
        model.unit_mean(model.staff.knowhow),
        (u.code.astype(np.int64) @ model.reality) / m,
        *u.maturity.T,
        u.maturity.sum(axis=1),
        u.stage,
        adoption.mean(axis=1) if adoption.shape[1] else 0.0,
        (u.service_state == ServiceState.ROUTINISED).sum(axis=1),
    )
    out = np.empty((u.n, len(UNIT_COLUMNS))) if out is None else out
    assert len(columns) == len(UNIT_COLUMNS)
    for j, values in enumerate(columns):
        out[:, j] = values
    return out


def fast_values(model: RegionModel) -> dict[str, float]:
    """The costly region metrics computed together from shared intermediates (one pass over staff).

    Each value equals its Metric.compute exactly (tests/core/test_perf_golden.py checks it); metrics not
    listed here are computed by their own functions, so new metrics need no change here.
    """
    u = model.units
    out: dict[str, float] = {}
    weights = u.size.astype(np.float64)
    scale = weights.sum()
    maturity = u.maturity * weights[:, None]
    for d, name in enumerate(DIMENSIONS):
        out[f"maturity_{name}"] = float(maturity[:, d].sum() / scale)
    for name, values in (("maturity_total", u.maturity.sum(axis=1)), ("mean_stage", u.stage),
                         ("exploration_share", u.explore_share), ("workload", u.workload)):
        out[name] = float(np.multiply(values, weights, dtype=np.float64).sum() / scale)
    parts = {"sensing_accuracy": sensing_accuracy(model), "seizing_lag": seizing_lag(model),
             "transforming_lag": transforming_lag(model), "reconfiguration_rate": reconfiguration_rate(model)}
    out.update(parts)
    out["dc_index"] = dc_from(*parts.values())
    state_pairs = np.bincount(u.service_state.ravel(), minlength=len(ServiceState))
    reaching = np.zeros(len(ServiceState), dtype=np.int64)
    if u.service_state.size:
        present = np.zeros((len(ServiceState), u.service_state.shape[1]), dtype=bool)
        present[u.service_state, np.arange(u.service_state.shape[1])[None, :]] = True
        reaching = present.sum(axis=1)
    for state, pairs_name, services_name in _STATE_METRIC_NAMES:
        out[pairs_name] = float(state_pairs[state])
        out[services_name] = float(reaching[state])
    return out


_STATE_METRIC_NAMES = tuple((s, f"n_{s.name.lower()}", f"n_services_{s.name.lower()}") for s in ServiceState)


def service_counts(model: RegionModel) -> np.ndarray:
    """Users of each service, (S,)."""
    return column_counts(model.staff.uses)


class Collector:
    """Collects every registered metric each week into preallocated arrays."""

    def __init__(self, model: RegionModel) -> None:
        self.model = model
        rows = model.params.weeks + 1
        self.service_names = list(model.catalogue_names)
        self.region = np.full((rows, len(REGION_METRICS) + len(self.service_names)), np.nan)
        self.units = np.full((rows, model.units.n, len(UNIT_COLUMNS)), np.nan)
        self.weeks = np.zeros(rows, dtype=np.int64)
        self.rows = 0

    def collect(self) -> None:
        model, i = self.model, self.rows
        if i >= self.weeks.size:
            raise RuntimeError("the run went past its horizon (params.weeks)")
        self.weeks[i] = model.week
        fast = fast_values(model)
        counts = service_counts(model)
        arrived = ~np.isnan(model.events.available)
        fast["adoption_share"] = float(counts[arrived].sum() / (model.staff.n * arrived.sum())) if arrived.any() else 0.0
        row = self.region[i]
        for j, metric in enumerate(REGION_METRICS):
            row[j] = fast[metric.name] if metric.name in fast else metric.compute(model)
        if self.service_names:
            row[len(REGION_METRICS):] = counts / model.staff.n
        unit_values(model, getattr(model, "adoption_by_unit", None), out=self.units[i])
        self.rows += 1

    def region_frame(self) -> pd.DataFrame:
        """Tidy region table: one row per week, one column per metric (`adoption__<service>` per service)."""
        cols = [m.name for m in REGION_METRICS] + [f"adoption__{s}" for s in self.service_names]
        df = pd.DataFrame(self.region[: self.rows], columns=cols)
        df.insert(0, "week", self.weeks[: self.rows])
        return df

    def unit_frame(self) -> pd.DataFrame:
        """Tidy unit table: one row per unit and week."""
        U = self.model.units.n
        data = self.units[: self.rows].reshape(-1, len(UNIT_COLUMNS))
        df = pd.DataFrame(data, columns=[c[0] for c in UNIT_COLUMNS])
        df["stage"] = df["stage"].astype(np.int8)
        df["n_routinised"] = df["n_routinised"].astype(np.int16)
        df.insert(0, "unit", np.tile(np.arange(U, dtype=np.int32), self.rows))
        df.insert(0, "week", np.repeat(self.weeks[: self.rows], U))
        df.insert(2, "kind", pd.Categorical.from_codes(
            np.tile(self.model.units.kind, self.rows), ["primary_care", "ward", "specialist", "innovation"]))
        df.insert(3, "n_staff", np.tile(self.model.units.size, self.rows).astype(np.int32))
        return df
