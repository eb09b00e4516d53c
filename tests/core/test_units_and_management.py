"""Balancing practices, the service lifecycle, maturity stages, sensing, seizing and transforming."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from abm.core.mechanisms import balancing, lifecycle, maturity, seizing, sensing, transforming
from abm.core.params import ManagementParams, PracticeParams
from abm.core.state import ServiceState as SS
from abm.core.state import UnitKind

KINDS = np.array([UnitKind.PRIMARY_CARE, UnitKind.WARD, UnitKind.INNOVATION], dtype=np.int8)
ZERO = np.zeros(3)


def shares(name: str, week: int = 1, **kw: object) -> np.ndarray:
    return balancing.target_shares(PracticeParams(name=name, **kw), week, KINDS, ZERO, ZERO, ZERO)


def test_exploit_only_never_explores_and_contextual_explores_alpha_everywhere():
    assert (shares("exploit_only") == 0).all()
    assert (shares("contextual", alpha=0.2) == 0.2).all()


def test_structural_explores_only_in_innovation_units():
    s = shares("structural", alpha_innovation=0.5)
    assert s.tolist() == [0.0, 0.0, 0.5]


def test_sequential_alternates_with_its_period():
    weeks = np.arange(0, 104)
    exploring = [shares("sequential", week=w, period_weeks=26, alpha_phase=0.3)[0] > 0 for w in weeks]
    assert exploring[:13] == [True] * 13 and exploring[13:26] == [False] * 13
    assert exploring[26:52] == exploring[:26]


def test_adaptive_explores_more_below_aspiration_and_returns_toward_base_above():
    pr = PracticeParams(name="adaptive", alpha=0.1, adaptive_gain=3.0, adaptive_step=0.05, alpha_max=0.5)
    current = np.full(2, 0.1)
    out = balancing.adaptive_shares(current, np.array([0.5, 1.0]), np.array([1.0, 1.0]), pr)
    assert np.isclose(out[0], 0.15) and out[1] == 0.1  # below aspiration: one step up; at it: stays at base


def test_aspiration_moves_toward_own_and_best_performance():
    pr = PracticeParams(aspiration_weight=0.5, social_aspiration=0.5)
    a = balancing.update_aspiration(np.zeros(2), np.array([1.0, 3.0]), pr)
    assert a.tolist() == [0.5 * (0.5 * 1 + 0.5 * 3), 0.5 * 3]


def test_overloaded_controlling_managers_cut_exploration_more_than_enabling_ones():
    pr = PracticeParams(slack_sensitivity=1.0)
    out = balancing.apply_slack(np.full(3, 0.2), np.array([0.9, 1.5, 1.5]), np.array([False, False, True]), pr)
    assert out[0] == 0.2 and out[1] == 0.2 * 0.5 and out[2] == 0.2 * 0.75


MP = ManagementParams(pilot_success_share=0.3, routinise_share=0.6, abandon_share=0.1,
                      max_pilot_weeks=10, max_implement_weeks=20)


def test_lifecycle_transitions():
    state = np.array([[SS.PILOTING, SS.PILOTING, SS.IMPLEMENTING, SS.ROUTINISED, SS.PILOTING]], dtype=np.int8)
    progress = np.array([[0.95, 0.95, 0, 0, 0.0]])
    since = np.array([[5, 5, 0, 0, 0]], dtype=np.int32)
    adoption = np.array([[0.5, 0.1, 0.7, 0.05, 0.9]])
    step = np.array([[0.1, 0.1, 0.1, 0.1, 0.0]])
    new, _, new_since = lifecycle.advance(state, progress, since, adoption, step, 10, MP)
    # done + adoption: implementing; done without adoption but young: still piloting; routinised;
    # collapsed use: abandoned; not done by max_pilot_weeks: abandoned
    assert new.tolist() == [[SS.IMPLEMENTING, SS.PILOTING, SS.ROUTINISED, SS.ABANDONED, SS.ABANDONED]]
    assert new_since.tolist() == [[10, 5, 10, 10, 10]]
    late, _, _ = lifecycle.advance(new, np.ones((1, 5)), new_since, adoption, step, 15, MP)
    assert late[0, 1] == SS.ABANDONED  # 10 weeks of piloting without enough users


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
    state = np.array([[SS.ROUTINISED, SS.ROUTINISED], [SS.AVAILABLE, SS.AVAILABLE]], dtype=np.int8)
    comp = maturity.service_component(state, np.ones((U, 2)), np.array([1, 2]))
    s = maturity.scores(np.ones(U), np.ones(U), np.ones(U), comp)
    assert ((s >= 0) & (s <= 100)).all()
    assert (s[0] > s[1]).all() or s[0, 0] >= s[1, 0]
    assert s[0, 1] == 100 and s[1, 1] == 25


def test_sensing_noise_falls_with_investment():
    rng = np.random.default_rng(0)
    value = np.linspace(0, 0.5, 8)
    k = np.full(100, 0.3)
    low = [
        sensing.sense(value, np.ones(8, bool), k, ManagementParams(sensing_investment=0.0), rng)[1] for _ in range(200)
    ]
    high = [
        sensing.sense(value, np.ones(8, bool), k, ManagementParams(sensing_investment=5.0), rng)[1] for _ in range(200)
    ]
    assert np.mean(high) > np.mean(low) + 0.2


def test_seizing_respects_budget_threshold_and_readiness():
    state = np.full((3, 3), SS.AVAILABLE, dtype=np.int8)
    estimate = np.array([0.5, 0.05, 0.3])
    chosen = seizing.choose_pilots(estimate, state, np.array([0.1, 0.3, 0.0]), np.ones(3, bool), 0.1, 2)
    assert chosen == [(1, 0), (0, 2)]  # best estimate to the readiest unit; service 1 below threshold
    assert seizing.choose_pilots(estimate, state, np.zeros(3), np.ones(3, bool), 0.1, 2) == []


def test_scaling_moves_proven_services_into_available_units_only():
    state = np.array(
        [[SS.IMPLEMENTING, SS.AVAILABLE], [SS.AVAILABLE, SS.AVAILABLE], [SS.ABANDONED, SS.AVAILABLE]], dtype=np.int8
    )
    since = np.zeros((3, 2), dtype=np.int32)
    new, new_since, scaled = transforming.scale(state, since, np.ones(3), 5, 7, np.random.default_rng(0))
    assert new[:, 0].tolist() == [SS.IMPLEMENTING, SS.IMPLEMENTING, SS.ABANDONED]
    assert (new[:, 1] == SS.AVAILABLE).all() and scaled.tolist() == [True, False]
    assert new_since[1, 0] == 7


def test_reconfiguring_makes_a_champion_in_the_lagging_unit_tied_to_the_leading_unit():
    unit = np.array([0, 0, 1, 1])
    champion = np.array([True, False, False, False])
    knowhow = np.array([0.9, 0.5, 0.2, 0.4])
    new, src, dst = transforming.reconfigure(
        np.array([0.8, 0.1]), np.array([300.0, 50.0]), unit, knowhow, champion, 3, np.random.default_rng(0)
    )
    assert new.tolist() == [True, False, False, True]
    assert src.tolist() == [3] and dst.tolist() == [0]


def test_replace_keeps_params_frozen():
    assert replace(MP, max_pilots=3).max_pilots == 3
