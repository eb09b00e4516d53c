"""The second model's mechanisms: practices compared at the same exploration budget, innovation units only
under `structural`, phases and front-loading, national mandates in every practice, re-pilots after a
cooldown, pilots judged by unit codes, care against demand with a waiting list, patient uptake, a shock's
lasting boost, experience-driven scaling, e-health-unit support and the causes of failure.

Model-level checks use the small region (5 units, 120 staff); function-level checks use small arrays. No
test depends on calibrated outputs: each states the property it checks and its tolerance.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from abm.api import compose
from abm.core.mechanisms import (
    balancing,
    care,
    environment,
    fit,
    lifecycle,
    mandates,
    patients,
    seizing,
    support,
    transforming,
)
from abm.core.model import RegionModel
from abm.core.params import (
    PRACTICES,
    EnvironmentParams,
    ManagementParams,
    ModelParams,
    PracticeParams,
    ServicesParams,
    ServiceSpec,
    structural_innovation_staff,
)
from abm.core.state import NEVER, Cause, UnitKind
from abm.core.state import ServiceState as SS
from abm.errors import ParamError
from tests.helpers.support import run_checked, small_params

EXPLORING = [p for p in PRACTICES if p != "exploit_only"]


def weekly_region_share(model: RegionModel, weeks: int) -> np.ndarray:
    """Staff-weighted exploration share of the region in each of the next `weeks` weeks."""
    out = []
    for _ in range(weeks):
        model.step()
        out.append(float(model.units.explore_share @ model.units.size) / model.staff.n)
    return np.array(out)


# ---- the same budget for every practice ------------------------------------------------------------------

@pytest.mark.parametrize("practice", EXPLORING)
def test_every_exploring_practice_realises_its_budget_over_104_weeks(practice: str) -> None:
    """Each practice as configured (configs/practice/<name>.yaml: its budget and who decides), small region,
    seed 0: the realised mean exploration share over weeks 1-104 is within 10% of the budget."""
    model = RegionModel(compose(["organisation=small", f"practice={practice}", "weeks=104"]))
    budget = model.params.practice.budget
    realised = weekly_region_share(model, 104).mean()
    assert budget > 0 and abs(realised - budget) <= 0.1 * budget, (practice, realised, budget)


@pytest.mark.parametrize("practice", [p for p in EXPLORING if p != "adaptive"])
def test_when_management_protects_the_time_every_practice_spends_a_higher_budget_too(practice: str) -> None:
    """budget 0.2 with decided_by management (nothing cut under workload): within 10% of the budget."""
    params = compose(["organisation=small", f"practice={practice}", "weeks=104", "practice.budget=0.2",
                      "practice.decided_by=management"])
    realised = weekly_region_share(RegionModel(params), 104).mean()
    assert abs(realised - 0.2) <= 0.02, (practice, realised)


@pytest.mark.xfail(strict=True, reason=(
    "core bug: adaptive overspends the equal budget. Its weekly target is its planned share (budget x relative), "
    "which stays above the budget while units are below aspiration, and the account pulls back only 1/"
    "carryover_weeks of the overspend a week: realised 1.10-1.13x the budget over 104 weeks at budget 0.1 and "
    "1.19-1.27x at 0.2 (decided_by management, small region, seeds 0-2; still 1.05-1.10x over 260 weeks)"))
@pytest.mark.parametrize("budget", [0.1, 0.2])
def test_adaptive_spends_the_same_budget_as_the_other_practices(budget: float) -> None:
    params = compose(["organisation=small", "practice=adaptive", "weeks=104", f"practice.budget={budget}",
                      "practice.decided_by=management"])
    realised = weekly_region_share(RegionModel(params), 104).mean()
    assert abs(realised - budget) <= 0.1 * budget, realised


def test_when_every_unit_cuts_its_time_nothing_is_spent_and_the_account_makes_it_up_later() -> None:
    """Unit managers deciding: at twice capacity a controlling manager cuts all exploration, so a week where
    every unit is that overloaded spends nothing (the documented limit of the account); the time is owed and
    spent once workload eases."""
    pr = PracticeParams(name="contextual", budget=0.1, decided_by="units", carryover_weeks=10)
    kind, size, controlling = np.zeros(3, np.int8), np.array([10, 10, 10]), np.zeros(3, bool)
    cut, _, budget = balancing.shares(pr, 1, 104, kind, size, np.ones(3), np.full(3, 2.0), controlling, 0.0)
    assert (cut == 0).all() and budget == 0.1
    owed = (budget - 0.0) * size.sum()  # the account after that week (as RegionModel.balance keeps it)
    later, _, _ = balancing.shares(pr, 2, 104, kind, size, np.ones(3), np.full(3, 0.5), controlling, owed)
    assert np.allclose(later, 0.1 + 0.1 / 10)  # the budget plus a carryover_weeks part of what is owed


def test_the_account_raises_a_unit_at_most_max_raise_times_its_plan() -> None:
    """Unit managers deciding: two of three units are cut to nothing; the third would have to explore three
    times its plan to spend the week's budget, and is held at max_raise times it (the rest stays owed)."""
    kind, size, controlling = np.zeros(3, np.int8), np.array([10, 10, 10]), np.zeros(3, bool)
    workload = np.array([2.0, 2.0, 1.0])  # twice capacity: a controlling manager cuts all exploration
    free = PracticeParams(name="contextual", budget=0.1, decided_by="units", max_raise=100.0)
    share, _, _ = balancing.shares(free, 1, 104, kind, size, np.ones(3), workload, controlling, 0.0)
    assert np.allclose(share, [0.0, 0.0, 0.3])  # the whole budget in the one unit that explores
    held = PracticeParams(name="contextual", budget=0.1, decided_by="units", max_raise=2.0)
    share, planned, _ = balancing.shares(held, 1, 104, kind, size, np.ones(3), workload, controlling, 0.0)
    assert np.allclose(share, [0.0, 0.0, 0.2]) and np.allclose(share[2], 2.0 * planned[2])


