"""Run means over weeks 1..W beside the values at week W: abm.analysis.stats.run_means, the `abm run` summary
table, and `abm compare`'s tables, CSVs and report, each checked against pandas and scipy computed here."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from abm.analysis.compare import compare
from abm.analysis.markdown import fmt
from abm.analysis.stats import run_means
from abm.analysis.summary import SUMMARY_METRICS, summary_table
from abm.cli import main
from abm.core.metrics import REGISTRY
from abm.store.reader import load_region
from tests.helpers.experiment_helpers import run_in_process

NAME = "means_a"
METRICS = ["maturity_total", "care_production"]
LAST = 10
SPEC = (f"name: {NAME}\nbase: [organisation=small, weeks={LAST}]\nsweep:\n  practice: exploit_only,contextual\n"
        f"seeds: 4\nmetrics: [{', '.join(METRICS)}]\nbaseline: practice=exploit_only\n")


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("means")
    run_in_process(SPEC, tmp, tmp / "results", NAME)
    return tmp / "results"


def pandas_means(root: Path, upto: int, first: int = 1) -> pd.DataFrame:
    """Each run's mean over weeks first..upto, per (practice, seed), straight from the store's region table."""
    region = load_region(NAME, root, metrics=METRICS)
    window = region[(region["week"] >= first) & (region["week"] <= upto)]
    return window.groupby(["practice", "seed"])[METRICS].mean().sort_index()


def test_a_run_mean_averages_weeks_1_to_w_and_leaves_out_week_0() -> None:
    region = pd.DataFrame({"seed": [1] * 4 + [0] * 4, "week": [0, 1, 2, 3] * 2,
                           "x": [100.0, 1.0, 2.0, 30.0, -100.0, 4.0, math.nan, 50.0]})
    got = run_means(region, ["x"], 2, by=["seed"])
    assert list(got["seed"]) == [1, 0]  # runs in the order they first appear
    assert got["x"].tolist() == [1.5, 4.0]  # weeks 0 and 3 left out; an undefined week skipped
    assert run_means(region[region["seed"] == 1], ["x"], 3)["x"].tolist() == [11.0]  # one run's table
    assert run_means(region, ["x"], 0, by=["seed"])["x"].isna().all()  # no week after the initial state


def test_the_run_summary_reports_the_mean_over_weeks_1_to_the_end_beside_the_last_week() -> None:
    import abm

    region = abm.run(["organisation=small", "weeks=30", "seed=2"]).region
    table = summary_table(region).set_index("outcome")
    assert list(table.columns[-2:]) == ["week 30", "run mean"]
    by_week = region.set_index("week")
    for name in SUMMARY_METRICS:
        want = by_week.loc[1:30, name].mean()
        assert table.loc[REGISTRY[name].label, "run mean"] == pytest.approx(want, nan_ok=True), name
    # the data tell the definitions apart: with week 0 the maturity mean would be another number
    assert by_week.loc[0:30, "maturity_total"].mean() != pytest.approx(by_week.loc[1:30, "maturity_total"].mean())
    # turnover keeps the table's convention for that flow: a total over the column's weeks
    assert table.loc["Staff who left (turnover)", "run mean"] == by_week.loc[1:30, "new_leavers"].sum()


@pytest.mark.parametrize("week", [None, 4])
def test_compare_reports_each_runs_mean_over_weeks_1_to_w(root: Path, week: int | None) -> None:
    c = compare([NAME], root=root, week=week)
    upto = LAST if week is None else week
    want = pandas_means(root, upto)
    got = c.means.set_index(["practice", "seed"])[METRICS].sort_index()
    pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-12)
    # the data tell the definitions apart: with week 0, or to the last week, the means would differ
    assert not np.allclose(pandas_means(root, upto, first=0)["maturity_total"], want["maturity_total"])
    if week is not None:
        assert not np.allclose(pandas_means(root, LAST)["maturity_total"], want["maturity_total"])
    for (practice, metric), row in c.summary.set_index(["practice", "metric"]).iterrows():
        x = want.loc[practice, metric].to_numpy()
        ref = stats.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
        assert row["n_mean"] == 4 and row["mean_mean"] == pytest.approx(x.mean())
        assert row["sd_mean"] == pytest.approx(x.std(ddof=1))
        if x.std() > 0:
            assert (row["ci_lo_mean"], row["ci_hi_mean"]) == pytest.approx(ref)
        at_week = c.final.query("practice == @practice")[metric]
        assert row["mean"] == pytest.approx(at_week.mean())  # the week's value beside it, unchanged


def test_paired_differences_of_run_means_over_common_seeds(root: Path) -> None:
    c = compare([NAME], root=root, week=6)
    means = pandas_means(root, 6)
    for metric in METRICS:
        by_seed = means[metric].unstack("practice")
        a, b = by_seed["contextual"], by_seed["exploit_only"]
        diff = (a - b).to_numpy()
        row = c.paired.query("practice == 'contextual' and metric == @metric").iloc[0]
        ref = stats.t.interval(0.95, 3, loc=diff.mean(), scale=stats.sem(diff))
        assert row["n_pairs_mean"] == 4 and row["diff_mean"] == pytest.approx(diff.mean())
        assert (row["diff_lo_mean"], row["diff_hi_mean"]) == pytest.approx(ref)
        assert row["d_z_mean"] == pytest.approx(diff.mean() / diff.std(ddof=1))
        assert row["d_mean"] == pytest.approx(diff.mean() / math.sqrt((a.var(ddof=1) + b.var(ddof=1)) / 2))
        assert row["p_mean"] == pytest.approx(stats.ttest_rel(a, b).pvalue)
        at_week = c.final.pivot(index="seed", columns="practice", values=metric)
        assert row["diff"] == pytest.approx((at_week["contextual"] - at_week["exploit_only"]).mean())
    base = c.paired.query("practice == 'exploit_only'")
    assert base["n_pairs_mean"].eq(0).all() and base["diff_mean"].isna().all()


def test_compare_prints_and_writes_both_at_week_w_and_mean_over_weeks_1_to_w(
        root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report"
    assert main(["compare", NAME, "--root", str(root), "--week", "4", "--out", str(out), "--no-figures"]) == 0
    printed = capsys.readouterr().out
    assert 0 < printed.index("at week 4:") < printed.index("mean over weeks 1-4:")
    report = (out / "report.md").read_text()
    at, over = report.index("## At week 4\n"), report.index("## Mean over weeks 1-4\n")
    assert at < over
    x = pandas_means(root, 4)["maturity_total"]
    ctx, base = x.loc["contextual"].to_numpy(), x.loc["exploit_only"].to_numpy()
    lo, hi = stats.t.interval(0.95, 3, loc=ctx.mean(), scale=stats.sem(ctx))
    d = ctx - base
    dlo, dhi = stats.t.interval(0.95, 3, loc=d.mean(), scale=stats.sem(d))
    cells = (f"| contextual | maturity_total | 4 | {fmt(ctx.mean())} [{fmt(lo)}, {fmt(hi)}] | "
             f"{fmt(d.mean())} [{fmt(dlo)}, {fmt(dhi)}] | {fmt(d.mean() / d.std(ddof=1))} |")
    assert cells in report[over:] and cells not in report[at:over]
    interval = f"{fmt(ctx.mean())} [{fmt(lo)}, {fmt(hi)}]"
    assert interval in printed.split("mean over weeks 1-4:")[1] and interval not in printed.split("mean over")[0]
    summary = pd.read_csv(out / "summary.csv").set_index(["practice", "metric"])
    assert summary.loc[("contextual", "maturity_total"), "mean_mean"] == pytest.approx(ctx.mean())
    paired = pd.read_csv(out / "paired.csv").set_index(["practice", "metric"])
    assert paired.loc[("contextual", "maturity_total"), "diff_mean"] == pytest.approx(d.mean())


def test_at_week_0_the_run_means_are_undefined(root: Path) -> None:
    c = compare([NAME], root=root, week=0)
    assert c.summary["n_mean"].eq(0).all() and c.summary["mean_mean"].isna().all()
    assert c.summary["n"].eq(4).all()
