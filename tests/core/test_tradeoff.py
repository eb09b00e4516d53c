"""The heart of the model: exploring costs care now and pays later (March 1991). Over 20 seeds of the
default region in the default environment, paired by seed (common random numbers)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from abm.core.model import RegionModel
from abm.core.params import ModelParams, PracticeParams

SEEDS = range(20)


def outcomes(practice: str, seed: int) -> tuple[float, float]:
    budget = 0.0 if practice == "exploit_only" else PracticeParams().budget
    model = RegionModel(replace(ModelParams(seed=seed), practice=PracticeParams(name=practice, budget=budget)))
    model.run()
    region = model.collector.region_frame()
    return region.loc[1:52, "care_production"].mean(), region["maturity_total"].iloc[-1]


def paired_interval(diff: np.ndarray) -> tuple[float, float]:
    """95% t interval of a mean paired difference (t_0.975 with 19 df = 2.093)."""
    half = 2.093 * diff.std(ddof=1) / np.sqrt(diff.size)
    return diff.mean() - half, diff.mean() + half


@pytest.mark.slow
def test_exploit_only_gives_more_care_in_year_one_and_contextual_more_maturity_at_week_260():
    exploit = np.array([outcomes("exploit_only", s) for s in SEEDS])
    contextual = np.array([outcomes("contextual", s) for s in SEEDS])
    care_lo, _ = paired_interval(exploit[:, 0] - contextual[:, 0])
    maturity_lo, _ = paired_interval(contextual[:, 1] - exploit[:, 1])
    assert care_lo > 0, "exploit_only should deliver more care in year 1"
    assert maturity_lo > 0, "contextual should reach a higher digital maturity by week 260"
