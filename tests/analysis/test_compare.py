"""`abm compare` statistics and reports, sensitivity designs and indices, and the experiment files."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from abm.analysis.compare import compare
from abm.analysis.sensitivity import indices
from abm.analysis.stats import t_interval
from abm.cli import main
from abm.experiments.spec import load_spec, sweep_points
from abm.store.reader import load_region
from tests.helpers.experiment_helpers import REPO, run_in_process

A = ("name: cmp_a\ndescription: compare test\nbase: [organisation=small, weeks=8]\n"
     "sweep:\n  practice: exploit_only,contextual\nseeds: 4\nmetrics: [maturity_total, care_production]\n"
     "baseline: practice=exploit_only\n")
B = A.replace("cmp_a", "cmp_b").replace("weeks=8]", "weeks=8, learning.p_turnover=0.01]")


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("cmp")
    run_in_process(A, tmp, tmp / "results", "a")
    run_in_process(B, tmp, tmp / "results", "b")
    return tmp / "results"


def test_t_interval_matches_scipy() -> None:
    x = np.array([1.0, 2.0, 4.0, 7.0])
    mean, sd, lo, hi = t_interval(x)
    ref = stats.t.interval(0.95, 3, loc=x.mean(), scale=stats.sem(x))
    assert mean == pytest.approx(3.5) and (lo, hi) == pytest.approx(ref)
    assert math.isnan(t_interval(np.array([1.0]))[2])


def test_paired_differences_over_common_seeds(root: Path) -> None:
    c = compare(["cmp_a"], root=root)
    assert c.week == 8 and c.baseline == ("practice", "exploit_only")
    final = load_region("cmp_a", root, metrics=["maturity_total"])
    final = final[final["week"] == 8].pivot(index="seed", columns="practice", values="maturity_total")
    diff = (final["contextual"] - final["exploit_only"]).to_numpy()
    row = c.paired.query("practice == 'contextual' and metric == 'maturity_total'").iloc[0]
    ref = stats.t.interval(0.95, 3, loc=diff.mean(), scale=stats.sem(diff))
    assert row["n_pairs"] == 4 and row["diff"] == pytest.approx(diff.mean())
    assert (row["diff_lo"], row["diff_hi"]) == pytest.approx(ref)
    assert row["d_z"] == pytest.approx(diff.mean() / diff.std(ddof=1))
    base = c.paired.query("practice == 'exploit_only'")
    assert base["n_pairs"].eq(0).all()


def test_compare_cli_writes_table_markdown_csv_and_figures(root: Path, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report"
    assert main(["compare", "cmp_a", "--root", str(root), "--metric", "maturity_total", "--week", "4",
                 "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "week 4, baseline practice=exploit_only" in printed and "contextual" in printed
    for f in ("report.md", "summary.csv", "paired.csv", "timeseries.png", "timeseries.svg",
              "final_distributions.png", "final_distributions.svg"):
        assert (out / f).stat().st_size > 0, f
    assert "| practice | metric | n | mean [95% CI]" in (out / "report.md").read_text()
    assert main(["compare", "cmp_a", "--root", str(root), "--baseline", "practice=nope"]) == 2
    assert "no configuration has practice=nope" in capsys.readouterr().err


def test_two_experiments_show_differing_keys(root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    c = compare(["cmp_a", "cmp_b"], root=root)
    assert c.keys[0] == "experiment" and "learning.p_turnover" in set(c.differing["key"])
    assert "practice.name" in set(c.differing["key"])
    row = c.paired.query("experiment == 'cmp_b' and practice == 'contextual' and metric == 'maturity_total'")
    assert row["n_pairs"].iloc[0] == 4  # paired with cmp_a's contextual runs over the same seeds
    assert main(["compare", "cmp_a", "cmp_b", "--root", str(root), "--out", str(tmp_path / "ab"),
                 "--no-figures"]) == 0
    assert "learning.p_turnover" in capsys.readouterr().out


@pytest.mark.parametrize("method, block, n_points", [
    ("morris", "  method: morris\n  trajectories: 3\n  levels: 4\n", 9),
    ("sobol", "  method: sobol\n  samples: 4\n", 16),
])
def test_sensitivity_design_runs_as_a_sweep(method: str, block: str, n_points: int, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    text = (f"name: sens_{method}\nbase: [organisation=small, weeks=6]\nsensitivity:\n{block}"
            "  params:\n    practice.budget: [0.0, 0.4]\n    learning.p_socialise: [0.01, 0.5]\nseeds: 1\n"
            "metrics: [maturity_total]\n")
    run_in_process(text, tmp_path, tmp_path / "results")
    spec = load_spec(str(tmp_path / "spec.yaml"))
    assert len(sweep_points(spec)) == n_points
    table = indices(f"sens_{method}", "maturity_total", root=tmp_path / "results")
    assert list(table["param"].sort_values()) == ["learning.p_socialise", "practice.budget"]
    assert np.isfinite(table.iloc[:, 1]).all()
    assert main(["sensitivity", f"sens_{method}", "--root", str(tmp_path / "results")]) == 0
    out = tmp_path / "results" / f"sens_{method}" / "sensitivity"
    assert (out / f"{method}_indices.svg").is_file()
    assert "ehealth-abm" in (out / "report.md").read_text()  # stamped with version, commit and date




@pytest.mark.parametrize("name", sorted(p.stem for p in (REPO / "experiments").glob("*.yaml")
                                         if "\nkind: " not in p.read_text()))  # searches: their own tests
def test_experiment_files_are_valid(name: str) -> None:
    """Every shipped experiment parses; sweeps compose fully (and compare at least two configurations), designs
    at their first and last point (the rules of tests/helpers/experiment_files.py, which saved scenarios meet)."""
    from tests.helpers.experiment_files import check_experiment_file

    assert load_spec(name).path.resolve() == (REPO / "experiments" / f"{name}.yaml").resolve()
    configs = check_experiment_file(name)
    assert configs is None or len(configs) >= 2


def test_two_experiments_with_different_swept_keys_compare(root: Path, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    other = ("name: cmp_env\nbase: [organisation=small, weeks=8]\nsweep:\n  environment: stable,turbulent\n"
             "seeds: 4\nmetrics: [maturity_total, care_production]\nbaseline: environment=stable\n")
    run_in_process(other, tmp_path, root, "env")
    out = tmp_path / "mixed"
    assert main(["compare", "cmp_a", "cmp_env", "--root", str(root), "--out", str(out)]) == 0
    c = compare(["cmp_a", "cmp_env"], root=root)
    assert c.keys == ["experiment", "practice", "environment"]
    assert set(c.final.query("experiment == 'cmp_env'")["practice"]) == {"(not swept)"}
    assert (out / "timeseries.png").stat().st_size > 0 and "cmp_env" in (out / "report.md").read_text()


def test_a_report_for_another_week_goes_to_its_own_folder(root: Path) -> None:
    base = root / "cmp_a" / "compare"
    assert main(["compare", "cmp_a", "--root", str(root), "--no-figures"]) == 0
    last = (base / "report.md").read_text()
    assert main(["compare", "cmp_a", "--root", str(root), "--week", "4", "--no-figures"]) == 0
    assert "Week 4;" in (base / "week4" / "report.md").read_text()
    assert (base / "report.md").read_text() == last and "Week 8;" in last


def test_reports_and_figures_carry_version_commit_and_date(root: Path, tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from PIL import Image

    from abm import __version__
    from abm.simulation import git_commit

    out = tmp_path / "stamped"
    assert main(["compare", "cmp_a", "--root", str(root), "--out", str(out)]) == 0
    stamp = f"ehealth-abm {__version__}, commit {git_commit() or 'unknown'}, {datetime.now(UTC):%Y-%m-%d}"
    assert stamp in (out / "report.md").read_text()
    assert Image.open(out / "timeseries.png").text["Description"] == stamp
    assert stamp in (out / "final_distributions.svg").read_text()
