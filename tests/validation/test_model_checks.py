"""Small versions of the model checks (docs/validation.md, "Model checks", M1-M7) through the full model:
a few seeds, short horizons, the small presets, and a handful of parameters for M4 and M7. The criteria are
the full checks' own; what a small size cannot show is said in each test's docstring.

The full sizes run in `abm validate --suite model` (report committed as docs/validation/model_checks.md).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from abm.cli import main
from abm.core.params import GROUPS
from abm.validation import lever_checks
from abm.validation.lever_checks import (
    DOCKING_ONLY,
    PRACTICE_OF,
    app_lever_keys,
    check_no_inert_lever,
    low_high,
    screen_ranges,
)
from abm.validation.mechanism_checks import (
    check_aspiration,
    check_contacts,
    check_experience,
    check_judgement,
    check_repilots,
)
from abm.validation.model_checks import (
    MODEL_COLUMNS,
    check_environment_matters,
    check_equal_budget,
    check_mandates,
    check_size,
)
from abm.validation.model_report import failed_table
from abm.validation.model_runs import composed, paired, vary
from abm.validation.morris_check import check_morris_screen
from abm.validation.parallel import Runner

REPO = Path(__file__).resolve().parents[2]
SCREEN_FILE = REPO / "experiments" / "morris_screen.yaml"
QUICK = {"seeds": 3, "weeks": 104, "preset": "small"}  # shared, so the checks reuse each other's runs
# Effects that build up through 20 units' codes and networks (cross-unit ties, scaling experience) need the
# default region: on the small one (5 units) 3-4 seeds cannot tell them from the seed-to-seed spread.
DEFAULT = {"seeds": 4, "weeks": 104, "preset": "default"}


@pytest.fixture(scope="module")
def runner():
    with Runner(workers=2) as r:
        yield r


def assert_all_passed(table: pd.DataFrame) -> None:
    assert list(table.columns) == list(MODEL_COLUMNS)
    assert isinstance(table.attrs.get("sentence"), str) and table.attrs["sentence"].endswith(".")
    failed = table[~table["passed"]]
    assert failed.empty, "\n" + failed.to_string()


def test_every_exploring_practice_spends_its_budget_at_two_sizes(runner):
    """The budget account makes up what was not spent (or overspent) within `carryover_weeks` (26), so 2 seeds
    of 104 weeks at the small and default presets need the full tolerance (10%) only; in 52 weeks adaptive's
    early overspending is not yet made up (measured 0.11 against 0.10)."""
    table = check_equal_budget(seeds=2, weeks=104, presets=("small", "default"), runner=runner)
    assert len(table) == 10
    assert_all_passed(table)


def test_every_practice_depends_on_the_environment(runner):
    """Turbulence and the pandemic shock start within the first two years, so 104 weeks show them."""
    table = check_environment_matters(runner=runner, **QUICK)
    assert len(table) == 6
    assert_all_passed(table)


def test_mandates_reach_every_practice_exploit_only_included(runner):
    """The first mandate's deadline is week 156; rolled out from its arrival, it is under way by week 104."""
    table = check_mandates(runner=runner, **QUICK)
    assert set(table["parameters"].str.split(",").str[0]) == {"exploit_only", "contextual", "structural",
                                                             "sequential", "networked", "adaptive"}
    assert_all_passed(table)
    assert (table["measured"] > 0).all()


def test_a_few_levers_each_move_a_headline_outcome(runner):
    """Four parameters (an app lever, a practice field under its own practice, the slack under units) at
    their 10th and 90th percentiles, 4 seeds of 104 weeks of the default region."""
    keys = ("practice.budget", "management.training_rate", "practice.cross_share", "practice.slack_sensitivity")
    table = check_no_inert_lever(only=keys, runner=runner, **DEFAULT)
    assert len(table) == 4
    assert_all_passed(table)
    effects = table.attrs["effects"].set_index("parameter")
    assert effects.loc["practice.cross_share", "practice"] == "networked"


def test_a_parameter_tested_where_nothing_reads_it_is_reported_inert(runner, monkeypatch):
    """The check can fail: cross_share under contextual (only `networked` reads it) moves nothing, exactly,
    since both runs share every random stream."""
    monkeypatch.setitem(PRACTICE_OF, "practice.cross_share", "contextual")
    table = check_no_inert_lever(only=("practice.cross_share",), seeds=2, weeks=26, preset="small", runner=runner)
    assert not table["passed"].any()
    assert table.attrs["effects"]["verdict"].tolist() == ["INERT: identical runs"]
    assert table.attrs["effects"]["diff"].tolist() == [0.0]
    assert table.attrs["effects"]["seeds"].tolist() == [2]  # identical runs: no second stage


