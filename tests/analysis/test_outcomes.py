"""Outcomes: a metric at the last week, or its run mean, computed as `abm compare` computes them."""

import math

import numpy as np
import pandas as pd
import pytest

from abm.analysis.outcomes import outcome_value, outcome_values, parse_outcome, parse_outcomes
from abm.analysis.stats import run_means
from abm.core.metrics import REGISTRY
from abm.errors import UserError


def region() -> pd.DataFrame:
    weeks = np.arange(0, 11)
    care = np.where(weeks == 0, 0.0, 1.5)
    return pd.DataFrame({"week": weeks, "maturity_total": weeks * 2.0, "care_production": care})


def test_final_and_mean_values():
    r = region()
    assert outcome_value(r, parse_outcome("maturity_total")) == 20.0
    assert outcome_value(r, parse_outcome("maturity_total"), week=4) == 8.0
    # the run mean leaves week 0 out: a mean of 1.5 over weeks 1..10, not 1.5 * 10/11
    assert outcome_value(r, parse_outcome("care_production_mean")) == 1.5
    expected = run_means(r, ["maturity_total"], 4).iloc[0, 0]
    assert outcome_value(r, parse_outcome("maturity_total_mean"), week=4) == expected
    assert math.isnan(outcome_value(r, parse_outcome("maturity_total"), week=99))
    assert outcome_values(r, parse_outcomes(["maturity_total", "care_production_mean"])) == {
        "maturity_total": 20.0, "care_production_mean": 1.5}


def test_no_metric_name_is_ambiguous():
    assert not any(n.endswith("_mean") and n[:-5] in REGISTRY for n in REGISTRY)


@pytest.mark.parametrize("bad", ["maturity", "care_production_avg", "_mean", 3, None])
def test_unknown_outcomes_are_refused(bad):
    with pytest.raises(UserError, match="objectives=.*not allowed: a registered metric"):
        parse_outcome(bad, "objectives")


def test_outcome_lists():
    with pytest.raises(UserError, match="each outcome once"):
        parse_outcomes(["maturity_total", "maturity_total"])
    with pytest.raises(UserError, match="at least one"):
        parse_outcomes([])
    assert parse_outcome("services_live").label.startswith("Services live per care unit (at the last week")
