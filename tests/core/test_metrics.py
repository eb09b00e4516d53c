"""What is registered is what runs: every collected column comes from its registered compute.

The collector must call each Metric / UnitMetric compute (no fast path beside the registry), the shared
intermediates of a Week must equal their direct definitions, and the unit table must follow the unit
registry by name.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from abm.api import compose
from abm.core import metrics
from abm.core.collector import Collector
from abm.core.metrics import REGION_METRICS, UNIT_METRICS, Week, code_knowledge
from abm.core.model import RegionModel
from abm.core.state import ServiceState

CONFIGS = [
    ["organisation=small", "practice=exploit_only"],
    ["organisation=small", "practice=structural"],
    ["organisation=small", "practice=adaptive", "environment=pandemic_shock"],
]
CHECK_WEEKS = (1, 13, 52, 104)
UNIT_TABLE = ["week", "unit", "kind", "n_staff", "exploration_share", "care_production", "workload",
              "mean_knowhow", "waiting_list", "remote_share", "code_knowledge", "maturity_governance_workforce",
              "maturity_interoperability", "maturity_person_enabled", "maturity_predictive_analytics",
              "maturity_total", "stage", "adoption_share", "n_routinised", "new_implementing"]


def model_for(overrides: list[str], weeks: int = 104) -> RegionModel:
    return RegionModel(compose([*overrides, f"weeks={weeks}"]))


def weeks_of(model: RegionModel, weeks: tuple[int, ...] = CHECK_WEEKS):
    """Step `model` and yield it at week 0 and at each week in `weeks`."""
    yield model
    while model.week < max(weeks):
        model.step()
        if model.week in weeks:
            yield model


@pytest.mark.parametrize("overrides", CONFIGS, ids=lambda o: "+".join(v.split("=")[1] for v in o))
def test_every_collected_column_equals_its_registered_compute(overrides: list[str]) -> None:
    for model in weeks_of(model_for(overrides)):
        collector = model.collector
        row, block = collector.region[collector.rows - 1], collector.units[collector.rows - 1]
        week = Week(model)  # a fresh view, built independently of the collector's
        for j, metric in enumerate(REGION_METRICS):
            want = metric.compute(week)
            assert np.array_equal(row[j], want, equal_nan=True), (model.week, metric.name, row[j], want)
        for j, unit_metric in enumerate(UNIT_METRICS):
            want = np.broadcast_to(unit_metric.compute(week), block[:, j].shape)
            assert np.array_equal(block[:, j], want, equal_nan=True), (model.week, unit_metric.name)
        n, services = len(REGION_METRICS), model.staff.uses.shape[1]
        assert np.array_equal(row[n:n + services], model.staff.uses.mean(axis=0))
        live = np.isin(model.units.service_state, (ServiceState.IMPLEMENTING, ServiceState.ROUTINISED))
        assert np.array_equal(row[n + services:], live[model.care_units].mean(axis=0))  # live__<service>


@pytest.mark.parametrize("overrides", CONFIGS[1:], ids=["structural", "adaptive+pandemic_shock"])
def test_week_intermediates_equal_their_direct_definitions(overrides: list[str]) -> None:
    """The cached intermediates and the fast expressions mean what the metric names say."""
    seen_pilots = False
    for model in weeks_of(model_for(overrides)):
        week, u, s = Week(model), model.units, model.staff
        for state in ServiceState:
            assert week.state_pairs[state] == np.count_nonzero(u.service_state == state)
            assert week.services_reaching[state] == (u.service_state == state).any(axis=0).sum()
        assert np.array_equal(week.service_users, s.uses.sum(axis=0))
        seen_pilots |= week.services_reaching[ServiceState.PILOTING] > 0
        by_name = {m.name: m.compute(week) for m in REGION_METRICS}
        weighted = {"maturity_total": u.maturity.sum(axis=1), "mean_stage": u.stage,
                    "exploration_share": u.explore_share, "workload": u.workload,
                    **{f"maturity_{d}": u.maturity[:, i] for i, d in enumerate(metrics.DIMENSIONS)}}
        for name, values in weighted.items():
            assert by_name[name] == pytest.approx(np.average(values, weights=u.size), rel=1e-12), name
        live = (u.service_state == ServiceState.IMPLEMENTING) | (u.service_state == ServiceState.ROUTINISED)
        live_for_person = live[s.unit]  # (n, S): the service is live in the person's unit
        share = s.uses[live_for_person].mean() if live_for_person.any() else 0.0
        assert by_name["adoption_share"] == pytest.approx(share, rel=1e-12)
        adoption = model.unit_adoption()
        unit_share = [adoption[j, live[j]].mean() if live[j].any() else 0.0 for j in range(u.n)]
        assert np.allclose(metrics.unit_adoption_share(week), unit_share, rtol=1e-12)
        assert by_name["n_routinised"] == np.count_nonzero(u.service_state == ServiceState.ROUTINISED)
        assert code_knowledge(model) == by_name["code_knowledge"]  # validation passes the model itself
    assert seen_pilots, "the run never piloted a service: the state counts were not exercised"


def test_a_patched_registry_entry_changes_its_column(monkeypatch: pytest.MonkeyPatch) -> None:
    """Editing one definition edits its column, and only that column."""
    base = model_for(CONFIGS[1], weeks=30)
    base.run()
    before = base.collector.region_frame()
    original = metrics.REGISTRY["maturity_total"].compute
    patched = tuple(dataclasses.replace(m, compute=lambda w: 2.0 * original(w) + 1.0)
                    if m.name == "maturity_total" else m for m in REGION_METRICS)
    monkeypatch.setattr(metrics, "REGION_METRICS", patched)
    model = model_for(CONFIGS[1], weeks=30)
    model.run()
    after = model.collector.region_frame()
    assert np.array_equal(after["maturity_total"], 2.0 * before["maturity_total"] + 1.0)
    rest = [c for c in before.columns if c != "maturity_total"]
    pd.testing.assert_frame_equal(after[rest], before[rest])


def test_no_region_column_bypasses_the_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """With every compute replaced by a constant, every column shows its constant: nothing else writes."""
    patched = tuple(dataclasses.replace(m, compute=lambda w, k=k: float(k) + 0.5)
                    for k, m in enumerate(REGION_METRICS))
    monkeypatch.setattr(metrics, "REGION_METRICS", patched)
    model = model_for(CONFIGS[2], weeks=10)
    model.run()
    frame = model.collector.region_frame()
    for k, m in enumerate(REGION_METRICS):
        assert (frame[m.name] == k + 0.5).all(), m.name


def test_unit_table_has_its_columns_dtypes_and_kinds() -> None:
    model = model_for(["organisation=default"], weeks=5)
    model.run()
    frame = model.collector.unit_frame()
    assert list(frame.columns) == UNIT_TABLE
    ints = ("stage", "n_routinised", "new_implementing")
    assert {c: str(frame[c].dtype) for c in ("week", "unit", "n_staff", *ints, "kind")} == {
        "week": "int64", "unit": "int32", "n_staff": "int32", "stage": "int8", "n_routinised": "int16",
        "new_implementing": "int16", "kind": "category"}
    assert all(frame[c].dtype == np.float64 for c in UNIT_TABLE[4:] if c not in ints)
    assert list(frame["kind"].cat.categories) == ["primary_care", "ward", "specialist", "innovation"]
    assert np.array_equal(frame["kind"].cat.codes[: model.units.n], model.units.kind)
    assert set(frame["kind"]) >= {"primary_care", "ward"}  # the default organisation has several kinds


def test_unit_table_follows_the_unit_registry_by_name() -> None:
    """Reordered and renamed unit metrics: each column keeps its metric's values, under its name."""
    model = model_for(["organisation=small"], weeks=20)
    model.run()
    base = model.collector.unit_frame()
    renamed = tuple(dataclasses.replace(m, name="load") if m.name == "workload" else m
                    for m in reversed(UNIT_METRICS))
    other = Collector(model, unit_metrics=renamed)
    other.collect()  # this week only
    frame, last = other.unit_frame(), base[base["week"] == model.week].reset_index(drop=True)
    names = [m.name for m in renamed]
    assert list(frame.columns) == ["week", "unit", "kind", "n_staff", *names]
    for m in renamed:
        want = last["workload" if m.name == "load" else m.name]
        assert frame[m.name].dtype == want.dtype, m.name
        assert np.array_equal(frame[m.name], want), m.name
    pd.testing.assert_frame_equal(frame[["week", "unit", "kind", "n_staff"]], last[["week", "unit", "kind", "n_staff"]])
