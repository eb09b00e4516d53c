"""The scenarios are a reproducible Latin hypercube with shared, deterministic seeds; PRIM's wiring recovers a
planted rule; the headline box and the base rate follow their stated definitions."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from abm.discovery.prim import base_rate, box_stats, headline_box, most_restricted, run_prim
from abm.discovery.sampling import latin_hypercube, scenario_seeds
from abm.discovery.spec import Factor

FACTORS = (Factor("environment.p_turbulence", 0.0, 0.005, False), Factor("environment.shock_week", 26, 208, True),
           Factor("services.advantage_scale", 0.5, 1.5, False))


def test_the_latin_hypercube_is_reproducible_and_stratified():
    a, b = latin_hypercube(FACTORS, 40, seed=7), latin_hypercube(FACTORS, 40, seed=7)
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert not latin_hypercube(FACTORS, 40, seed=8).equals(a)
    assert a["environment.shock_week"].dtype == np.int64 and a["environment.p_turbulence"].dtype == np.float64
    for f in FACTORS:
        assert a[f.key].min() >= f.low and a[f.key].max() <= f.high
    for f in (FACTORS[0], FACTORS[2]):  # one point in each of the 40 equal strata of a float factor
        strata = np.floor((a[f.key] - f.low) / (f.high - f.low) * 40).astype(int)
        assert sorted(strata) == list(range(40))


def test_an_integer_factor_reaches_both_ends_with_equal_shares():
    table = latin_hypercube((Factor("services.mandate_delay", 0, 3, True),), 400, seed=1)
    counts = table["services.mandate_delay"].value_counts().sort_index()
    assert list(counts.index) == [0, 1, 2, 3] and (counts == 100).all()


def test_scenario_seeds_depend_on_the_seed_and_the_scenario_only():
    assert scenario_seeds(1, 3, 4) == scenario_seeds(1, 3, 4)
    assert scenario_seeds(1, 3, 2) == scenario_seeds(1, 3, 4)[:2]
    assert scenario_seeds(1, 3, 4) != scenario_seeds(1, 4, 4) != scenario_seeds(2, 3, 4)
    assert all(0 <= s < 2**31 for s in scenario_seeds(5, 0, 100))


def planted(n: int = 300, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = pd.DataFrame({"x1": rng.random(n), "x2": rng.random(n), "x3": rng.integers(0, 50, n)})
    return x, (x["x1"] > 0.7).to_numpy()


def test_prim_recovers_a_planted_rule_on_the_right_factor_near_the_right_limit():
    x, y = planted()
    result = run_prim(x, y, threshold=0.8, peel_alpha=0.05, mass_min=0.05)
    assert result.headline is not None and result.meets_threshold
    row = result.trajectory.loc[result.headline]
    assert row["density"] == 1.0 and row["coverage"] >= 0.9 and row["restricted"] == "x1"
    limits = result.headline_limits()
    assert list(limits["factor"]) == ["x1"] and bool(limits["low_restricted"].iloc[0])
    assert 0.68 <= limits["low"].iloc[0] <= 0.75
    assert limits["qp_low"].iloc[0] < 1e-6 and math.isnan(limits["qp_high"].iloc[0])
    assert most_restricted(result, ["x1", "x2", "x3"], {"x1": (0, 1), "x2": (0, 1), "x3": (0, 49)})[0] == "x1"
    kept = result.significant_limits()  # the planted limit is the one that matters
    assert list(kept["factor"]) == ["x1"] and kept["high"].iloc[0] == kept["full_high"].iloc[0]
    stats = box_stats(x, y, kept)
    assert stats["density"] == 1.0 and stats["coverage"] == row["coverage"] and stats["n"] == row["n"]
    again = run_prim(x, y, threshold=0.8, peel_alpha=0.05, mass_min=0.05)  # deterministic
    pd.testing.assert_frame_equal(again.trajectory, result.trajectory, check_exact=True)
    pd.testing.assert_frame_equal(again.limits, result.limits, check_exact=True)


def test_prim_finds_nothing_without_noise_free_factors():
    x, _ = planted()
    y = np.random.default_rng(3).random(len(x)) < 0.3  # wins at random: the headline stays near the base rate
    result = run_prim(x, y, threshold=0.8, peel_alpha=0.05, mass_min=0.05)
    assert not result.meets_threshold
    assert result.trajectory.loc[result.headline, "density"] < 0.6


def test_no_wins_or_only_wins_leave_prim_nothing_to_find():
    x, _ = planted(20)
    for y, reason in ((np.zeros(20, bool), "no scenario"), (np.ones(20, bool), "every scenario")):
        result = run_prim(x, y, threshold=0.8, peel_alpha=0.05, mass_min=0.05)
        assert result.headline is None and reason in result.reason and result.trajectory.empty


def test_the_headline_is_the_densest_box_that_keeps_half_the_wins():
    t = pd.DataFrame({"coverage": [1.0, 0.9, 0.6, 0.5, 0.4], "density": [0.2, 0.5, 0.7, 0.7, 0.95]})
    assert headline_box(t) == 2  # box 4 is denser but covers less than half; boxes 2 and 3 tie: the larger


@pytest.mark.parametrize(("k", "n", "low", "high"), [(0, 10, 0.0, 0.2775), (5, 10, 0.2366, 0.7634),
                                                     (60, 200, 0.2407, 0.3668)])
def test_the_base_rate_has_the_wilson_interval(k, n, low, high):
    p, lo, hi = base_rate(np.arange(n) < k)
    assert p == k / n and lo == pytest.approx(low, abs=1e-4) and hi == pytest.approx(high, abs=1e-4)