def test_exploit_only_refuses_any_budget_naming_practice_budget() -> None:
    for budget in (0.1, 0.001):
        with pytest.raises(ParamError) as err:
            PracticeParams(name="exploit_only", budget=budget)
        assert err.value.key == "practice.budget" and "exploit_only" in str(err.value)
    with pytest.raises(ParamError, match=r"^practice\.budget=0\.1 "):
        compose(["practice=exploit_only", "practice.budget=0.1"])
    assert PracticeParams(name="exploit_only", budget=0.0).budget == 0.0


def test_exploit_only_never_explores_and_never_pilots() -> None:
    model = run_checked(small_params("exploit_only", weeks=104))
    region = model.collector.region_frame()
    assert (region["exploration_share"] == 0).all() and (region["exploration_target"] == 0).all()
    assert region["pilots_started"].iloc[-1] == 0


# ---- where: innovation units only under structural ---------------------------------------------------------

@pytest.mark.parametrize("budget", [0.05, 0.1, 0.2])
def test_structural_builds_innovation_units_sized_from_the_budget(budget: float) -> None:
    params = ModelParams(weeks=1, practice=PracticeParams(name="structural", budget=budget, innovation_share=0.8))
    model = RegionModel(params)
    innovation = model.units.kind == UnitKind.INNOVATION
    assert innovation.sum() == params.organisation.n_innovation_units == 2
    want = structural_innovation_staff(600, budget, 0.8)
    assert want == round(budget * 600 / 0.8) and model.units.size[innovation].sum() == want
    assert model.units.n == 20 and model.staff.n == 600


@pytest.mark.parametrize("practice", [p for p in PRACTICES if p != "structural"])
def test_other_practices_build_no_innovation_units(practice: str) -> None:
    model = RegionModel(compose([f"practice={practice}", "weeks=1"]))
    assert model.units.n == 20 and not (model.units.kind == UnitKind.INNOVATION).any()


# ---- when: phases, front-loading --------------------------------------------------------------------------

def test_sequential_alternates_explore_and_exploit_phases_at_the_same_budget() -> None:
    model = RegionModel(compose(["organisation=small", "practice=sequential", "practice.period_weeks=26",
                                 "weeks=104"]))
    share = weekly_region_share(model, 104)
    exploring = ((np.arange(1, 105) - 1) % 26) < 13
    assert (share[exploring] > 0).all() and (share[~exploring] == 0).all()
    assert np.allclose(share[exploring], 2 * model.params.practice.budget, rtol=0.1)
    assert abs(share.mean() - model.params.practice.budget) <= 0.1 * model.params.practice.budget


