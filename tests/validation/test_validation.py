"""Small versions of every docking check (docs/validation.md V1-V5) through the full model, with tolerances
widened honestly for the smaller run counts (each test's docstring gives the derivation).

The full sizes run in `abm validate` (report committed under docs/validation/).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from abm.validation import (
    check_bass_continuous,
    check_bass_ticks,
    check_centola,
    check_granovetter,
    check_march_figure1,
    check_march_mix,
    check_march_turbulence,
    check_march_turnover,
    check_maturity_invariants,
    complex_contagion,
    march1991_knowledge,
    threshold_cascade,
)
from abm.validation.diffusion_checks import bass_noise
from abm.validation.march import march_params, march_runs
from abm.validation.parallel import Runner
from abm.validation.table import COLUMNS, widened


@pytest.fixture(scope="module")
def runner():
    with Runner(workers=2) as r:
        yield r


def assert_all_passed(table: pd.DataFrame) -> None:
    assert list(table.columns) == list(COLUMNS)
    failed = table[~table["passed"]]
    assert failed.empty, "\n" + failed.to_string()


def test_march_figure1_cells_match_published_values_with_widened_tolerance(runner):
    """100 runs per published cell instead of 2,000. The full tolerance 0.015 holds for 2,000 runs; a mean
    of n runs has standard error sd/sqrt(n) (sd, the run-to-run sd of knowledge, about 0.05-0.11 here), so
    the tolerance grows by 3 * sd * (1/sqrt(100) - 1/sqrt(2000)), i.e. 0.011-0.026: a cell fails only if
    a full-size check would, up to 3-sigma noise (`abm.validation.table.widened`)."""
    table = check_march_figure1(runs=100, curve_runs=40, p1_grid=(0.1, 0.5, 0.9), runner=runner)
    assert_all_passed(table)
    cells = table[table["check"] == "march_fig1_cell"]
    assert len(cells) == 6
    assert (cells["tolerance"] > 0.015).all() and (cells["tolerance"] < 0.045).all()


def test_widened_tolerance_is_the_full_one_at_full_size_and_grows_with_fewer_runs():
    assert widened(0.015, 0.1, 2000, 2000) == 0.015
    assert widened(0.015, 0.1, 200, 2000) == pytest.approx(0.015 + 0.3 * (200 ** -0.5 - 2000 ** -0.5))


def test_march_runs_are_identical_whatever_the_number_of_workers(runner):
    params = march_params(0.5, 0.5)
    serial = march_runs(params, 30, seed=3)
    parallel = march_runs(params, 30, seed=3, runner=runner)
    np.testing.assert_array_equal(serial.knowledge, parallel.knowledge)
    assert not np.array_equal(serial.knowledge, march_runs(params, 30, seed=4).knowledge)


def test_march_knowledge_function_falls_with_socialisation_rate():
    """40 runs: standard errors about 0.01, while the published gap between p1 = 0.1 and 0.9 is 0.21."""
    slow = march1991_knowledge(0.1, 0.5, runs=40)
    fast = march1991_knowledge(0.9, 0.5, runs=40)
    assert slow - fast > 0.15


def test_march_knowledge_after_periods_and_with_a_mix_of_rates():
    early = march1991_knowledge(0.5, 0.5, runs=20, periods=3)
    assert 0.0 < early < march1991_knowledge(0.5, 0.5, runs=20)
    with pytest.raises(Exception, match="n_staff"):
        march1991_knowledge(0.5, 0.5, runs=2, p1_mix=[0.1, 0.9])
    with pytest.raises(Exception, match="periods"):
        march1991_knowledge(0.5, 0.5, p3=0.1, runs=2)


def test_march_mix_of_fast_and_slow_learners_beats_homogeneous(runner):
    """100 runs per population instead of 1,000. The run-to-run sd is about 0.07 (mixed) and 0.09
    (homogeneous), so the gain has SE about 0.011: the full check's margin 0.05 + 3 SE would leave only
    1.2 SE of room around the measured gain 0.096, so this test asserts the direction by 3 SE (margin 0)."""
    assert_all_passed(check_march_mix(runs=100, margin=0.0, runner=runner))


def test_march_turbulence_decays_without_turnover_and_is_sustained_with_it(runner):
    """80 runs instead of 300, same margins. Measured at 80 runs: with turnover, (mean of the last 20
    periods) - (mean of periods 30-50) has mean 0.00 and SE 0.017, so the margin 0.05 is 3 SE; without
    turnover the late level 0.07 (SE 0.02) lies 0.59 below the peak, against a margin of 0.3."""
    assert_all_passed(check_march_turbulence(runs=80, runner=runner))


def test_march_moderate_turnover_helps_slow_socialisers_heavy_turnover_hurts(runner):
    """120 runs per turnover rate instead of 500. The run-to-run sd of knowledge after 100 periods is about
    0.04-0.05 (measured), so the difference of two means has SE about 0.0055 at 120 runs: the full check's
    margin 0.01 for "moderate helps" (measured gain 0.033) cannot be resolved from 3 SE = 0.017 of noise,
    so this test asserts the direction by 3 SE (margin 0) and keeps the 0.05 margin for "heavy hurts"
    (measured 0.13, SE about 0.01)."""
    table = check_march_turnover(runs=120, p3_grid=(0.0, 0.02, 0.2), margin_helps=0.0, runner=runner)
    assert_all_passed(table)


def test_bass_continuous_time_matches_the_closed_form(runner):
    """N = 10,000 and 4 runs instead of 20, dt = 0.05 instead of 0.02. The run-to-run sd of F(t) is at
    most about 1.5/sqrt(N) (measured), so the mean curve's SE is 1.5/sqrt(N runs) = 0.0075 here and
    0.0034 at full size: widen by 3 SE (0.0225); dt = 0.05 adds 0.0034 of discretisation error
    (0.0056 vs 0.0022, computed from the expected recursion), rounded up to 0.004. The peak time's
    allowance is the curve's 3 SE divided by the steepest slope f(t*) = 0.11 (0.20 weeks)."""
    widen, widen_peak = bass_noise(10_000, 4)
    table = check_bass_continuous(10_000, runs=4, dt=0.05, widen=widen + 0.004, widen_peak=widen_peak, runner=runner)
    assert_all_passed(table)
    assert table.attrs["curve"]["time"].iloc[-1] == pytest.approx(30.0)


