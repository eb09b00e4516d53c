"""Runs of the full model for the model checks (docs/validation.md, "Model checks"): configurations composed
once, run over common seeds on the worker pool of abm.validation.parallel, summarised per run.

A run's summary holds, for every region metric, its run mean over weeks 1..horizon (the "5-year mean" at
260 weeks; abm.analysis.stats.run_means, the one definition) and its value in the last week. Seeds are
0..n-1 for every configuration (common random numbers, as in `abm experiment`), so `abm run ... seed=s`
reproduces any one run and differences pair by seed.
Summaries are kept for the rest of the process (a dict keyed by the full parameters), so checks that need
the same runs (equal budget, size, mandates, environments) run them once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from abm.analysis.stats import run_means, t_interval
from abm.core.params import ModelParams
from abm.validation.parallel import Runner, serial

_DONE: dict[tuple[ModelParams, tuple[str, ...]], dict[str, Any]] = {}


@cache
def composed(overrides: tuple[str, ...]) -> ModelParams:
    """Validated parameters of `configs/` plus Hydra overrides, composed once per process."""
    from abm.api import compose

    return compose(list(overrides))


def vary(params: ModelParams, **fields: Any) -> ModelParams:
    """A copy with fields replaced by dotted name, e.g. vary(p, **{"practice.budget": 0.2, "weeks": 52})."""
    groups: dict[str, dict[str, Any]] = {}
    top: dict[str, Any] = {}
    for key, value in fields.items():
        group, _, name = key.rpartition(".")
        if group:
            groups.setdefault(group, {})[name] = value
        else:
            top[name] = value
    changes = {g: dataclasses.replace(getattr(params, g), **v) for g, v in groups.items()}
    return dataclasses.replace(params, **changes, **top)


def summarise(params: ModelParams, series: tuple[str, ...] = ()) -> dict[str, Any]:
    """One run: {"mean": metric -> mean over weeks 1..horizon, "final": metric -> last week's value,
    "series": the weekly values of the metrics in `series`}. Runs in a worker process."""
    from abm.simulation import simulate

    region = simulate(params).region
    numeric = region.select_dtypes("number").drop(columns=["week"], errors="ignore")
    means = run_means(region, list(numeric.columns), params.weeks).iloc[0]
    out: dict[str, Any] = {"mean": means.to_dict(), "final": numeric.iloc[-1].to_dict()}
    if series:
        out["series"] = region[["week", *series]].reset_index(drop=True)
    return out


@dataclasses.dataclass
class Batch:
    """Summaries of labelled configurations over seeds: `means` and `finals` have one row per (label, seed)."""

    means: pd.DataFrame
    finals: pd.DataFrame
    series: dict[tuple[str, int], pd.DataFrame]

    def values(self, label: str, metric: str, final: bool = False) -> pd.Series:
        """`metric` per seed of one configuration (the 5-year mean, or the last week's value)."""
        table = self.finals if final else self.means
        rows = table[table["label"] == label].set_index("seed")
        if metric not in rows:
            raise KeyError(f"metric {metric!r} is not in the model's region table")
        return rows[metric].astype(float)


def run_batch(configs: Mapping[str, ModelParams], seeds: int, runner: Runner | None = None,
              series: Sequence[str] = (), desc: str = "") -> Batch:
    """Every configuration with seeds 0..seeds-1; runs already summarised in this process are reused."""
    runner = runner or serial()
    keys = {(label, s): (dataclasses.replace(p, seed=s), tuple(series))
            for label, p in configs.items() for s in range(seeds)}
    todo = list(dict.fromkeys(k for k in keys.values() if k not in _DONE))  # in order, each once
    for key, result in zip(todo, runner.map(summarise, todo, desc=desc), strict=True):
        _DONE[key] = result
    means, finals, out_series = [], [], {}
    for (label, s), key in keys.items():
        done = _DONE[key]
        means.append({"label": label, "seed": s, **done["mean"]})
        finals.append({"label": label, "seed": s, **done["final"]})
        if series:
            out_series[(label, s)] = done["series"]
    return Batch(pd.DataFrame(means), pd.DataFrame(finals), out_series)


def forget() -> None:
    """Drop the summaries kept in this process (tests of a changed model)."""
    _DONE.clear()


@dataclasses.dataclass(frozen=True)
class Paired:
    """A paired difference b - a over common seeds with its 95% t interval (abm.analysis.stats)."""

    diff: float
    lo: float
    hi: float
    d_z: float
    n: int

    @property
    def beyond(self) -> bool:
        """The interval excludes 0 (a difference with zero spread counts when it is not 0)."""
        if self.n < 2 or np.isnan(self.lo):
            return False
        return bool(self.lo > 0 or self.hi < 0)

    def text(self, digits: int = 3) -> str:
        return f"{self.diff:+.{digits}g} [{self.lo:+.{digits}g}, {self.hi:+.{digits}g}]"


def paired(a: pd.Series, b: pd.Series) -> Paired:
    """b - a, matched by seed."""
    pair = pd.concat([a, b], axis=1, join="inner").dropna()
    diff = (pair.iloc[:, 1] - pair.iloc[:, 0]).to_numpy()
    mean, sd, lo, hi = t_interval(diff)  # sd 0 (every seed moved alike): the interval is the point
    d_z = mean / sd if sd and sd > 0 else (0.0 if mean == 0 else float(np.sign(mean)) * np.inf)
    return Paired(mean, lo, hi, float(d_z), len(diff))


def interval(values: pd.Series) -> tuple[float, float, float]:
    """(mean, lo, hi): the 95% t interval of a mean over seeds."""
    mean, _sd, lo, hi = t_interval(values.to_numpy())
    return mean, lo, hi
