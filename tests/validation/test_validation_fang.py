"""Small versions of the V6 check (docs/validation.md, Fang, Lee & Schilling 2010) through the full model.

Sizes and power, from the full-size runs (500 per point): at rest the best moderate share (0.05) beats full
mixing (0.9) by 0.0155 with a paired run-to-run sd of 0.041, so 250 runs give a 95% half-interval of 0.005
and the check fails with a chance below 1 in 10,000; with turbulence the gap is 0.045 (sd 0.056), so 60
runs give a half-interval of 0.015 (a failure chance below 1 in 10,000 as well); with turnover the gap is
0.0116 (sd 0.036), which would need about 250 runs per point, so that row is asserted at full size only
(`abm validate`) and here only the gap to isolation (0.54, sd 0.03), which 40 runs resolve.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from abm.core.mechanisms.contacts import at_rest
from abm.core.metrics import Week, belief_knowledge
from abm.core.model import RegionModel
from abm.validation.fang import fang2010_knowledge, fang_params, fang_runs, full_mixing
from abm.validation.fang_checks import check_fang
from abm.validation.parallel import Runner, run_seeds
from abm.validation.scenarios import scenario_params, vary
from abm.validation.table import COLUMNS


@pytest.fixture(scope="module")
def runner():
    with Runner(workers=2) as r:
        yield r


def assert_passed(table: pd.DataFrame) -> None:
    assert list(table.columns) == list(COLUMNS)
    failed = table[~table["passed"]]
    assert failed.empty, "\n" + failed.to_string()


@pytest.mark.slow
def test_moderate_linking_beats_isolation_and_full_mixing_at_rest(runner):
    """250 runs at cross shares 0, 0.05 and full mixing (see the module docstring for the power)."""
    table = check_fang(runs=250, grid=(0.0, 0.05), conditions=("rest",), runner=runner)
    assert_passed(table)
    assert set(table["check"]) == {"fang_rest_beats_isolation", "fang_rest_beats_full_mixing", "fang_rest_reached"}
    curve = table.attrs["curves"].set_index("cross_share")["knowledge"]
    assert list(curve.index) == [0.0, 0.05, full_mixing()] and curve.idxmax() == 0.05


@pytest.mark.slow
def test_moderate_linking_beats_isolation_and_full_mixing_with_turbulence(runner):
    """60 runs at 0, 0.05 and full mixing, p4 = 0.002, mean of weeks 101-150 (power: module docstring)."""
    table = check_fang(runs=60, robust_grid=(0.0, 0.05), conditions=("turbulence",), runner=runner)
    assert_passed(table)
    assert len(table) == 2 and "mean of weeks 101-150" in table["parameters"].iloc[0]


@pytest.mark.slow
def test_moderate_linking_beats_isolation_with_turnover(runner):
    """40 runs at 0, 0.05 and full mixing, p3 = 0.002; only the isolation row is asserted here."""
    table = check_fang(runs=40, robust_grid=(0.0, 0.05), conditions=("turnover",), runner=runner)
    assert list(table["check"]) == ["fang_turnover_beats_isolation", "fang_turnover_beats_full_mixing"]
    assert_passed(table.iloc[:1])


def test_fang_runs_are_identical_whatever_the_number_of_workers(runner):
    params = fang_params(0.05)
    serial = fang_runs(params, 12, seed=3)
    parallel = fang_runs(params, 12, seed=3, runner=runner)
    np.testing.assert_array_equal(serial.knowledge, parallel.knowledge)
    np.testing.assert_array_equal(serial.weeks, parallel.weeks)
    assert not np.array_equal(serial.knowledge, fang_runs(params, 12, seed=4).knowledge)


def test_a_run_to_rest_stops_where_no_belief_can_change():
    """The week a run reports is the first at which contacts.at_rest holds, and nothing changes after."""
    params = fang_params(0.05)
    runs = fang_runs(params, 1, seed=5)
    model = RegionModel(dataclasses.replace(params, seed=run_seeds(5, 1)[0]), collect=False)
    for _ in range(int(runs.weeks[0])):
        assert not at_rest(model.staff.beliefs, model.network, model.reality)
        model.step()
    assert at_rest(model.staff.beliefs, model.network, model.reality)
    assert belief_knowledge(Week(model)) == runs.knowledge[0]
    before = model.staff.beliefs.copy()
    for _ in range(20):
        model.step()
    np.testing.assert_array_equal(model.staff.beliefs, before)


def test_fang2010_learns_only_from_contacts():
    """No code, socialisation, know-how, services, management or exploration: the units' codes stay 0 and
    the beliefs still move; with p_learn_contacts = 0 nothing moves at all."""
    p = scenario_params("fang2010")
    assert (p.organisation.n_units, p.organisation.n_staff, p.organisation.n_dims) == (10, 200, 100)
    assert not (p.scenario.services or p.scenario.management or p.scenario.knowhow)
    assert p.practice.name == "networked" and p.practice.budget == 0
    assert p.learning.p_socialise == 0 and p.learning.p_code_learning == 0
    assert full_mixing(p) == pytest.approx(0.9)
    model = RegionModel(p, collect=False)
    start = model.staff.beliefs.copy()
    for _ in range(5):
        model.step()
    assert (model.units.code == 0).all() and (model.staff.beliefs != start).any()
    assert (model.units.explore_share == 0).all()
    frozen = RegionModel(vary(p, learning={"p_learn_contacts": 0.0}), collect=False)
    start = frozen.staff.beliefs.copy()
    for _ in range(5):
        frozen.step()
    np.testing.assert_array_equal(frozen.staff.beliefs, start)


def test_fang_knowledge_function_and_its_arguments():
    assert 0.9 < fang2010_knowledge(0.05, runs=4) <= 1.0
    assert fang2010_knowledge(0.0, runs=4) < 0.6
    with pytest.raises(Exception, match="weeks"):
        fang2010_knowledge(0.05, p3=0.01, runs=2)
    assert 0.0 < fang2010_knowledge(0.05, p4=0.002, weeks=60, runs=2) < 1.0
