"""A design's runs and its robust objective values.

A design is a point of the design space (an optimiser's trial) or a named practice as configured. It runs in
every environment of the file, on every posterior draw (or the preset's values when the file names no
posterior), with every seed: the same environments, draws and seeds for every design (common random
numbers), so designs are compared on the same futures.

Each objective of a design is the average of its outcome over environments (equal weights: the futures are
scenarios, not a distribution), seeds and draws (their pool weights). Its interval is the pooled interval over
the per-draw means (abm.analysis.pooled.draw_interval: draws are the primary units, each the mean over its
environments and seeds); without a posterior the seeds are the units (a t interval of the seed means).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from abm.analysis.outcomes import outcome_values
from abm.analysis.pooled import draw_interval
from abm.experiments import posterior as post
from abm.experiments.executors import Job
from abm.experiments.jobs import configured, read_job
from abm.optimisation.spec import Optimisation, resolved_config

TRAJECTORY_METRICS = ("care_production", "maturity_total", "services_live")  # kept per design and week


@dataclass(frozen=True)
class Unit:
    """One replication unit of every design: a posterior draw (or the preset: index 0, no values) and its weight."""

    index: int
    weight: float
    values: dict[str, float | int]


def units(opt: Optimisation) -> list[Unit]:
    """The draws every design runs on (deterministic: abm.experiments.posterior.sample)."""
    if not opt.posterior:
        return [Unit(0, 1.0, {})]
    return [Unit(d.index, d.pool_weight, dict(d.values)) for d in post.sample(opt.posterior, int(opt.draws or 1),
                                                                             opt.posterior_seed)]


@dataclass
class Design:
    """A design: its label, its overrides and (for a trial) its parameter values."""

    label: str
    overrides: list[str]
    params: dict[str, Any] = field(default_factory=dict)
    trial: int | None = None
    generation: int | None = None


def named_design(practice: str) -> Design:
    return Design(practice, [f"practice={practice}"], {"practice": practice})


def trial_design(opt: Optimisation, number: int, params: dict[str, Any], generation: int | None) -> Design:
    """A trial's design: group choices first (they set a group's defaults), then the fields."""
    dims = sorted(opt.space, key=lambda d: d.kind != "group")
    return Design(f"T{number}", [d.override(params[d.key]) for d in dims], dict(params), number, generation)


def jobs(opt: Optimisation, design: Design, draws: Sequence[Unit]) -> dict[tuple[str, int, int], Job]:
    """The design's runs by (environment, draw, seed)."""
    out: dict[tuple[str, int, int], Job] = {}
    for env in opt.environments:
        overrides = [f"environment={env}", *design.overrides]
        resolved = resolved_config(opt, overrides)
        for unit in draws:
            drawn = [f"{k}={v!r}" for k, v in unit.values.items()]
            for seed in opt.seeds:
                out[env, unit.index, seed] = (configured(resolved, unit.values, seed),
                                              [*opt.base, *overrides, *drawn])
    return out


@dataclass
class Evaluation:
    """A design's objective values: per run, and pooled with intervals; its mean trajectories."""

    design: Design
    runs: pd.DataFrame  # one row per (environment, draw, seed): the objectives' outcomes
    pooled: dict[str, tuple[float, float, float]]  # objective -> (mean, lo, hi)
    trajectory: pd.DataFrame  # week and the TRAJECTORY_METRICS averaged over the design's runs

    def values(self, opt: Optimisation) -> list[float]:
        return [self.pooled[o.name][0] for o in opt.objectives]


def evaluate(opt: Optimisation, design: Design, draws: Sequence[Unit], exp_dir: Path,
             design_jobs: dict[tuple[str, int, int], Job]) -> Evaluation:
    """The design's objectives from its stored runs (read through the store's one reader)."""
    rows, tables = [], []
    for (env, draw, seed), (resolved, _) in design_jobs.items():
        region, _, _ = read_job(exp_dir, resolved, "optimisation")
        rows.append({"environment": env, "draw": draw, "seed": seed, **outcome_values(region, opt.objectives)})
        tables.append(region[["week", *TRAJECTORY_METRICS]])
    runs = pd.DataFrame(rows)
    weights = {u.index: u.weight for u in draws}
    pooled = {}
    by = "draw" if opt.posterior else "seed"
    for o in opt.objectives:
        means = runs.groupby(by, sort=True)[o.name].mean()
        w = np.array([weights[i] for i in means.index]) if opt.posterior else np.ones(len(means))
        mean, _, lo, hi = draw_interval(means.to_numpy(), w)
        pooled[o.name] = (mean, lo, hi)
    trajectory = pd.concat(tables).groupby("week", sort=True).mean().reset_index()
    return Evaluation(design, runs, pooled, trajectory)


def design_row(opt: Optimisation, ev: Evaluation) -> dict[str, Any]:
    """One row of the designs table: label, kind, trial, generation, the design's values, each objective's
    mean and 95% interval."""
    d = ev.design
    row: dict[str, Any] = {"design": d.label, "kind": "trial" if d.trial is not None else "named",
                           "trial": d.trial, "generation": d.generation}
    for dim in opt.space:
        row[dim.key] = d.params.get(dim.key)
    for o in opt.objectives:
        mean, lo, hi = ev.pooled[o.name]
        row[o.name] = mean
        row[f"{o.name}_lo"] = lo
        row[f"{o.name}_hi"] = hi
    return row


def paired_difference(opt: Optimisation, design_runs: pd.DataFrame, design: str, against: str,
                      draws: Sequence[Unit]) -> dict[str, tuple[float, float, float, int]]:
    """Per objective: design minus `against`, paired on (environment, draw, seed) (the same futures), pooled
    over the draws as the objectives are (abm.analysis.pooled.draw_interval): (mean, lo, hi, units in which the
    difference has the pooled mean's sign). The units are draws over a posterior, else seeds."""
    by = "draw" if opt.posterior else "seed"
    keys = ["environment", "draw", "seed"]
    a = design_runs[design_runs["design"] == design].set_index(keys)
    b = design_runs[design_runs["design"] == against].set_index(keys)
    weights = {u.index: u.weight for u in draws}
    out = {}
    for o in opt.objectives:
        diff = (a[o.name] - b[o.name]).groupby(level=by, sort=True).mean()
        w = np.array([weights[i] for i in diff.index]) if opt.posterior else np.ones(len(diff))
        mean, _, lo, hi = draw_interval(diff.to_numpy(), w)
        out[o.name] = (mean, lo, hi, int(np.sum(np.sign(diff.to_numpy()) == np.sign(mean))))
    return out
