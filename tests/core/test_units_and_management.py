"""Balancing practices, the service lifecycle, maturity stages, sensing, seizing and transforming."""

from __future__ import annotations

import dataclasses
from dataclasses import replace

import numpy as np
import pytest

from abm.core.mechanisms import balancing, lifecycle, maturity, seizing, sensing, transforming
from abm.core.params import ManagementParams, MaturityParams, PracticeParams
from abm.core.state import Cause, UnitKind
from abm.core.state import ServiceState as SS

KINDS = np.array([UnitKind.PRIMARY_CARE, UnitKind.WARD, UnitKind.INNOVATION], dtype=np.int8)
SIZES = np.array([4, 4, 2])  # 10 staff; at budget 0.1 and innovation_share 0.5 the innovation unit is sized 2
CALM = np.zeros(3)  # no workload above capacity: nothing is cut


def shares(name: str, week: int = 1, horizon: int = 520, workload: np.ndarray = CALM, account: float = 0.0,
           relative: np.ndarray | None = None, **kw: object) -> np.ndarray:
    pr = PracticeParams(name=name, **kw)
    rel = np.ones(3) if relative is None else relative
    return balancing.shares(pr, week, horizon, KINDS, SIZES, rel, workload, np.zeros(3, bool), account)[0]


def region_share(s: np.ndarray) -> float:
    return float(s @ SIZES / SIZES.sum())


def test_exploit_only_never_explores_and_contextual_explores_the_budget_everywhere():
    assert (shares("exploit_only", budget=0.0) == 0).all()
    assert np.allclose(shares("contextual", budget=0.2), 0.2)
    assert np.allclose(shares("networked", budget=0.2), 0.2)


def test_structural_explores_only_in_innovation_units_at_the_innovation_share():
    s = shares("structural", budget=0.1, innovation_share=0.5)
    assert s[0] == s[1] == 0.0 and np.isclose(s[2], 0.5)
    assert np.isclose(region_share(s), 0.1)  # the innovation units spend the region's budget


def test_sequential_alternates_with_its_period_at_twice_the_budget():
    weeks = np.arange(1, 105)
    s = np.array([shares("sequential", week=w, period_weeks=26, budget=0.1)[0] for w in weeks])
    exploring = s > 0
    assert exploring[:13].all() and not exploring[13:26].any()
    assert (exploring[26:52] == exploring[:26]).all() and (exploring[52:] == exploring[:52]).all()
    assert np.allclose(s[exploring], 0.2)  # the budget over the period, spent in its first half
    assert np.isclose(s.mean(), 0.1)


def test_explore_weeks_front_loads_the_whole_budget():
    s = np.array([shares("contextual", week=w, horizon=100, explore_weeks=25, budget=0.1)[0] for w in range(1, 101)])
    assert np.allclose(s[:25], 0.4) and (s[25:] == 0).all()
    assert np.isclose(s.mean(), 0.1)


def test_the_budget_account_makes_up_time_not_spent():
    base = shares("contextual", budget=0.1)
    behind = shares("contextual", budget=0.1, account=0.5 * SIZES.sum(), carryover_weeks=10)
    ahead = shares("contextual", budget=0.1, account=-0.5 * SIZES.sum(), carryover_weeks=10)
    assert np.allclose(behind, 0.1 + 0.05) and np.allclose(ahead, 0.1 - 0.05) and np.allclose(base, 0.1)


def test_slack_moves_time_between_units_but_not_out_of_the_budget():
    overloaded = np.array([2.0, 1.0, 1.0])  # unit 0 at twice its capacity: a controlling manager cuts all of it
    s = shares("contextual", budget=0.1, workload=overloaded, slack_sensitivity=1.0)
    assert s[0] == 0.0 and (s[1:] > 0.1).all()
    assert np.isclose(region_share(s), 0.1)
    protected = shares("contextual", budget=0.1, workload=overloaded, decided_by="management")
    assert np.allclose(protected, 0.1)  # management protects the time: nothing is cut


