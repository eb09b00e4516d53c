"""One run's results: tidy tables in memory, and atomic files on disk (Parquet + provenance JSON)."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from abm.params import ModelParams, to_dict

REGION_FILE = "region.parquet"
UNITS_FILE = "units.parquet"
PROVENANCE_FILE = "provenance.json"  # written last: its presence marks a complete run


@dataclass
class RunResult:
    """Region metrics per week, unit metrics per week, and how they were made."""

    params: ModelParams
    region: pd.DataFrame
    units: pd.DataFrame
    provenance: dict[str, Any] = field(default_factory=dict)

    def final(self) -> pd.Series:
        return self.region.iloc[-1]


def package_version() -> str:
    try:
        return metadata.version("ehealth-abm")
    except metadata.PackageNotFoundError:
        return "unknown"


def git_commit() -> str | None:
    """The source tree's commit (with `+dirty` when it has changes), or None outside a git checkout."""
    root = Path(__file__).resolve().parent.parent
    try:
        out = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5)
        if out.returncode != 0:
            return None
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--", "abm", "configs"],
                               capture_output=True, text=True, timeout=5).stdout.strip()
        return out.stdout.strip() + ("+dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return None


def simulate(params: ModelParams, progress: bool = False, config: dict[str, Any] | None = None) -> RunResult:
    """Build the model, run it to its horizon and return its tables with provenance."""
    from abm.model import RegionModel

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


def atomic_write(path: Path, write: Any) -> None:
    """Write to a temporary file in the same folder, fsync, then rename over `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_run(result: RunResult, directory: str | Path) -> Path:
    """Write the run's tables and provenance into `directory`, each file atomically, provenance last."""
    directory = Path(directory)
    atomic_write(directory / REGION_FILE, lambda p: result.region.to_parquet(p, index=False, compression="zstd"))
    atomic_write(directory / UNITS_FILE, lambda p: result.units.to_parquet(p, index=False, compression="zstd"))
    text = json.dumps(result.provenance, indent=2, default=str)
    atomic_write(directory / PROVENANCE_FILE, lambda p: Path(p).write_text(text, encoding="utf-8"))
    return directory


def read_run(directory: str | Path) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """Read a run written by `write_run`."""
    directory = Path(directory)
    provenance = json.loads((directory / PROVENANCE_FILE).read_text(encoding="utf-8"))
    return pd.read_parquet(directory / REGION_FILE), pd.read_parquet(directory / UNITS_FILE), provenance
