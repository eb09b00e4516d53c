"""A particle's runs: its parameter values set into each pattern scenario's resolved config, one run per
scenario and seed, executed by the project's launchers into the calibration's folder of the results store,
and read back through the store's one reader to compute the pattern quantities.

A run is stored like any experiment's run (`<root>/<name>/runs/<config_hash>/seed=<s>/`), so a calibration
killed at any point keeps every finished run, and a resumed one finds them again by their hash instead of
running them a second time (abm.experiments.task.execute_resolved skips a finished, intact run).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from abm.analysis.patterns import PATTERNS
from abm.calibration.spec import Calibration
from abm.errors import UserError
from abm.experiments.executors import Executor, Job
from abm.store.files import FAILED_FILE
from abm.store.layout import config_hash, run_dir, run_status
from abm.store.reader import read_stored_run

Values = dict[str, float]


def configured(resolved: Mapping[str, Any], values: Mapping[str, float], seed: int) -> dict[str, Any]:
    """A copy of a resolved config with each dotted parameter set and the seed."""
    out = copy.deepcopy(dict(resolved))
    for key, value in values.items():
        group, name = key.split(".", 1)
        out[group] = {**out[group], name: float(value)}
    out["seed"] = int(seed)
    return out


def value_text(value: float) -> str:
    """A parameter value as an override that round-trips exactly (repr of a float)."""
    return repr(float(value))


class Particle:
    """The runs behind one parameter vector: one per (scenario, seed)."""

    def __init__(self, cal: Calibration, values: Mapping[str, float], seeds: Sequence[int]) -> None:
        self.values = {k: float(v) for k, v in values.items()}
        self.seeds = [int(s) for s in seeds]
        self.jobs: dict[tuple[str, int], Job] = {}
        overrides = [f"{k}={value_text(v)}" for k, v in self.values.items()]
        for pattern in cal.patterns:
            scenario = cal.scenario_of(pattern)
            for seed in self.seeds:
                if (scenario, seed) not in self.jobs:
                    resolved = configured(cal.resolved[scenario], self.values, seed)
                    self.jobs[scenario, seed] = (resolved, [*cal.scenarios[pattern], *overrides])

    def folder(self, exp_dir: Path, scenario: str, seed: int) -> Path:
        resolved = self.jobs[scenario, seed][0]
        return run_dir(exp_dir, config_hash(resolved), seed)


def warm_up(cal: Calibration) -> None:
    """Run each scenario for two weeks in this process, so that the compiled kernels are loaded once here
    and forked workers inherit them instead of loading them again for every batch."""
    from abm.core.params import from_dict
    from abm.simulation import simulate

    for resolved in cal.resolved.values():
        simulate(from_dict({**resolved, "weeks": 2}))


def run_jobs(jobs: Sequence[Job], exp_dir: Path, name: str, executor: Executor) -> int:
    """Run the jobs not yet finished in the store (duplicates once); return how many were run."""
    unique: dict[tuple[str, int], Job] = {}
    for resolved, overrides in jobs:
        key = (config_hash(resolved), int(resolved["seed"]))
        if key not in unique and run_status(run_dir(exp_dir, *key), checksums=False) != "ok":
            unique[key] = (resolved, overrides)
    if unique:
        executor.run(list(unique.values()), exp_dir, name, lambda: None)
    return len(unique)


def run_values(cal: Calibration, particle: Particle, exp_dir: Path, scenario: str, seed: int) -> Values:
    """The quantities of every pattern observed in `scenario`, from the stored run of this seed."""
    folder = particle.folder(exp_dir, scenario, seed)
    status = run_status(folder, checksums=False)
    if status == "failed":
        raise UserError(f"a calibration run failed: {folder / FAILED_FILE} (fix the cause, then run the same "
                        "command again to resume)")
    if status != "ok":
        raise RuntimeError(f"the calibration run {folder} is {status or 'missing'} after its launch")
    region, units, provenance = read_stored_run(folder)
    out: Values = {}
    for pattern in cal.patterns:
        if cal.scenario_of(pattern) == scenario:
            for quantity, value in PATTERNS[pattern].compute(region, units, provenance["config"]).items():
                out[f"{pattern}.{quantity}"] = float(value)
    return out


def per_seed(cal: Calibration, particle: Particle, exp_dir: Path) -> list[Values]:
    """Each seed's quantities of every pattern (the runs must be stored)."""
    scenarios = sorted({cal.scenario_of(p) for p in cal.patterns})
    return [{k: v for s in scenarios for k, v in run_values(cal, particle, exp_dir, s, seed).items()}
            for seed in particle.seeds]


def seed_mean(rows: Sequence[Values]) -> Values:
    """Each quantity's mean over seeds, ignoring seeds where it could not be computed (NaN if none could)."""
    keys = rows[0].keys()
    out: Values = {}
    for key in keys:
        finite = [r[key] for r in rows if not math.isnan(r[key])]
        out[key] = float(np.mean(finite)) if finite else math.nan
    return out