def test_adaptive_explores_more_below_aspiration_and_less_above():
    pr = PracticeParams(name="adaptive", budget=0.1, adaptive_gain=3.0, adaptive_step=0.05, max_unit_share=0.5)
    rel = balancing.adaptive_relative(np.ones(3), np.array([0.5, 1.0, 1.2]), np.ones(3), pr)
    assert np.allclose(rel, [1.5, 1.0, 0.5])  # one step (0.05 of time, 0.5 of the budget) toward the desire
    eager = replace(pr, adaptive_gain=100.0)
    capped = balancing.adaptive_relative(np.full(3, 4.8), np.zeros(3), np.ones(3), eager)
    assert np.allclose(capped, 5.0)  # never above max_unit_share / budget
    planned = balancing.planned_shares(pr, 1.0, KINDS, rel)
    assert np.allclose(planned, 0.1 * rel)


def test_aspiration_moves_toward_own_and_best_performance():
    pr = PracticeParams(aspiration_weight=0.5, social_aspiration=0.5)
    a = balancing.update_aspiration(np.zeros(2), np.array([1.0, 3.0]), pr)
    assert a.tolist() == [0.5 * (0.5 * 1 + 0.5 * 3), 0.5 * 3]


def test_overloaded_controlling_managers_cut_exploration_more_than_enabling_ones():
    pr = PracticeParams(slack_sensitivity=1.0)
    out = balancing.apply_slack(np.full(3, 0.2), np.array([0.9, 1.5, 1.5]), np.array([False, False, True]), pr)
    assert out[0] == 0.2 and out[1] == 0.2 * 0.5 and out[2] == 0.2 * 0.75


MP = ManagementParams(pilot_success_share=0.3, routinise_share=0.6, abandon_share=0.1,
                      max_pilot_weeks=10, max_implement_weeks=20, value_threshold=0.1)


def advance(state, progress, since, adoption, step, week, judged=None, misfit=None, technical=None, mandated=None):
    shape = state.shape
    return lifecycle.advance(
        state, progress, since, adoption, step, np.full(shape, 0.5) if judged is None else judged,
        np.zeros(shape, bool) if misfit is None else misfit, np.zeros(shape, bool) if technical is None else technical,
        np.zeros(shape[1], bool) if mandated is None else mandated, week, MP,
    )


def test_lifecycle_transitions_and_their_causes():
    state = np.array([[SS.PILOTING, SS.PILOTING, SS.IMPLEMENTING, SS.ROUTINISED, SS.PILOTING, SS.PILOTING]],
                     dtype=np.int8)
    progress = np.array([[0.95, 0.95, 0, 0, 0.0, 0.95]])
    since = np.array([[5, 5, 0, 0, 0, 5]], dtype=np.int32)
    adoption = np.array([[0.5, 0.1, 0.7, 0.05, 0.9, 0.9]])
    step = np.array([[0.1, 0.1, 0.1, 0.1, 0.0, 0.1]])
    judged = np.array([[0.5, 0.5, 0.5, 0.5, 0.5, 0.05]])
    new, _, new_since, ch = advance(state, progress, since, adoption, step, 10, judged=judged)
    # done, judged good and used: implementing; done, judged good but too few users and young: still piloting;
    # routinised; collapsed use: abandoned; not done by max_pilot_weeks: failed; judged no better than the
    # threshold: failed as a misfit however many use it
    assert new.tolist() == [[SS.IMPLEMENTING, SS.PILOTING, SS.ROUTINISED, SS.ABANDONED, SS.ABANDONED, SS.ABANDONED]]
    assert new_since.tolist() == [[10, 5, 10, 10, 10, 10]]
    assert ch.succeeded.tolist() == [[True, False, False, False, False, False]]
    assert ch.routinised.tolist() == [[False, False, True, False, False, False]]
    assert ch.pilot_failed.tolist() == [[False, False, False, False, True, True]]
    assert ch.abandoned.tolist() == [[False, False, False, True, False, False]]
    assert ch.cause[0, 3:].tolist() == [Cause.LOW_USE, Cause.FUNDING, Cause.MISFIT] and (ch.cause[0, :3] == -1).all()
    # the unit judges a pilot once, when its work is done: a poor judgement later no longer fails it as a misfit
    late, _, _, ch = advance(new, np.ones((1, 6)), new_since, adoption, step, 15, judged=np.full((1, 6), -1.0))
    assert late[0, 1] == SS.ABANDONED and ch.cause[0, 1] == Cause.LOW_USE  # 10 weeks without enough users