def test_explore_weeks_front_loads_the_budget() -> None:
    model = RegionModel(compose(["organisation=small", "practice=contextual", "practice.decided_by=management",
                                 "practice.explore_weeks=26", "weeks=104"]))
    share = weekly_region_share(model, 104)
    budget = model.params.practice.budget
    assert np.allclose(share[:26], budget * 104 / 26) and (share[26:] == 0).all()
    assert np.isclose(share.mean(), budget)


# ---- mandates ----------------------------------------------------------------------------------------------

MANDATED = ServiceSpec("mandated", "A mandated service", arrival_week=2, mandate_weeks=20, technical_failure=0.0)
OPTIONAL = ServiceSpec("optional", "An optional service", relative_advantage=0.9, cost=0.1, technical_failure=0.0)


def test_mandates_schedule_every_care_unit_within_the_deadline_and_no_innovation_unit() -> None:
    kind = np.array([0, 1, 2, 0, 1, 3], dtype=np.int8)
    out = mandates.schedule(np.array([5, 0]), np.array([10, 0]), kind, np.random.default_rng(0))
    care_units = kind != UnitKind.INNOVATION
    assert ((out[care_units, 0] > 5) & (out[care_units, 0] <= 15)).all() and out[~care_units, 0] == NEVER
    assert (out[:, 1] == NEVER).all()  # not mandated
    assert len(set(out[care_units, 0])) > 1  # staggered, not all at once


def test_mandates_reach_every_care_unit_under_exploit_only() -> None:
    params = replace(small_params("exploit_only", weeks=30), services=ServicesParams(catalogue=(MANDATED, OPTIONAL)))
    model = RegionModel(params)
    started = np.zeros(model.units.n, bool)
    for _ in range(30):
        model.step()
        started |= np.isin(model.units.service_state[:, 0], (SS.IMPLEMENTING, SS.ROUTINISED))
        if model.week <= 2:
            assert not started.any()  # not before the service arrives
        if model.week == 22:
            assert started[model.care_units].all()  # every care unit by arrival + mandate_weeks
    assert (model.units.service_state[:, 1] == SS.AVAILABLE).all()  # the optional service: never piloted
    assert model.collector.region_frame()["mandated_progress"].iloc[-1] == 1.0


# ---- pilots: re-pilots after a cooldown, judged by the unit's code -------------------------------------------

def test_a_failed_pilot_can_be_piloted_again_after_the_cooldown() -> None:
    mp = ManagementParams(value_threshold=0.1, repilot_cooldown=26)
    state = np.array([[SS.PILOTING], [SS.AVAILABLE]], dtype=np.int8)
    state, _, since, ch = lifecycle.advance(
        state, np.array([[0.95], [0.0]]), np.zeros((2, 1), np.int32), np.zeros((2, 1)), np.array([[0.1], [0.0]]),
        np.full((2, 1), -0.5), np.zeros((2, 1), bool), np.zeros((2, 1), bool), np.zeros(1, bool), 30, mp)
    assert ch.pilot_failed[0, 0] and ch.cause[0, 0] == Cause.MISFIT and state[0, 0] == SS.ABANDONED
    assert since[0, 0] == 30
    ready = np.array([[0.9], [0.2]])  # the unit that failed it is the readier one

    def pilots(week: int) -> list[tuple[int, int]]:
        """As RegionModel.management_seize: the service is allowed once the region's cooldown has passed, and a
        unit may take it up where it is available or was dropped at least the cooldown ago."""
        allowed = np.array([week - 30 >= mp.repilot_cooldown])
        takeable = (state == SS.AVAILABLE) | ((state == SS.ABANDONED) & (week - since >= mp.repilot_cooldown))
        return seizing.choose_pilots(np.array([0.5]), takeable, state, ready, np.ones(2, bool), allowed, 0.1, 1)

    assert pilots(31) == [] and pilots(55) == []  # cooling down
    assert pilots(56) == [(0, 0)]  # after the cooldown, piloted again, here in the unit that has learnt most


