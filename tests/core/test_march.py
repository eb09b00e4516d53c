"""March (1991) mutual learning, with the reproduction rules of Christensen (2015)."""

from __future__ import annotations

import numpy as np

from abm.core.mechanisms import march


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def test_act_keeps_nonzero_beliefs_and_flips_fair_coins_for_zero_beliefs():
    beliefs = np.zeros((2000, 30), dtype=np.int8)
    beliefs[:, :10] = 1
    beliefs[:, 10:20] = -1
    actions = march.act(beliefs, rng())
    assert (actions[:, :10] == 1).all() and (actions[:, 10:20] == -1).all()
    coins = actions[:, 20:]
    assert np.isin(coins, (-1, 1)).all()
    assert abs(coins.mean()) < 0.02  # 20,000 fair flips: sd of the mean is 0.007


def test_score_is_the_sum_of_vector_times_reality():
    reality = np.array([1, -1, 1, -1], dtype=np.int8)
    vectors = np.array([[1, -1, 1, -1], [0, 0, 0, 0], [-1, 1, 1, 1]], dtype=np.int8)
    assert march.score(vectors, reality).tolist() == [4, 0, -2]


def test_socialise_moves_zero_to_code_and_opposite_to_zero_only():
    beliefs = np.array([[0, 1, -1, 1, 0]], dtype=np.int8)
    code = np.array([[1, -1, -1, 0, -1]], dtype=np.int8)
    out = march.socialise(beliefs, code, np.array([1.0]), rng())
    # 0 -> code (+1); opposite (+1 vs -1) -> 0; equal stays; code 0 changes nothing; 0 -> code (-1)
    assert out.tolist() == [[1, 0, -1, 1, -1]]
    assert (march.socialise(beliefs, code, np.array([0.0]), rng()) == beliefs).all()


def test_socialise_rate_is_p1_per_dimension():
    beliefs = np.zeros((5000, 10), dtype=np.int8)
    code = np.ones((5000, 10), dtype=np.int8)
    out = march.socialise(beliefs, code, np.full(5000, 0.3), rng())
    assert abs((out == 1).mean() - 0.3) < 0.01


def test_code_learns_strict_majority_of_superior_group_only():
    reality = np.ones(3, dtype=np.int8)
    code = np.zeros((1, 3), dtype=np.int8)  # scores 0
    actions = np.array([[1, 1, -1], [1, -1, 1], [-1, -1, -1]], dtype=np.int8)
    performance = march.score(actions, reality)  # 1, 1, -3: the third is not superior
    unit = np.zeros(3, dtype=np.int64)
    new = march.learn_code(code, actions, performance, unit, reality, 1.0, rng())
    # superior sums: dim0 = 2 (majority +1), dim1 = 0 (tie: unchanged), dim2 = 0 (tie)
    assert new.tolist() == [[1, 0, 0]]


def test_code_learning_probability_is_one_minus_one_minus_p2_to_the_margin():
    reality = np.ones(1, dtype=np.int8)
    n_units = 20000
    code = -np.ones((n_units, 1), dtype=np.int8)  # scores -1; anyone acting +1 beats it
    unit = np.repeat(np.arange(n_units), 2)
    actions = np.ones((2 * n_units, 1), dtype=np.int8)  # margin k = 2
    perf = march.score(actions, reality)
    new = march.learn_code(code, actions, perf, unit, reality, 0.3, rng())
    expected = 1 - (1 - 0.3) ** 2
    assert abs((new == 1).mean() - expected) < 0.01


def test_equilibrium_needs_full_agreement_and_no_zero_in_code():
    code = np.array([[1, -1]], dtype=np.int8)
    assert march.at_equilibrium(np.array([[1, -1]], dtype=np.int8), code)
    assert not march.at_equilibrium(np.array([[1, 0]], dtype=np.int8), code)
    zero_code = np.array([[1, 0]], dtype=np.int8)
    assert not march.at_equilibrium(np.array([[1, 0]], dtype=np.int8), zero_code)
