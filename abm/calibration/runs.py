"""A particle's runs: its parameter values set into each pattern scenario's resolved config, one run per
scenario and seed, executed by the project's launchers into the calibration's folder of the results store,
and read back through the store's one reader to compute the pattern quantities.

The runs go through abm.experiments.jobs, as an optimiser's trials and scenario discovery's do: a
calibration killed at any point keeps every finished run, and a resumed one finds them again by their hash.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from abm.analysis.patterns import PATTERNS
from abm.calibration.spec import Calibration
from abm.experiments.executors import Job
from abm.experiments.jobs import configured, read_job, stored_folder, value_text

Values = dict[str, float]


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
        return stored_folder(exp_dir, self.jobs[scenario, seed][0])


def warm_up(cal: Calibration) -> None:
    """Run each scenario for two weeks in this process, so that the compiled kernels are loaded once here
    and forked workers inherit them instead of loading them again for every batch."""
    from abm.core.params import from_dict
    from abm.simulation import simulate

    for resolved in cal.resolved.values():
        simulate(from_dict({**resolved, "weeks": 2}))


def run_values(cal: Calibration, particle: Particle, exp_dir: Path, scenario: str, seed: int) -> Values:
    """The quantities of every pattern observed in `scenario`, from the stored run of this seed."""
    region, units, provenance = read_job(exp_dir, particle.jobs[scenario, seed][0], "calibration")
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
