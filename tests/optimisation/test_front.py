"""The Pareto front and the regret of named practices, on designs whose answer is known."""

import numpy as np
import pandas as pd
import pytest

from abm.optimisation.front import dominated, on_front, regret
from abm.optimisation.search import trial_seed


def table(rows):
    return pd.DataFrame(rows, columns=["design", "kind", "care", "maturity"])


def test_dominated_designs_are_found():
    v = np.array([[1.0, 1.0], [2.0, 0.5], [0.5, 0.5], [1.0, 1.0], [2.0, 0.5]])
    # (0.5, 0.5) is beaten by every other; ties dominate no one
    assert dominated(v).tolist() == [False, False, True, False, False]


def test_front_respects_directions():
    t = table([("a", "trial", 1.0, 10.0), ("b", "trial", 2.0, 20.0), ("c", "trial", 3.0, 5.0)])
    assert on_front(t, ["care", "maturity"], [1, 1]).tolist() == [False, True, True]
    # minimising maturity: c (more care, less maturity) beats a and b on both
    assert on_front(t, ["care", "maturity"], [1, -1]).tolist() == [False, False, True]
    assert on_front(t, ["care", "maturity"], [-1, -1]).tolist() == [True, False, True]


def test_regret_is_the_additive_epsilon_against_the_front():
    t = table([("front1", "trial", 10.0, 0.0), ("front2", "trial", 0.0, 100.0), ("front3", "trial", 6.0, 60.0),
               ("p_on", "named", 8.0, 10.0), ("p_behind", "named", 4.0, 40.0)])
    front = on_front(t, ["care", "maturity"], [1, 1])
    assert front.tolist() == [True, True, True, True, False]
    r = regret(t, ["care", "maturity"], [1, 1], front).set_index("practice")
    assert r.at["p_on", "regret"] == 0.0 and r.at["p_on", "on_front"]
    # front3 beats p_behind by 2 of 10 in care and 20 of 100 in maturity: 20% of each range
    assert r.at["p_behind", "regret"] == pytest.approx(0.2)
    assert r.at["p_behind", "closest_front_design"] == "front3"
    assert r.at["p_behind", "gain_care"] == pytest.approx(2.0) and r.at["p_behind", "gain_maturity"] == 20.0
    assert r.at["p_behind", "best_care"] == 10.0 and r.at["p_behind", "best_maturity"] == 100.0


def test_trial_seeds_are_distinct_and_fixed():
    seeds = [trial_seed(1, n) for n in range(200)]
    assert len(set(seeds)) == 200 and seeds[:2] == [trial_seed(1, 0), trial_seed(1, 1)]
    assert trial_seed(2, 0) != trial_seed(1, 0)
