"""One simulation from parameters to tidy tables with provenance (what `abm.run` and every sweep call)."""

from __future__ import annotations

import platform
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from importlib import metadata
from typing import Any

import pandas as pd

from abm.core.params import ModelParams, to_dict
from abm.paths import SOURCE_ROOT


@dataclass
class RunResult:
    """Region metrics per week, unit metrics per week, and how they were made."""

    params: ModelParams
    region: pd.DataFrame
    units: pd.DataFrame
    provenance: dict[str, Any] = field(default_factory=dict)


@cache
def package_version() -> str:
    try:
        return metadata.version("ehealth-abm")
    except metadata.PackageNotFoundError:
        return "unknown"


@cache
def git_commit() -> str | None:
    """The source tree's commit (with `+dirty` when it has changes), or None outside a git checkout.

    Read once per process (two `git` calls cost about 6 ms, a tenth of a small run's own time in a sweep):
    the code a process runs is the code it imported at start."""
    try:
        out = subprocess.run(["git", "-C", str(SOURCE_ROOT), "rev-parse", "HEAD"], capture_output=True, text=True,
                             timeout=5)
        if out.returncode != 0:
            return None
        dirty = subprocess.run(["git", "-C", str(SOURCE_ROOT), "status", "--porcelain", "--", "abm", "configs"],
                               capture_output=True, text=True, timeout=5).stdout.strip()
        return out.stdout.strip() + ("+dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return None


def stamp() -> str:
    """The line every report and figure carries: package version, git commit and date (UTC)."""
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    return f"ehealth-abm {package_version()}, commit {git_commit() or 'unknown'}, {today}"


def simulate(params: ModelParams, progress: bool = False, config: dict[str, Any] | None = None) -> RunResult:
    """Build the model, run it to its horizon and return its tables with provenance."""
    from abm.core.model import RegionModel

    start = time.perf_counter()
    model = RegionModel(params)
    model.run(progress=progress)
    region, units = model.collector.region_frame(), model.collector.unit_frame()
    wall = time.perf_counter() - start
    provenance = {
        "config": config if config is not None else to_dict(params),
        "seed": params.seed,
        "weeks_run": int(model.week),
        "package": "ehealth-abm",
        "version": package_version(),
        "git_commit": git_commit(),
        "wall_time_s": round(wall, 4),
        "python": platform.python_version(),
        "mesa": metadata.version("mesa"),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    return RunResult(params, region, units, provenance)


def load_kernels(overrides: Sequence[str] = ()) -> None:
    """Load the model's compiled (numba) kernels by running a tiny model of the same configuration for two
    weeks, which calls every kernel once. The first run in any process pays this (about half a second; a
    few seconds more, once, right after an install, when numba compiles and caches them); a sweep's worker
    pays it once for many runs, and the browser app pays it in the background while the page loads."""
    from abm.config.hydra_bridge import compose_params
    from abm.core.model import RegionModel

    tiny = ["organisation.n_staff=40", "organisation.n_units=4", "organisation.n_innovation_units=1", "weeks=2"]
    RegionModel(compose_params([*overrides, *tiny])).run()