def test_a_unit_may_take_up_again_a_service_it_dropped_once_the_cooldown_has_passed() -> None:
    model = RegionModel(replace(small_params(weeks=5), management=ManagementParams(repilot_cooldown=10),
                                services=ServicesParams(catalogue=(OPTIONAL,))))
    model.step()
    model.units.service_state[:, 0] = [SS.ABANDONED, SS.ABANDONED, SS.AVAILABLE, SS.ROUTINISED, SS.PILOTING]
    model.units.service_since[:, 0] = [model.week - 10, model.week - 9, 0, 0, 0]
    assert model.takeable()[:, 0].tolist() == [True, False, True, False, False]


def test_re_pilots_start_only_after_the_cooldown_with_a_head_start() -> None:
    """A noisy judgement (sd 2) fails about a third of good pilots; over 200 weeks of the small region the
    region re-pilots. Every re-pilot starts at least `repilot_cooldown` weeks after the service last failed,
    with `repilot_head_start` of the work done."""
    mp = ManagementParams(judgement_noise=2.0, repilot_cooldown=10, max_attempts=20, pilot_speed=2.0,
                          repilot_head_start=0.3, value_threshold=0.0)
    catalogue = tuple(replace(OPTIONAL, name=f"s{i}") for i in range(3))
    model = RegionModel(replace(small_params(weeks=200), management=mp, services=ServicesParams(catalogue=catalogue)))
    repilots = head_starts = 0
    for _ in range(200):
        failed_before, attempts_before = model.record.last_failed.copy(), model.record.attempts.copy()
        model.step()
        for s in np.flatnonzero((model.record.attempts > attempts_before) & ~np.isnan(failed_before)):
            repilots += 1
            assert model.week - failed_before[s] >= 10, (model.week, failed_before[s])
            unit = np.flatnonzero(model.units.service_since[:, s] == model.week)
            piloting = unit[model.units.service_state[unit, s] == SS.PILOTING]
            assert np.allclose(model.units.service_progress[piloting, s], 0.3 + model.last_step[piloting, s])
            head_starts += piloting.size
    assert repilots >= 1 and head_starts >= 1 and model.record.repilots == repilots


def test_a_better_code_judges_a_service_closer_to_its_true_benefit() -> None:
    """200 services (5 dimensions each) of a 30-dimension reality; 100 codes at each level of knowledge (each
    dimension known with that chance, else a coin flip): the mean absolute error of the judged benefit falls
    as codes know more, and a code that is reality judges without error."""
    rng = np.random.default_rng(7)
    m, n_services = 30, 200
    reality = np.where(rng.random(m) < 0.5, 1, -1).astype(np.int8)
    required = fit.requirements(np.full(n_services, 5), reality, 0.8, rng)
    advantage, cost = rng.uniform(0.2, 0.8, n_services), rng.uniform(0.1, 0.5, n_services)
    truth = fit.benefit(advantage, cost, fit.fit(required, reality), 0.5)
    errors = []
    for known in (0.0, 0.5, 0.8, 1.0):
        guess = np.where(rng.random((100, m)) < 0.5, 1, -1)
        codes = np.where(rng.random((100, m)) < known, reality[None, :], guess).astype(np.int8)
        judged = fit.benefit(advantage, cost, fit.fit(required, codes), 0.5)
        errors.append(float(np.abs(judged - truth[None, :]).mean()))
    assert errors[0] > errors[1] > errors[2] > errors[3] == 0.0, errors


def test_a_service_fits_by_the_agreement_of_its_required_signs_with_reality() -> None:
    reality = np.array([1, -1, 1, 1], dtype=np.int8)
    required = np.array([[1, -1, 0, 0], [-1, 1, 0, 0], [1, 1, 0, 0]], dtype=np.int8)
    assert fit.fit(required, reality).tolist() == [1.0, -1.0, 0.0]
    benefit = fit.benefit(np.full(3, 0.5), np.full(3, 0.2), fit.fit(required, reality), 0.5)
    assert benefit[0] > benefit[2] > 0 > benefit[1]  # a misfit harms


# ---- care against demand --------------------------------------------------------------------------------

