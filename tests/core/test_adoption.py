"""UTAUT-style adoption, Bass hazards and count thresholds."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from abm.core.mechanisms import adoption
from abm.core.network import Network
from abm.core.params import AdoptionParams

AP = AdoptionParams()


def test_performance_expectancy_weight_defaults_to_the_pooled_healthcare_estimate():
    assert AP.w_performance == 0.30


BASE = dict(expectancy=np.array([0.5]), complexity=np.array([0.5]), dimension=np.array([2]), attitude=np.array([0.5]),
            role=np.array([1]), tenure=np.array([100]), support=np.array([0.5]), supported=np.array([[False]]),
            ehealth_support=0.3, workload=np.array([1.0]))


def one_intention(knowhow: np.ndarray | None = None, social: float = 0.2, **changed: object) -> float:
    t = adoption.terms(AP, **{**BASE, **changed})
    k = np.full((1, 4), 0.5) if knowhow is None else knowhow
    return float(adoption.intention(AP, t, k, np.array([[social]]), np.zeros(1, np.int64))[0, 0])


def test_intention_rises_with_each_utaut_construct_and_falls_with_barriers():
    i0 = one_intention()
    raised = {"expectancy": np.array([0.9]), "attitude": np.array([0.9]), "support": np.array([0.9]),
              "supported": np.array([[True]])}
    for key, value in raised.items():
        assert one_intention(**{key: value}) > i0, key
    assert one_intention(social=0.8) > i0
    assert one_intention(knowhow=np.array([[0.5, 0.5, 0.9, 0.5]])) > i0  # know-how in the service's dimension ...
    assert one_intention(knowhow=np.array([[0.9, 0.9, 0.5, 0.9]])) == i0  # ... and only there
    lowered = {"complexity": np.array([0.9]), "workload": np.array([1.5]), "tenure": np.array([520]),
               "role": np.array([0])}  # a physician's professional autonomy
    for key, value in lowered.items():
        assert one_intention(**{key: value}) < i0, key
    assert one_intention(workload=np.array([0.7])) == i0  # workload lowers intention only above capacity


def test_hazard_is_logistic_in_intention_plus_bass_terms():
    ap = replace(AP, p_external=0.03, q_social=0.38)
    intent = np.array([[-5.0], [AP.intention_threshold], [5.0]])
    social = np.full((3, 1), 0.5)
    h = adoption.hazard(ap, intent, social)[:, 0]
    bass = 0.03 + 0.38 * 0.5
    assert np.isclose(h[0], bass, atol=1e-6)
    assert np.isclose(h[1], bass + ap.rate_adopt / 2)
    assert np.isclose(h[2], bass + ap.rate_adopt, atol=1e-6)


def test_only_active_services_are_adopted_and_inactive_use_is_dropped():
    rng = np.random.default_rng(0)
    n = 1000
    uses = np.zeros((n, 2), bool)
    uses[:, 1] = True
    active = np.zeros((n, 2), bool)
    active[:, 0] = True
    rate = np.full((n, 2), 50.0)
    intent = np.full((n, 2), 1.0)
    new, adopt, stop = adoption.adopt_hazard(uses, active, rate, intent, AP, rng)
    assert new[:, 0].all() and adopt[:, 0].all()
    assert not new[:, 1].any()


def test_adoption_probability_is_one_minus_exp_minus_hazard_dt():
    rng = np.random.default_rng(1)
    n = 100_000
    rate = np.full((n, 1), 0.2)
    ap = replace(AP, dt=0.5)
    _, adopt, _ = adoption.adopt_hazard(np.zeros((n, 1), bool), np.ones((n, 1), bool), rate,
                                        np.ones((n, 1)), ap, rng)
    assert abs(adopt.mean() - (1 - np.exp(-0.1))) < 0.003


def test_low_intention_users_discontinue_at_p_discontinue():
    rng = np.random.default_rng(2)
    n = 50_000
    ap = replace(AP, p_discontinue=0.2)
    uses = np.ones((n, 1), bool)
    low = np.full((n, 1), AP.intention_threshold - AP.discontinue_margin - 0.1)
    new, _, stop = adoption.adopt_hazard(uses, np.ones((n, 1), bool), np.zeros((n, 1)), low, ap, rng)
    assert abs(stop.mean() - 0.2) < 0.01 and (new == ~stop).all()
    high = np.full((n, 1), 1.0)
    _, _, stop_high = adoption.adopt_hazard(uses, np.ones((n, 1), bool), np.zeros((n, 1)), high, ap, rng)
    assert not stop_high.any()


def test_social_share_counts_adopting_contacts():
    net = Network.from_edges(3, np.array([0, 0]), np.array([1, 2]))
    uses = np.array([[False], [True], [True]])
    assert adoption.social_share(uses, net)[:, 0].tolist() == [1.0, 0.0, 0.0]


def test_threshold_rule_adopts_when_enough_contacts_adopted():
    net = Network.complete_graph(4)
    uses = np.array([[True], [True], [False], [False]])
    thresholds = np.array([0.0, 0.0, 2.0, 3.0])
    new, adopt = adoption.adopt_threshold(uses, np.ones((4, 1), bool), net, thresholds)
    assert new[:, 0].tolist() == [True, True, True, False]
