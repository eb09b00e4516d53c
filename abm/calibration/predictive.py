"""The posterior-predictive check: fresh runs at posterior draws, each target quantity judged per run.

`predictive_draws` parameter vectors are drawn from the posterior (weighted, with replacement), each run
once per pattern scenario with a fresh seed; the calibrated point (the posterior medians) is run at
POINT_SEEDS seeds. Every run's quantities are judged one run at a time (not seed-means): the share of runs
inside each target's range and, for the others, how far outside (in the target's `scale`). This is the
check a reader needs: how often does one run of the calibrated model show each pattern.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from abm.calibration.posterior import resample
from abm.calibration.runs import Particle, per_seed
from abm.calibration.spec import Calibration
from abm.experiments.executors import Job

POINT_SEEDS = 10  # seeds of the calibrated point (as the pattern checks of abm validate)


def predictive_runs(cal: Calibration, posterior: pd.DataFrame, point: dict[str, float]) -> list[tuple[str, Particle]]:
    rng = np.random.default_rng([cal.seed, 11])
    chosen = resample(posterior, cal.predictive_draws, cal.seed)
    seeds = rng.integers(0, 2**31 - 1, size=len(chosen))
    out = [(f"draw {i}", Particle(cal, values, [int(s)]))
           for i, (values, s) in enumerate(zip(chosen, seeds, strict=True))]
    out.append(("point", Particle(cal, point, list(range(POINT_SEEDS)))))
    return out


def run_predictive(cal: Calibration, posterior: pd.DataFrame, point: dict[str, float], exp_dir: Path,
                   run_batch: Callable[[list[Job]], int]) -> pd.DataFrame:
    """One row per run (draw or point seed) and target: value, inside, distance outside."""
    particles = predictive_runs(cal, posterior, point)
    run_batch([job for _, p in particles for job in p.jobs.values()])
    rows = []
    for source, particle in particles:
        for seed, values in zip(particle.seeds, per_seed(cal, particle, exp_dir), strict=True):
            for t in cal.targets:
                v = values.get(t.key, float("nan"))
                rows.append({"source": "point" if source == "point" else "draw", "run": source, "seed": seed,
                             "pattern": t.pattern, "target": t.key, "value": v, "inside": t.inside(v),
                             "distance": t.distance(v)})
    return pd.DataFrame(rows)


def predictive_summary(runs: pd.DataFrame, cal: Calibration) -> pd.DataFrame:
    """Per target: its range, the draws' median value [5%, 95%], share inside, mean distance of those outside,
    and how many of the calibrated point's seeds are inside."""
    rows = []
    for t in cal.targets:
        d = runs[(runs["target"] == t.key) & (runs["source"] == "draw")]
        p = runs[(runs["target"] == t.key) & (runs["source"] == "point")]
        values = d["value"].dropna()
        outside = d.loc[~d["inside"], "distance"]
        rows.append({"pattern": t.pattern, "target": t.key, "range": t.range_text(),
                     "median": float(values.median()) if len(values) else float("nan"),
                     "q05": float(values.quantile(0.05)) if len(values) else float("nan"),
                     "q95": float(values.quantile(0.95)) if len(values) else float("nan"),
                     "share_inside": float(d["inside"].mean()),
                     "mean_distance_outside": float(outside.mean()) if len(outside) else 0.0,
                     "point_inside": int(p["inside"].sum()), "point_runs": len(p)})
    return pd.DataFrame(rows)


def pattern_verdicts(runs: pd.DataFrame) -> pd.DataFrame:
    """Per pattern: share of draws' runs in which every quantity of the pattern is inside, and the point's."""
    by_run = runs.groupby(["pattern", "source", "run", "seed"])["inside"].all().reset_index()
    out = by_run.groupby(["pattern", "source"])["inside"].agg(["sum", "count"]).reset_index()
    return out.rename(columns={"sum": "runs_inside", "count": "runs"})
