"""The whole weekly process: invariants on every step, practice patterns, the exploration trade-off,
common random numbers, and Mesa agents as handles onto the arrays."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from abm.core.agents import Management, Staff, Unit, UnitManager
from abm.core.model import RegionModel
from abm.core.params import (
    DIMENSIONS,
    PRACTICES,
    EnvironmentParams,
    LearningParams,
    ModelParams,
    PracticeParams,
)
from abm.core.state import UnitKind
from tests.helpers.support import run_checked, small_params


@pytest.mark.parametrize("practice", PRACTICES)
def test_invariants_hold_on_every_step_under_every_practice(practice):
    run_checked(small_params(practice, weeks=80))


@pytest.mark.parametrize(
    "environment",
    [
        EnvironmentParams(name="turbulent", p_turbulence=0.02, demand_growth=0.05),
        EnvironmentParams(
            name="pandemic_shock", shock_week=10, shock_weeks=20, shock_multiplier=2.0, shock_remote_boost=1.0,
            shock_rollout=0.25, habit_persistence=0.5, habit_decay_weeks=10,
        ),
    ],
)
def test_invariants_hold_in_turbulent_and_shocked_environments(environment):
    run_checked(replace(small_params("adaptive", weeks=60), environment=environment))


def unit_shares(model: RegionModel, weeks: int) -> np.ndarray:
    out = []
    for _ in range(weeks):
        model.step()
        out.append(model.units.explore_share.copy())
    return np.array(out)


def region_share(model: RegionModel, shares: np.ndarray) -> np.ndarray:
    """Staff-weighted exploration share of the region, per week."""
    return shares @ model.units.size / model.units.size.sum()


def test_sequential_alternates_exploration_with_its_configured_period():
    model = RegionModel(small_params("sequential", weeks=104, period_weeks=20, decided_by="management"))
    shares = unit_shares(model, 104)
    weeks = np.arange(1, 105)
    exploring = ((weeks - 1) % 20) < 10
    assert (shares[exploring] > 0).all() and (shares[~exploring] == 0).all()
    assert abs(region_share(model, shares).mean() - 0.1) < 0.01  # twice the budget half of the time


def test_under_structural_only_innovation_units_explore():
    model = RegionModel(small_params("structural", weeks=52))
    shares = unit_shares(model, 52)
    innovation = model.units.kind == UnitKind.INNOVATION
    assert innovation.sum() == 1
    assert (shares[:, ~innovation] == 0).all() and (shares[:, innovation] > 0).all()


def test_exploit_only_never_explores_and_contextual_explores_its_budget():
    assert (unit_shares(RegionModel(small_params("exploit_only")), 52) == 0).all()
    protected = unit_shares(RegionModel(small_params("contextual", budget=0.2, decided_by="management")), 52)
    assert np.allclose(protected, 0.2)  # every unit, every week: management protects the time
    model = RegionModel(small_params("contextual", budget=0.1))
    shares = unit_shares(model, 52)  # unit managers cut under workload; the account makes it up elsewhere
    assert abs(region_share(model, shares).mean() - 0.1) < 0.01 and shares.std() > 0


def test_networked_practice_sets_the_share_of_ties_that_cross_units():
    def cross(share: float) -> float:
        m = RegionModel(small_params("networked", cross_share=share))
        coo = m.network.adjacency.tocoo()
        return float((m.staff.unit[coo.row] != m.staff.unit[coo.col]).mean())

    assert cross(0.0) == 0
    for share in (0.1, 0.3):
        assert abs(cross(share) - share) < 0.05, share


def test_adaptive_raises_exploration_in_units_below_aspiration():
    model = RegionModel(small_params("adaptive", weeks=30, budget=0.1, decided_by="management"))
    model.step()
    below = np.arange(model.units.n) < 2
    for _ in range(5):
        model.units.aspiration[below] = 10.0  # two units far below aspiration, the others at it
        model.units.aspiration[~below] = model.units.productivity[~below]
        model.step()
    assert (model.relative[below] > 1).all() and (model.relative[~below] <= 1).all()
    assert model.units.explore_share[below].min() > model.units.explore_share[~below].max()


def test_staff_agents_are_handles_onto_the_arrays():
    model = RegionModel(small_params())
    staff = model.agents_by_type[Staff]
    assert len(staff) == 120 and len(model.agents_by_type[Unit]) == 5
    assert len(model.agents_by_type[UnitManager]) == 5 and len(model.agents_by_type[Management]) == 1
    champions = staff.select(lambda a: a.is_champion)
    assert len(champions) == int(model.staff.champion.sum()) >= 5
    person = staff.select(lambda a: a.row == 7).to_list()[0]
    person.knowhow = 0.77
    assert (model.staff.knowhow[7] == 0.77).all() and set(person.knowhow_by_dimension) == set(DIMENSIONS)
    assert len(model.agents_by_type[Unit].select(lambda u: u.row == 0).to_list()[0].members()) == model.units.size[0]
    assert np.isclose(staff.agg("knowhow", np.mean), model.staff.knowhow.mean())


def test_turnover_replaces_leavers_at_rate_p3_with_newcomers():
    params = replace(small_params(weeks=100), learning=LearningParams(p_turnover=0.05))
    model = RegionModel(params)
    ids = model.staff.person_id.copy()
    left = 0
    for _ in range(100):
        model.step()
        left += int(model.staff.left.sum())
    assert abs(left / (100 * 120) - 0.05) < 0.01
    assert (model.staff.person_id != ids).sum() > 100
    assert model.staff.tenure[model.staff.left].max(initial=0) == 0


def test_changing_only_the_practice_leaves_the_turnover_draws_unchanged():
    def leavers(practice: str) -> np.ndarray:
        model = RegionModel(replace(small_params(practice, weeks=60), learning=LearningParams(p_turnover=0.02)))
        out = []
        for _ in range(60):
            model.step()
            out.append(model.staff.left.copy())
        return np.array(out)

    base = leavers("exploit_only")
    assert base.sum() > 50
    for practice in ("contextual", "adaptive", "structural"):
        assert (leavers(practice) == base).all()


def test_same_seed_same_tables_and_different_seed_different_tables():
    a = RegionModel(small_params(seed=3))
    b = RegionModel(small_params(seed=3))
    c = RegionModel(small_params(seed=4))
    for m in (a, b, c):
        m.run()
    ra, rb, rc = (m.collector.region_frame() for m in (a, b, c))
    assert ra.equals(rb) and a.collector.unit_frame().equals(b.collector.unit_frame())
    assert not ra.equals(rc)


def test_horizon_is_respected_and_every_week_collected():
    model = RegionModel(small_params(weeks=30))
    model.run()
    df = model.collector.region_frame()
    assert df["week"].tolist() == list(range(31))
    assert len(model.collector.unit_frame()) == 31 * 5


def test_default_params_build_the_default_region_with_innovation_units_only_under_structural():
    model = RegionModel(ModelParams(weeks=1))
    assert model.staff.n == 600 and model.units.n == 20
    assert (model.units.kind == UnitKind.INNOVATION).sum() == 0
    structural = RegionModel(ModelParams(weeks=1, practice=PracticeParams(name="structural")))
    assert structural.units.n == 20 and (structural.units.kind == UnitKind.INNOVATION).sum() == 2


def test_exploration_trades_care_now_for_maturity_later_on_one_seed():
    results = {}
    for practice, budget in (("exploit_only", 0.0), ("contextual", 0.1)):
        model = RegionModel(replace(ModelParams(weeks=260, seed=11), practice=PracticeParams(name=practice,
                                                                                              budget=budget)))
        model.run()
        results[practice] = model.collector.region_frame()
    year1 = {k: v.loc[1:52, "care_production"].mean() for k, v in results.items()}
    assert year1["exploit_only"] > year1["contextual"]
    assert results["contextual"]["maturity_total"].iloc[-1] > results["exploit_only"]["maturity_total"].iloc[-1]
