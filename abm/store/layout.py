"""The results store's layout, the contract its writers and readers share.

    <root>/<experiment>/experiment.yaml                      the experiment file as run, with its plan
    <root>/<experiment>/runs/<config_hash>/seed=<s>/         one run: region.parquet, units.parquet and
                                                             provenance.json (finished) or failed.json

`<root>` is --root, else $ABM_RESULTS, else ./results. Hidden folders (`.tmp-*`, `.trash-*`, `.slurm`) are
a writer's temporary state and never read as runs.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from abm.store.files import FAILED_FILE, PROVENANCE_FILE

RESULTS_ENV = "ABM_RESULTS"
SPEC_FILE = "experiment.yaml"
LOCK_FILE = ".lock"


def results_root(root: str | os.PathLike[str] | None = None) -> Path:
    """--root, else $ABM_RESULTS, else ./results."""
    return Path(root or os.environ.get(RESULTS_ENV) or "results")


def run_dir(exp_dir: Path, config_hash: str, seed: int) -> Path:
    return exp_dir / "runs" / config_hash / f"seed={seed}"


def run_dirs(exp_dir: Path) -> list[Path]:
    """Every published run folder of an experiment (finished or failed), sorted."""
    return sorted(p for p in exp_dir.glob("runs/*/seed=*") if not p.parent.name.startswith("."))


def seed_of(path: Path) -> int:
    """The seed of a run folder `seed=<s>`."""
    return int(path.name.split("=", 1)[1])


def run_status(path: Path) -> str | None:
    """"ok", "failed" or None (not run) for a run folder."""
    if (path / PROVENANCE_FILE).is_file():
        return "ok"
    if (path / FAILED_FILE).is_file():
        return "failed"
    return None


def config_hash(resolved: dict[str, Any]) -> str:
    """Short stable hash of a resolved config without its seed: the folder name of a configuration."""
    data = {k: v for k, v in resolved.items() if k != "seed"}
    text = json.dumps(data, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