def test_an_implementation_not_routinised_in_time_ends_unless_it_is_mandated():
    state = np.array([[SS.IMPLEMENTING, SS.IMPLEMENTING]], dtype=np.int8)
    since = np.zeros((1, 2), dtype=np.int32)
    new, _, _, ch = advance(state, np.zeros((1, 2)), since, np.full((1, 2), 0.3), np.zeros((1, 2)), 20,
                            mandated=np.array([False, True]))
    assert new.tolist() == [[SS.ABANDONED, SS.IMPLEMENTING]] and ch.cause[0, 0] == Cause.FUNDING


def test_arrival_makes_only_unseen_services_available():
    state = np.array([[SS.UNAVAILABLE, SS.UNAVAILABLE, SS.ROUTINISED]], dtype=np.int8)
    out = lifecycle.arrive(state, np.array([True, False, True]))
    assert out.tolist() == [[SS.AVAILABLE, SS.UNAVAILABLE, SS.ROUTINISED]]


def test_pilot_progress_needs_exploration_time():
    p = lifecycle.pilot_progress(np.array([0.0, 0.2]), np.array([0.5, 0.5]), np.array([0.5]), 0.5)
    assert p[0, 0] == 0 and p[1, 0] > 0


def test_stage_is_cumulative():
    met = np.array([[True, True, False, True, True, True, True], [False, True, True, True, True, True, True]])
    assert maturity.stage(met).tolist() == [2, 0]


def test_maturity_scores_are_bounded_and_grow_with_services():
    U = 2
    mp = MaturityParams(w_services=0.7, w_knowhow=0.3, gov_knowhow=0.4, gov_champions=0.2, gov_support=0.2,
                        gov_services=0.2, champion_target=0.1)
    state = np.array([[SS.ROUTINISED, SS.ROUTINISED], [SS.AVAILABLE, SS.AVAILABLE]], dtype=np.int8)
    comp = maturity.service_component(state, np.ones((U, 2)), np.array([1, 2]), maturity.state_weights(mp),
                                      np.ones((U, 2)))
    s = maturity.scores(np.ones((U, 4)), np.ones(U), np.ones(U), comp, mp)
    assert ((s >= 0) & (s <= 100)).all()
    assert (s[0] >= s[1]).all() and s[0, 1] > s[1, 1]
    assert np.isclose(s[0, 1], 100) and np.isclose(s[1, 1], 30) and np.isclose(s[1, 3], 30)
    assert np.isclose(s[0, 0], 100 * (0.4 + 0.2 + 0.2 + 0.2 * 0.5)) and np.isclose(s[1, 0], 80)


def test_a_patient_facing_service_counts_by_its_patients_uptake():
    state = np.full((2, 1), SS.ROUTINISED, dtype=np.int8)
    weights = maturity.state_weights(MaturityParams())
    comp = maturity.service_component(state, np.ones((2, 1)), np.array([2]), weights, np.array([[1.0], [0.25]]))
    assert comp[:, 2].tolist() == [1.0, 0.25] and (comp[:, [0, 1, 3]] == 0).all()


