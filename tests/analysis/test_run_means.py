"""Run means over weeks 1..W beside the values at week W: abm.analysis.stats.run_means and the `abm run`
summary table, each checked against pandas computed here."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from abm.analysis.stats import run_means
from abm.analysis.summary import SUMMARY_METRICS, summary_table
from abm.core.metrics import REGISTRY


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
