"""Empirical patterns the second model must be able to produce (pattern-oriented modelling, Grimm et al. 2005),
each computed from real runs of the full model (docs/validation.md, V7).

P1  A nationally mandated service spreads system-wide in years: weeks from the first care unit live to at
    least 80% of care units live for the mandated record-access service (default region): 150-300
    (Moll et al. 2018: Uppsala 2012 to all regions 2017).
P3  A demand shock accelerates remote care and the gain lasts (pandemic environment): the remote share of
    contacts reaches at least 1.4x its pre-shock level within 26 weeks of the shock and is still at least 1.2x
    a year after the shock ends (Ekman et al. 2021; regional series, SVT 2022).
P4  Digital maturity after five years is mid-range with a typical profile (Swedish-region preset, week 260):
    region total 80-200, governance and workforce > interoperability > person-enabled > predictive analytics
    (Woods et al. 2022: HIMSS DHI in 16 public systems, mean 143 of 400).
P6  Workforce and productivity: annual turnover 6-15% (Vårdfokus 2017); a unit's care dips at most 30% after it
    starts implementing a service and is back within 10% of its level before within 52 weeks (Fleming et al.
    2014).

Each pattern function runs one seed and returns its measured values; `measure` runs seeds in parallel and
`verdicts` says, per pattern, in how many seeds it holds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from abm.api import compose
from abm.core.model import RegionModel
from abm.core.state import LIVE_STATES
from abm.core.state import ServiceState as SS
from abm.validation.parallel import Runner

DIMS = ("governance_workforce", "interoperability", "person_enabled", "predictive_analytics")


@dataclass(frozen=True)
class Pattern:
    name: str
    text: str
    target: str
    source: str
    measure: Callable[[int, tuple[str, ...]], dict[str, float]]
    holds: Callable[[dict[str, float]], bool]


def _model(seed: int, overrides: Sequence[str], collect: bool = True) -> RegionModel:
    return RegionModel(compose([*overrides, f"seed={seed}"]), collect=collect)


def p1_mandate_spread(seed: int, overrides: tuple[str, ...] = ()) -> dict[str, float]:
    """Weeks from the first care unit with record access live to 80% of care units live."""
    m = _model(seed, overrides, collect=False)
    j = m.catalogue_names.index("record_access")
    first = None
    for week in range(1, m.params.weeks + 1):
        m.step()
        share = float(np.isin(m.units.service_state[m.care_units, j], LIVE_STATES).mean())
        if first is None and share > 0:
            first = week
        if share >= 0.8:
            return {"weeks_first_to_80": float(week - (first if first is not None else week))}
    return {"weeks_first_to_80": float("nan")}


def p3_shock_remote(seed: int, overrides: tuple[str, ...] = ()) -> dict[str, float]:
    """Remote share before a pandemic shock, its peak ratio within 26 weeks, its ratio a year after the end."""
    m = _model(seed, ("environment=pandemic_shock", *overrides))
    m.run()
    remote = m.collector.region_frame()["remote_share"].to_numpy()
    env = m.params.environment
    before = float(remote[env.shock_week - 1])
    peak = float(remote[env.shock_week:env.shock_week + 27].max())
    after = float(remote[min(env.shock_week + env.shock_weeks + 52, remote.size - 1)])
    return {"remote_before": before, "peak_ratio": peak / before, "ratio_year_after": after / before}


def p4_maturity_profile(seed: int, overrides: tuple[str, ...] = ()) -> dict[str, float]:
    """Week-260 maturity of the Swedish-region preset: total and the four dimensions."""
    m = _model(seed, ("preset=sweden2021", *overrides))
    m.run()
    last = m.collector.region_frame().iloc[-1]
    return {"total": float(last["maturity_total"]), **{d: float(last[f"maturity_{d}"]) for d in DIMS}}


def p6_workforce(seed: int, overrides: tuple[str, ...] = ()) -> dict[str, float]:
    """Annual turnover, the deepest care dip after a unit starts implementing a service, and the share of
    such starts whose care is back within 10% a year later (care per staff, against the 4 weeks before)."""
    m = _model(seed, overrides, collect=False)
    weeks = m.params.weeks
    care = np.zeros((weeks, m.units.n))
    starts: list[tuple[int, int]] = []
    before_state = m.units.service_state.copy()
    leavers = 0
    for week in range(1, weeks + 1):
        m.step()
        leavers += int(m.staff.left.sum())
        care[week - 1] = m.units.care / np.maximum(m.units.size, 1)
        state = m.units.service_state
        new = (state == SS.IMPLEMENTING) & ~np.isin(before_state, LIVE_STATES)
        starts += [(int(u), week) for u in np.flatnonzero(new.any(axis=1) & m.care_units)]
        before_state = state.copy()
    dips, recovered = [], []
    for unit, week in starts:
        if week < 5 or week + 52 > weeks:
            continue
        level = care[week - 5:week - 1, unit].mean()
        if level <= 0:
            continue
        after = care[week - 1:week + 51, unit]
        dips.append(1.0 - after.min() / level)
        recovered.append(abs(after[-1] / level - 1.0) <= 0.1)
    return {"turnover_per_year": leavers / m.staff.n / (weeks / 52.0),
            "max_dip": float(max(dips)) if dips else float("nan"),
            "share_recovered": float(np.mean(recovered)) if recovered else float("nan")}


PATTERNS: tuple[Pattern, ...] = (
    Pattern("P1", "a mandated service spreads system-wide in years", "weeks first unit -> 80% of units: 150-300",
            "Moll et al. 2018; Armstrong 2017", p1_mandate_spread,
            lambda v: 150 <= v["weeks_first_to_80"] <= 300),
    Pattern("P3", "a demand shock accelerates remote care, and the gain lasts",
            "peak >= 1.4x within 26 weeks; >= 1.2x a year after", "Ekman et al. 2021; SVT 2022", p3_shock_remote,
            lambda v: v["peak_ratio"] >= 1.4 and v["ratio_year_after"] >= 1.2),
    Pattern("P4", "maturity after five years is mid-range with a typical profile",
            "total 80-200; governance > interoperability > person-enabled > predictive", "Woods et al. 2022",
            p4_maturity_profile,
            lambda v: 80 <= v["total"] <= 200 and v[DIMS[0]] > v[DIMS[1]] > v[DIMS[2]] > v[DIMS[3]]),
    Pattern("P6", "workforce turnover and the productivity dip of implementation",
            "turnover 6-15% a year; dip <= 30%; back within 10% in 52 weeks", "Vårdfokus 2017; Fleming et al. 2014",
            p6_workforce,
            lambda v: 0.06 <= v["turnover_per_year"] <= 0.15 and v["max_dip"] <= 0.3 and v["share_recovered"] >= 0.9),
)


def _task(name: str, seed: int, overrides: tuple[str, ...]) -> tuple[str, int, dict[str, float]]:
    pattern = next(p for p in PATTERNS if p.name == name)
    return name, seed, pattern.measure(seed, overrides)


def measure(seeds: Sequence[int], overrides: Sequence[str] = (), workers: int | None = None,
            names: Sequence[str] | None = None) -> dict[str, list[dict[str, float]]]:
    """Each pattern's values per seed, run in parallel (results independent of the number of workers)."""
    chosen = [p.name for p in PATTERNS if names is None or p.name in names]
    tasks = [(name, seed, tuple(overrides)) for name in chosen for seed in seeds]
    with Runner(workers) as runner:
        results = runner.map(_task, tasks, desc="patterns")
    out: dict[str, list[dict[str, float]]] = {name: [] for name in chosen}
    for name, _seed, values in sorted(results, key=lambda r: (r[0], r[1])):
        out[name].append(values)
    return out


def verdicts(values: dict[str, list[dict[str, float]]]) -> dict[str, tuple[int, int]]:
    """Per pattern: (seeds in which it holds, seeds run)."""
    holds = {p.name: p.holds for p in PATTERNS}
    return {name: (sum(bool(holds[name](v)) for v in runs), len(runs)) for name, runs in values.items()}