def test_services_beyond_the_reference_set_add_capability_and_unused_ones_do_not_dilute_it():
    weights = maturity.state_weights(MaturityParams())
    dim = np.array([1, 1, 1])  # three interoperability services; the reference (listed) set has two
    reference = np.array([0.0, 2.0, 0.0, 0.0])
    one_used = np.array([[SS.ROUTINISED, SS.AVAILABLE, SS.AVAILABLE]], dtype=np.int8)
    all_used = np.full((1, 3), SS.ROUTINISED, dtype=np.int8)
    ones = np.ones((1, 3))
    assert maturity.service_component(one_used, ones, dim, weights, ones, reference)[0, 1] == 0.5
    assert maturity.service_component(all_used, ones, dim, weights, ones, reference)[0, 1] == 1.0  # capped
    assert maturity.service_component(one_used, ones, dim, weights, ones)[0, 1] == 1 / 3  # no reference: all


def test_a_dimension_scores_from_know_how_in_that_dimension():
    mp = MaturityParams()
    k = np.array([[0.9, 0.9, 0.1, 0.1]])
    s = maturity.scores(k, np.zeros(1), np.zeros(1), np.zeros((1, 4)), mp)
    assert s[0, 1] > s[0, 2] and np.isclose(s[0, 2], s[0, 3])


def test_sensing_noise_falls_with_investment_and_with_skilled_staff():
    rng = np.random.default_rng(0)
    value = np.linspace(0, 0.5, 8)
    dimension = np.arange(8) % 4
    k = np.full((100, 4), 0.3)
    nothing = np.full(8, np.nan)

    def accuracy(mp: ManagementParams, knowhow_: np.ndarray) -> float:
        return float(np.mean([sensing.sense(value, np.ones(8, bool), knowhow_, dimension, nothing, mp, rng)[1]
                              for _ in range(200)]))

    low = accuracy(ManagementParams(sensing_investment=0.0), k)
    high = accuracy(ManagementParams(sensing_investment=5.0), k)
    assert high > low + 0.2
    mp = ManagementParams(sensing_investment=0.0, bottom_up_weight=0.8, high_knowhow=0.6)
    assert accuracy(mp, np.full((100, 4), 0.9)) > accuracy(mp, k) + 0.1
    assert (sensing.noise_sd(np.full((100, 4), 0.9), dimension, mp) < sensing.noise_sd(k, dimension, mp)).all()


def test_sensing_learns_from_a_finished_pilot_and_leaves_unavailable_services_unknown():
    value, judged = np.array([0.3, 0.3]), np.array([0.9, np.nan])
    mp = ManagementParams(sensing_noise=0.0, estimate_learning=0.5)
    est, _ = sensing.sense(value, np.array([True, False]), np.zeros((5, 4)), np.zeros(2, np.int64), judged, mp,
                           np.random.default_rng(0))
    assert np.isclose(est[0], 0.5 * 0.3 + 0.5 * 0.9) and np.isnan(est[1])


def test_seizing_respects_capacity_threshold_and_readiness():
    state = np.full((3, 3), SS.AVAILABLE, dtype=np.int8)
    estimate = np.array([0.5, 0.05, 0.3])
    ready = np.tile(np.array([[0.1], [0.3], [0.0]]), (1, 3))
    allowed = np.ones(3, bool)
    takeable = state == SS.AVAILABLE
    chosen = seizing.choose_pilots(estimate, takeable, state, ready, np.ones(3, bool), allowed, 0.1, 2)
    assert chosen == [(1, 0), (0, 2)]  # best estimate to the readiest unit; service 1 below threshold
    assert seizing.choose_pilots(estimate, takeable, state, np.zeros((3, 3)), np.ones(3, bool), allowed, 0.1, 2) == []
    assert seizing.choose_pilots(estimate, takeable, state, ready, np.array([True, False, True]), allowed, 0.1,
                                 2) == [(0, 0)]
    assert seizing.choose_pilots(estimate, takeable, state, ready, np.ones(3, bool), np.array([False, True, True]),
                                 0.1, 2) == [(1, 2)]  # a service not allowed (mandated, cooling down, ...) is skipped
    not_there = takeable.copy()
    not_there[1, 0] = False  # the readiest unit cannot take service 0 up (e.g. dropped it recently)
    assert seizing.choose_pilots(estimate, not_there, state, ready, np.ones(3, bool), allowed, 0.1, 2) \
        == [(0, 0), (1, 2)]
    running = state.copy()
    running[2, 1] = SS.PILOTING  # one pilot running uses one of the two places
    assert seizing.choose_pilots(estimate, running == SS.AVAILABLE, running, ready, np.ones(3, bool), allowed, 0.1,
                                 2) == [(1, 0)]


