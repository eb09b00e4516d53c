"""Outcomes: one number per run, named after a registered metric (abm.core.metrics.REGISTRY).

    maturity_total          the metric's value at the run's last week (or the week asked for)
    care_production_mean    the metric's run mean over weeks 1..W (`abm.analysis.stats.run_means`, the one
                            definition of a run mean; `_mean` is the suffix `abm compare` uses for it too)

The optimiser's objectives, scenario discovery's criterion and `abm.api.as_function` all name their
outcomes this way, and all compute them here, from a run's region table.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from abm.analysis.stats import run_means
from abm.core.metrics import REGISTRY
from abm.errors import UserError

MEAN = "_mean"
FINAL = "final"
RUN_MEAN = "mean"


@dataclass(frozen=True)
class Outcome:
    """A metric and how a run is summarised by it: at its last week (`final`) or as its run mean (`mean`)."""

    name: str
    metric: str
    statistic: str

    @property
    def label(self) -> str:
        m = REGISTRY[self.metric]
        what = "mean over the run" if self.statistic == RUN_MEAN else "at the last week"
        return f"{m.label} ({what}, {m.unit})"


def parse_outcome(name: object, where: str = "outcome") -> Outcome:
    """The outcome a name stands for; UserError naming `where`, the value and what is allowed."""
    if isinstance(name, str) and name in REGISTRY:
        return Outcome(name, name, FINAL)
    if isinstance(name, str) and name.endswith(MEAN) and name[: -len(MEAN)] in REGISTRY:
        return Outcome(name, name[: -len(MEAN)], RUN_MEAN)
    raise UserError(f"{where}={name!r} is not allowed: a registered metric (its value at the last week) or a metric "
                    f"with the suffix {MEAN} (its mean over the run), e.g. maturity_total or care_production_mean; "
                    f"metrics: {', '.join(REGISTRY)}")


def parse_outcomes(names: object, where: str = "outcomes") -> list[Outcome]:
    """Distinct outcomes from a list of names (at least one)."""
    if isinstance(names, str):
        names = [names]
    if not isinstance(names, list | tuple) or not names:
        raise UserError(f"{where}={names!r} is not allowed: a list of at least one outcome name")
    out = [parse_outcome(n, where) for n in names]
    if len({o.name for o in out}) != len(out):
        raise UserError(f"{where}={list(names)!r} is not allowed: each outcome once")
    return out


def outcome_value(region: pd.DataFrame, outcome: Outcome, week: int | None = None) -> float:
    """The outcome of one run from its region table (one row per week), at `week` (default: its last week)."""
    last = int(region["week"].max())
    week = last if week is None else int(week)
    if outcome.statistic == RUN_MEAN:
        return float(run_means(region, [outcome.metric], week)[outcome.metric].iloc[0])
    at = region.loc[region["week"] == week, outcome.metric]
    return float(at.iloc[0]) if len(at) else math.nan


def outcome_values(region: pd.DataFrame, outcomes: list[Outcome], week: int | None = None) -> dict[str, float]:
    """Every outcome of one run, by name."""
    return {o.name: outcome_value(region, o, week) for o in outcomes}
