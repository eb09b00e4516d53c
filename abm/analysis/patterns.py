"""The empirical patterns, each computed from one run's tables (pattern-oriented modelling, Grimm et al. 2005).

A pattern is registered like a metric: a name, the quantities it yields and one function of a run's region
table, unit table and resolved config. The same function serves the pattern checks of `abm validate`
(abm.validation.patterns, tables straight from the model) and the calibration (abm.calibration, tables read
from the results store), so what is calibrated is what is checked. The targets themselves (ranges and
sources) are data: `experiments/targets/patterns.csv` (abm.calibration.targets).

P1  weeks from the first care unit with the mandated record-access service live to 80% of care units live
    (Moll et al. 2018; Armstrong 2017).
P3  the remote share of contacts before a demand shock, its peak within 26 weeks of the shock start, and a
    year after the shock ends, as ratios to before (Ekman et al. 2021).
P4  the week-260 digital maturity: the total and the three gaps of the dimension order governance and
    workforce > interoperability > person-enabled > predictive analytics (Woods et al. 2022).
P6  annual turnover; the deepest care dip (care per staff against the 4 weeks before) in the year after a
    care unit starts implementing a service; the share of such starts whose care is back within 10% of the
    level before 52 weeks later (Vårdfokus 2017; Fleming et al. 2014).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

DIMS = ("governance_workforce", "interoperability", "person_enabled", "predictive_analytics")
MANDATED_SERVICE = "record_access"  # P1's service (the default catalogue mandates it; Moll et al. 2018)
SHOCK_WINDOW = 26  # P3: weeks after the shock start in which the peak is sought (Ekman et al. 2021)
DIP_BEFORE = 4  # P6: weeks before a go-live whose mean care is the level before
DIP_YEAR = 52  # P6: weeks after a go-live in which the dip is measured and by when care should be back
RECOVERED_WITHIN = 0.1  # P6: back within this relative distance of the level before

Compute = Callable[[pd.DataFrame, pd.DataFrame, Mapping[str, Any]], dict[str, float]]


@dataclass(frozen=True)
class PatternMeasure:
    """One pattern: its name, the quantities `compute` returns and the overrides of the scenario it is
    observed in (added to a run's own overrides)."""

    name: str
    text: str
    quantities: tuple[str, ...]
    scenario: tuple[str, ...]
    compute: Compute


def _last(values: np.ndarray, week: np.ndarray, at: int) -> float:
    return float(values[np.searchsorted(week, min(at, int(week[-1])))])


def p1_mandate_spread(region: pd.DataFrame, units: pd.DataFrame, config: Mapping[str, Any]) -> dict[str, float]:
    """Weeks from the first care unit with record access live to 80% of care units live (NaN: not reached)."""
    column = f"live__{MANDATED_SERVICE}"
    if column not in region:
        return {"weeks_first_to_80": float("nan")}
    share = region[column].to_numpy()
    week = region["week"].to_numpy()
    live = np.flatnonzero((share > 0) & (week > 0))
    reached = np.flatnonzero((share >= 0.8) & (week > 0))
    if not reached.size:
        return {"weeks_first_to_80": float("nan")}
    return {"weeks_first_to_80": float(week[reached[0]] - week[live[0]])}


def p3_shock_remote(region: pd.DataFrame, units: pd.DataFrame, config: Mapping[str, Any]) -> dict[str, float]:
    """The remote share the week before the shock, its peak ratio within 26 weeks, its ratio a year after."""
    env = config["environment"]
    start, length = int(env["shock_week"]), int(env["shock_weeks"])
    remote, week = region["remote_share"].to_numpy(), region["week"].to_numpy()
    if start < 1 or start > int(week[-1]):
        return {"peak_ratio": float("nan"), "ratio_year_after": float("nan")}
    before = _last(remote, week, start - 1)
    window = remote[(week >= start) & (week <= start + SHOCK_WINDOW)]
    after = _last(remote, week, start + length + 52)
    return {"peak_ratio": float(window.max()) / before, "ratio_year_after": after / before}


def p4_maturity_profile(region: pd.DataFrame, units: pd.DataFrame, config: Mapping[str, Any]) -> dict[str, float]:
    """The last week's maturity total and the gaps between consecutive dimensions of the expected order."""
    last = region.iloc[-1]
    dims = [float(last[f"maturity_{d}"]) for d in DIMS]
    return {"total": float(last["maturity_total"]),
            "governance_over_interoperability": dims[0] - dims[1],
            "interoperability_over_person": dims[1] - dims[2],
            "person_over_predictive": dims[2] - dims[3]}


def p6_workforce(region: pd.DataFrame, units: pd.DataFrame, config: Mapping[str, Any]) -> dict[str, float]:
    """Annual turnover; the deepest care dip after a care unit's go-live; the share back within 10% a year on."""
    week = region["week"].to_numpy()
    weeks = int(week[-1])
    first = units[units["week"] == week[0]]
    n_staff = int(first["n_staff"].sum())
    turnover = float(region.loc[region["week"] > 0, "new_leavers"].sum()) / n_staff / (weeks / 52.0)
    n_units = len(first)
    stepped = units[units["week"] > 0]
    care = stepped["care_production"].to_numpy().reshape(weeks, n_units)  # row w-1: week w
    started = stepped["new_implementing"].to_numpy().reshape(weeks, n_units) > 0
    care_unit = (first["kind"] != "innovation").to_numpy()
    dips, recovered = [], []
    for row, unit in zip(*np.nonzero(started & care_unit[None, :]), strict=True):
        w = int(row) + 1
        if w <= DIP_BEFORE or w + DIP_YEAR > weeks:
            continue
        level = care[w - 1 - DIP_BEFORE:w - 1, unit].mean()
        if level <= 0:
            continue
        after = care[w - 1:w - 1 + DIP_YEAR, unit]
        dips.append(1.0 - after.min() / level)
        recovered.append(abs(after[-1] / level - 1.0) <= RECOVERED_WITHIN)
    return {"turnover_per_year": turnover,
            "max_dip": float(max(dips)) if dips else float("nan"),
            "share_recovered": float(np.mean(recovered)) if recovered else float("nan")}


PATTERN_MEASURES: tuple[PatternMeasure, ...] = (
    PatternMeasure("P1", "a mandated service spreads system-wide in years", ("weeks_first_to_80",), (),
                   p1_mandate_spread),
    PatternMeasure("P3", "a demand shock accelerates remote care, and the gain lasts",
                   ("peak_ratio", "ratio_year_after"), ("environment=pandemic_shock",), p3_shock_remote),
    PatternMeasure("P4", "maturity after five years is mid-range with a typical profile",
                   ("total", "governance_over_interoperability", "interoperability_over_person",
                    "person_over_predictive"), ("preset=sweden2021",), p4_maturity_profile),
    PatternMeasure("P6", "workforce turnover and the productivity dip of implementation",
                   ("turnover_per_year", "max_dip", "share_recovered"), (), p6_workforce),
)
PATTERNS: dict[str, PatternMeasure] = {p.name: p for p in PATTERN_MEASURES}