def test_scaling_moves_proven_services_into_available_units_only():
    state = np.array(
        [[SS.IMPLEMENTING, SS.AVAILABLE], [SS.AVAILABLE, SS.AVAILABLE], [SS.ABANDONED, SS.AVAILABLE]], dtype=np.int8
    )
    since = np.zeros((3, 2), dtype=np.int32)
    ones = np.ones(3, bool)
    new, new_since, scaled, n = transforming.scale(state, since, state == SS.AVAILABLE, np.ones((3, 2)), np.ones(3),
                                                   ones, np.ones(2, bool), np.array([0.5, 0.5]), 5, 7,
                                                   np.random.default_rng(0))
    assert new[:, 0].tolist() == [SS.IMPLEMENTING, SS.IMPLEMENTING, SS.ABANDONED]
    assert (new[:, 1] == SS.AVAILABLE).all() and scaled.tolist() == [True, False] and n == 1
    assert new_since[1, 0] == 7


def test_a_scaling_round_brings_in_staff_up_to_its_capacity_and_never_a_mandated_service():
    state = np.array([[SS.ROUTINISED, SS.ROUTINISED]] + [[SS.AVAILABLE, SS.AVAILABLE]] * 3, dtype=np.int8)
    since = np.zeros((4, 2), dtype=np.int32)
    readiness = np.array([[1.0, 1.0], [0.9, 0.9], [0.8, 0.8], [0.7, 0.7]])
    sizes = np.array([5, 10, 10, 10])
    args = (state == SS.AVAILABLE, readiness, sizes, np.ones(4, bool))
    new, _, _, n = transforming.scale(state, since, *args, np.ones(2, bool), np.array([0.9, 0.1]), 15.0, 3,
                                      np.random.default_rng(0))
    assert n == 2 and new[1:3, 0].tolist() == [SS.IMPLEMENTING] * 2 and (new[1:, 1] == SS.AVAILABLE).all()
    new, _, scaled, n = transforming.scale(state, since, *args, np.array([False, True]), np.array([0.9, 0.1]), 15.0,
                                           3, np.random.default_rng(0))
    assert (new[1:, 0] == SS.AVAILABLE).all() and scaled.tolist() == [False, True] and n == 2


def test_reconfiguring_makes_a_champion_in_the_lagging_unit_tied_to_the_leading_units_champions():
    unit = np.array([0, 0, 0, 1, 1])
    champion = np.array([True, True, False, False, False])
    knowhow = np.array([0.9, 0.1, 0.5, 0.2, 0.4])
    new, src, dst = transforming.reconfigure(np.array([0.8, 0.1]), np.array([300.0, 50.0]), unit, knowhow, champion)
    assert new.tolist() == [True, True, False, False, True]  # the lagging unit's most skilled non-champion
    assert src.tolist() == [4, 4] and dst.tolist() == [0, 1]  # tied to every champion of the leading unit
    no_champions = np.zeros(5, bool)
    _, src, dst = transforming.reconfigure(np.array([0.8, 0.1]), np.array([300.0, 50.0]), unit, knowhow,
                                           no_champions)
    assert src.tolist() == [4] and dst.tolist() == [0]  # no champions there: its most skilled member


def test_replace_keeps_params_frozen():
    assert replace(MP, pilot_capacity=7.0).pilot_capacity == 7.0 and MP.pilot_capacity != 7.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        MP.pilot_capacity = 7.0  # type: ignore[misc]