def test_care_delivered_never_exceeds_demand_plus_waiting_and_the_list_grows_when_capacity_falls_short() -> None:
    rng = np.random.default_rng(3)
    demand, waiting, capacity = rng.uniform(0, 10, 500), rng.uniform(0, 10, 500), rng.uniform(0, 20, 500)
    delivered, unmet, after = care.deliver(demand, waiting, capacity, 0.05)
    assert (delivered <= demand + waiting + 1e-12).all() and (delivered <= capacity + 1e-12).all()
    assert np.allclose(delivered + unmet, demand + waiting) and np.allclose(after, unmet * 0.95)
    # the list grows exactly when capacity falls short of new demand by more than those who give up
    grows = capacity < demand - waiting * 0.05 / 0.95
    assert grows.sum() > 50 and ((after > waiting) == grows).all()
    assert (after[capacity >= demand + waiting] == 0).all()  # enough capacity: no one waits


def test_the_region_waiting_list_grows_when_demand_outstrips_capacity_and_stays_empty_otherwise() -> None:
    def waiting(demand_per_staff: float) -> np.ndarray:
        org = replace(small_params().organisation, demand_per_staff=demand_per_staff)
        model = RegionModel(replace(small_params("exploit_only", weeks=20), organisation=org))
        model.run()
        return model.collector.region_frame()["waiting_list"].to_numpy()

    tight, slack = waiting(3.0), waiting(0.3)
    assert (np.diff(tight[:10]) > 0).all()
    assert (slack == 0).all()


# ---- patients, shocks, scaling, support ----------------------------------------------------------------------

def test_patient_uptake_rises_with_offering_staff_and_is_zero_where_inactive() -> None:
    current = np.full((3, 2), 0.2)
    offered = np.array([[0.1, 0.1], [0.8, 0.8], [0.8, 0.8]])
    active = np.array([[True, True], [True, True], [False, False]])
    out = patients.uptake(current, offered, active, np.array([True, False]), np.array([True, False]), 0.02, 0.1, 0.0)
    assert out[1, 0] > out[0, 0] > 0.2  # more staff offering it: faster uptake
    assert out[2, 0] == 0.0  # not running there
    assert (out[:, 1] == 1.0).all()  # a service that does not need patients
    boosted = patients.uptake(current, offered, active, np.array([True, False]), np.array([True, False]), 0.02, 0.1,
                              1.0)
    assert boosted[1, 0] > out[1, 0]  # a shock's boost speeds uptake of remote services
    assert (patients.uptake(np.ones((3, 2)), offered, active, np.ones(2, bool), np.ones(2, bool), 0.02, 0.1, 1.0)
            <= 1).all()


def test_the_shock_boost_persists_at_habit_persistence_after_the_shock() -> None:
    env = EnvironmentParams(shock_week=10, shock_weeks=5, shock_remote_boost=1.5, habit_persistence=0.4,
                            habit_decay_weeks=4.0)
    boost = np.array([environment.remote_boost(w, env) for w in range(60)])
    assert (boost[:10] == 0).all() and (boost[10:15] == 1.5).all()
    after = boost[15:]
    assert (np.diff(after) < 0).all() and (after > 1.5 * 0.4).all()
    assert np.isclose(after[-1], 1.5 * 0.4, atol=1e-4)
    none = replace(env, habit_persistence=0.0)
    assert environment.remote_boost(200, none) < 1e-9 and environment.remote_boost(200, env) == pytest.approx(0.6)


def test_scaling_capacity_grows_with_experience_and_with_region_size() -> None:
    caps = [transforming.scaling_capacity(40.0, 1000, 0.1, n) for n in (0, 1, 10, 100)]
    assert caps[0] == 40.0 and caps[0] < caps[1] < caps[2] < caps[3]
    assert transforming.scaling_capacity(40.0, 2000, 0.1, 10) == 2 * caps[2]
    assert transforming.scaling_capacity(40.0, 1000, 0.0, 100) == 40.0  # no learning: no growth


def test_the_ehealth_unit_supports_mandated_cells_first_then_the_longest_running() -> None:
    state = np.array([[SS.PILOTING, SS.ROUTINISED], [SS.IMPLEMENTING, SS.AVAILABLE], [SS.PILOTING, SS.IMPLEMENTING]],
                     dtype=np.int8)
    since = np.array([[5, 0], [2, 0], [9, 8]], dtype=np.int32)
    mandated = np.array([False, True])
    size = np.ones(3)
    assert support.allocate(state, since, mandated, size, 1).tolist() == [[False, False], [False, False], [False, True]]
    assert support.allocate(state, since, mandated, size, 2).tolist() == [[False, False], [True, False], [False, True]]
    every = support.allocate(state, since, mandated, size, 10)
    assert every.tolist() == [[True, False], [True, False], [True, True]]  # taking-up cells only
    assert not support.allocate(state, since, mandated, size, 0).any()


