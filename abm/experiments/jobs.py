"""Runs that a search asks for (a calibration's particles, an optimiser's trials, scenario discovery's
scenarios): resolved configs run by the project's executors into a store folder, then read back.

A run is stored like any experiment's run (`<root>/<name>/runs/<config_hash>/seed=<s>/`), so a search killed
at any point keeps every finished run, and a resumed one finds them again by their hash instead of running
them a second time (abm.experiments.task.execute_resolved skips a finished, intact run).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from abm.errors import UserError
from abm.experiments.executors import Executor, Job
from abm.store.files import FAILED_FILE
from abm.store.layout import config_hash, run_dir, run_status
from abm.store.reader import read_stored_run


def configured(resolved: Mapping[str, Any], values: Mapping[str, Any], seed: int) -> dict[str, Any]:
    """A copy of a resolved config with each dotted field `group.name` set (floats stay floats) and the seed."""
    out = copy.deepcopy(dict(resolved))
    for key, value in values.items():
        group, name = key.split(".", 1)
        out[group] = {**out[group], name: float(value) if isinstance(value, float) else value}
    out["seed"] = int(seed)
    return out


def value_text(value: Any) -> str:
    """A value as an override that round-trips exactly (repr of a float)."""
    return repr(float(value)) if isinstance(value, float) else str(value)


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


def stored_folder(exp_dir: Path, resolved: Mapping[str, Any]) -> Path:
    """The folder of a job's run (finished or not)."""
    return run_dir(exp_dir, config_hash(dict(resolved)), int(resolved["seed"]))


def read_job(exp_dir: Path, resolved: Mapping[str, Any], what: str = "search"
             ) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """A finished job's (region, units, provenance) through the store's one reader; a failed run is one line
    naming its failure file (fix the cause, then the same command resumes)."""
    folder = stored_folder(exp_dir, resolved)
    status = run_status(folder, checksums=False)
    if status == "failed":
        raise UserError(f"a {what} run failed: {folder / FAILED_FILE} (fix the cause, then run the same "
                        "command again to resume)")
    if status != "ok":
        raise RuntimeError(f"the {what} run {folder} is {status or 'missing'} after its launch")
    return read_stored_run(folder)