def test_a_lever_not_detected_is_run_again_at_four_times_the_seeds(runner):
    """At 2 seeds the paired t interval (1 degree of freedom) holds almost any difference, so a lever that
    changes the runs is not detected there and goes to the second stage, at 8 seeds."""
    table = check_no_inert_lever(only=("management.judgement_noise",), seeds=2, weeks=104, preset="small",
                                 runner=runner)
    effects = table.attrs["effects"]
    assert effects["seeds"].tolist() == [8]
    assert "8 seeds (not detected at 2)" in table["parameters"].iloc[0]
    assert effects["verdict"].iloc[0] in ("moves (a small effect)", "INERT: not detected")


def test_every_app_lever_is_a_numeric_parameter_with_a_screening_range():
    ranges = screen_ranges()
    for key in app_lever_keys():
        assert lever_checks.is_parameter(key), key
        assert key in ranges, key


def test_a_lever_the_app_offers_under_one_practice_is_tested_under_that_practice():
    for key, lever in lever_checks.app_levers().items():
        if len(lever.practices) == 1:
            assert PRACTICE_OF.get(key) == lever.practices[0], key


def test_low_and_high_are_the_10th_and_90th_percentiles_or_the_ends_of_a_short_integer_range():
    assert low_high(0.0, 1.0, False) == pytest.approx((0.1, 0.9))
    assert low_high(12, 156, True) == (26, 142)
    assert low_high(1, 6, True) == (1, 6)


def test_the_size_presets_agree_within_20_percent_in_maturity(runner):
    """Small (120 staff, 5 units) against default (600, 20) on 3 seeds of 104 weeks: maturity only. The
    adoption and remote shares are left to the full size (region against default, 10 seeds, 260 weeks): in
    the first two years they are a few per cent, and on 5 units 3 seeds cannot pin them within 20%."""
    table = check_size(seeds=3, weeks=104, presets=("small", "default"), runner=runner)
    shown = table[table["parameters"].str.contains("maturity_total")]
    assert len(shown) == 6
    assert_all_passed(shown)


def test_cross_unit_ties_change_beliefs_and_code_knowledge(runner):
    assert_all_passed(check_contacts(runner=runner, **DEFAULT))


def test_a_demand_shock_raises_adaptive_exploration(runner):
    """The shock runs in weeks 104-129, so the runs last 131 weeks whatever the horizon asked."""
    table = check_aspiration(runner=runner, **QUICK)
    assert_all_passed(table)
    assert table.attrs["curves"]["week"].max() >= 130


def test_failed_pilots_are_piloted_again_in_some_runs(runner):
    assert_all_passed(check_repilots(runner=runner, **QUICK))


def test_a_unit_with_a_better_code_judges_pilots_better(runner):
    assert_all_passed(check_judgement(seeds=8, preset="small", runner=runner))


def test_managements_scaling_capacity_grows_with_experience(runner):
    """3 seeds of the full horizon (in two years a run may not have scaled a service yet): only the growth of
    the capacity is asserted; the censored response time needs the full size's 10 seeds."""
    table = check_experience(seeds=3, weeks=260, preset="default", runner=runner)
    assert_all_passed(table[table["check"] == "experience_grows_scaling_capacity"])


def test_paired_differences_use_common_seeds():
    a = pd.Series([1.0, 2.0, 3.0], index=[0, 1, 2])
    d = paired(a, a + 0.5)
    assert d.diff == pytest.approx(0.5) and d.lo == d.hi == pytest.approx(0.5) and d.beyond
    assert not paired(a, a).beyond


def numeric_fields() -> set[str]:
    return {f"{g}.{f.name}" for g, cls in GROUPS.items() if g != "scenario" for f in dataclasses.fields(cls)
            if "range" in f.metadata} - set(DOCKING_ONLY)


def test_the_morris_screen_covers_every_numeric_parameter_but_docking_switches():
    params = yaml.safe_load(SCREEN_FILE.read_text())["sensitivity"]["params"]
    assert set(params) == numeric_fields()