def test_the_ehealth_units_capacity_counts_staff_so_the_supported_share_does_not_depend_on_unit_size() -> None:
    state = np.array([[SS.PILOTING, SS.ROUTINISED], [SS.IMPLEMENTING, SS.AVAILABLE], [SS.PILOTING, SS.IMPLEMENTING]],
                     dtype=np.int8)
    since = np.array([[5, 0], [2, 0], [9, 8]], dtype=np.int32)
    mandated = np.array([False, True])
    size = np.array([10.0, 30.0, 20.0])
    # order: unit 2's mandated service (20 staff), unit 1 (30), unit 0 (10), unit 2's other (20)
    only_first = [[False, False], [False, False], [False, True]]
    assert support.allocate(state, since, mandated, size, 49).tolist() == only_first
    assert support.allocate(state, since, mandated, size, 50).tolist() == [[False, False], [True, False], [False, True]]
    assert support.allocate(state, since, mandated, size, 60).sum() == 3
    # the same region cut into units twice as large, with twice the staff: the same share of staff supported
    small = support.allocate(state, since, mandated, size, 60)
    large = support.allocate(state, since, mandated, 2 * size, 120)
    assert np.array_equal(small, large)


def test_the_ehealth_capacity_scales_with_the_regions_staff_in_the_model() -> None:
    from abm.api import compose
    from abm.core.model import RegionModel

    shares = []
    for org in ("default", "region"):
        model = RegionModel(compose([f"organisation={org}", "weeks=30", "practice=contextual"]))
        covered = []
        for _ in range(30):
            model.step()
            covered.append(float((model.units.supported * model.units.size[:, None]).sum()) / model.staff.n)
        shares.append(max(covered))
    mp = ManagementParams()
    most = mp.ehealth_staff / 1000 * mp.staff_per_ehealth_staff  # the share of staff the unit can support
    assert all(0.5 * most < s <= most for s in shares), shares


# ---- causes of failure ---------------------------------------------------------------------------------------

def test_technical_failure_and_misfit_causes_are_recorded() -> None:
    mp = ManagementParams()
    state = np.array([[SS.IMPLEMENTING, SS.ROUTINISED, SS.ROUTINISED, SS.PILOTING, SS.ROUTINISED, SS.ROUTINISED]],
                     dtype=np.int8)
    technical = np.array([[True, False, False, True, False, True]])
    misfit = np.array([[False, True, True, False, False, False]])
    mandated = np.array([False, False, True, False, False, True])
    new, _, _, ch = lifecycle.advance(state, np.zeros((1, 6)), np.zeros((1, 6), np.int32), np.full((1, 6), 0.9),
                                      np.zeros((1, 6)), np.full((1, 6), 0.5), misfit, technical, mandated, 10, mp)
    assert new.tolist() == [[SS.ABANDONED, SS.ABANDONED, SS.ROUTINISED, SS.ABANDONED, SS.ROUTINISED, SS.ABANDONED]]
    assert ch.cause[0].tolist() == [Cause.TECHNICAL, Cause.MISFIT, -1, Cause.TECHNICAL, -1, Cause.TECHNICAL]
    assert ch.abandoned[0].tolist() == [True, True, False, False, False, True]
    assert ch.pilot_failed[0].tolist() == [False, False, False, True, False, False]


def test_technical_failures_are_counted_by_cause_in_the_metrics() -> None:
    """A service routinised in every care unit at week 0 that always fails without e-health support: in week 1
    every care unit abandons it, each counted under abandoned_technical and no other cause."""
    broken = ServiceSpec("broken", "Always breaks", start_share=1.0, technical_failure=1.0)
    model = RegionModel(replace(small_params(weeks=1), services=ServicesParams(catalogue=(broken,))))
    model.step()
    row = model.collector.region_frame().iloc[-1]
    assert row["abandoned_technical"] == model.care_units.sum() > 0
    assert row[["abandoned_misfit", "abandoned_low_use", "abandoned_funding"]].sum() == 0
    assert (model.units.service_state[model.care_units, 0] == SS.ABANDONED).all()