def test_bass_weekly_ticks_match_the_discrete_recursion_not_the_closed_form(runner):
    """10 runs instead of 100: the mean curve's SE grows from 1.5/sqrt(10^6) to 1.5/sqrt(10^5), so the
    tolerance 0.005 gains 3 SE = 0.014."""
    table = check_bass_ticks(10_000, runs=10, widen=bass_noise(10_000, 10)[0], runner=runner)
    assert_all_passed(table)


def test_granovetter_thresholds_are_exact_for_every_seed():
    assert_all_passed(check_granovetter(seeds=(0, 1, 2)))
    assert threshold_cascade([0, 1, 2, 3]) == 4
    assert threshold_cascade([1, 1, 2, 3]) == 0


def test_centola_complex_contagion_needs_clustered_ties(runner):
    """4 networks per point instead of 30: the ring and threshold-1 outcomes are deterministic (1.0);
    at rewiring 0.1 and 1 the share is below 0.02 on every network, so the criteria need no widening."""
    assert_all_passed(check_centola(networks=4, rewirings=(0.0, 0.1, 1.0), runner=runner))
    assert complex_contagion(n_staff=200, rewiring=0.0, threshold=2, networks=2) == 1.0


def test_maturity_invariants_hold_on_every_step_of_every_practice():
    assert_all_passed(check_maturity_invariants(weeks=26, seeds=(0,)))


def test_peak_estimate_recovers_the_closed_form_peak_time():
    from abm.validation.bass import bass_analytic, peak_time
    from abm.validation.diffusion_checks import peak_estimate

    t = np.arange(1501) * 0.02
    curve = pd.Series(bass_analytic(t, 0.03, 0.38), index=t)
    assert peak_estimate(curve) == pytest.approx(peak_time(0.03, 0.38), abs=0.005)