def test_the_morris_ranges_lie_in_each_fields_range_and_every_combination_is_valid():
    """Each range inside its field's metadata range, and 300 random points of the box (plus its two
    corners) build valid parameters: the cross-field checks hold everywhere in the design."""
    ranges = screen_ranges()
    for key, (lo, hi, _) in ranges.items():
        group, name = key.split(".")
        meta = next(f for f in dataclasses.fields(GROUPS[group]) if f.name == name).metadata["range"]
        assert meta[0] <= lo < hi <= meta[1], key
    base = composed(("practice=adaptive", "environment=stable", "organisation=default"))
    rng = np.random.default_rng(0)
    points = [{k: v[0] for k, v in ranges.items()}, {k: v[1] for k, v in ranges.items()}]
    for _ in range(300):
        points.append({k: (int(rng.integers(lo, hi + 1)) if is_int else float(rng.uniform(lo, hi)))
                       for k, (lo, hi, is_int) in ranges.items()})
    for point in points:
        vary(base, **point)


def tiny_screen(tmp_path: Path) -> Path:
    data = yaml.safe_load(SCREEN_FILE.read_text())
    keep = ["practice.budget", "learning.p_socialise", "practice.cross_share", "adoption.w_social"]
    data["sensitivity"] = dict(data["sensitivity"], trajectories=2,
                               params={k: data["sensitivity"]["params"][k] for k in keep})
    data["name"] = "morris_screen_tiny"
    data["base"] = [*data["base"], "weeks=26", "organisation=small"]
    path = tmp_path / "morris_screen_tiny.yaml"
    path.write_text("# What it asks: the Morris screen, tiny\n# Run: uv run abm experiment morris_screen_tiny\n"
                    + yaml.safe_dump(data, sort_keys=False))
    return path


def test_a_tiny_morris_screen_runs_through_the_experiment_and_sensitivity_commands(tmp_path):
    """2 trajectories over 4 parameters (10 points), 26 weeks of the small region, the shipped file's form."""
    root, out = tmp_path / "store", tmp_path / "sens"
    assert main(["experiment", str(tiny_screen(tmp_path)), "--root", str(root), "--workers", "1",
                 "--no-progress"]) == 0
    assert main(["sensitivity", "morris_screen_tiny", "--root", str(root), "--out", str(out)]) == 0
    table = pd.read_csv(out / "morris_maturity_total.csv").set_index("param")
    assert len(table) == 4
    assert table.loc["practice.cross_share", "mu_star"] == 0.0  # only `networked` reads it
    assert (out / "morris_indices.png").stat().st_size > 0


def test_the_morris_check_runs_the_screen_file_and_finds_other_practices_inert(tmp_path):
    table = check_morris_screen(trajectories=2, params=("practice.budget", "learning.p_socialise",
                                                        "practice.cross_share", "management.training_rate"),
                                weeks=26, preset="small", root=tmp_path)
    assert_all_passed(table)
    assert (tmp_path / "morris_screen_small" / "experiment.yaml").is_file()
    assert set(table.attrs["indices"]["metric"]) == set(yaml.safe_load(SCREEN_FILE.read_text())["metrics"])


def test_abm_validate_suite_model_writes_a_stamped_report(tmp_path, capsys):
    out = tmp_path / "report"
    code = main(["validate", "--suite", "model", "--quick", "--only", "equal_budget,mandates", "--out", str(out),
                 "--workers", "2"])
    assert code == 0, capsys.readouterr().out
    text = (out / "model_checks.md").read_text()
    assert "## M1 Equal budget" in text and "## M3 Mandates reach everyone" in text and "git commit" in text
    assert "ehealth-abm" in text and "![M1 Equal budget](model_equal_budget.png)" in text
    assert (out / "model_equal_budget.png").stat().st_size > 0
    assert set(pd.read_csv(out / "model_checks.csv").columns) == set(MODEL_COLUMNS)


def test_abm_validate_refuses_a_check_of_the_other_suite(tmp_path, capsys):
    out = tmp_path / "report"
    assert main(["validate", "--suite", "model", "--only", "march_figure1", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "--only='march_figure1' is not allowed" in err and "--suite model" in err
    assert not out.exists()


def test_a_check_that_raises_is_one_failing_row_naming_the_error():
    try:
        raise KeyError("metric 'x' is not in the model's region table")
    except KeyError as exc:
        table = failed_table("levers", exc)
    assert len(table) == 1 and not table["passed"].iloc[0]
    assert "KeyError" in table["criterion"].iloc[0] and "did not run" in table.attrs["sentence"]
