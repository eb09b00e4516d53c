"""The results store's layout, the contract its writers and readers share.

    <root>/<experiment>/experiment.yaml                      the experiment file as run, with its plan
    <root>/<experiment>/runs/<config_hash>/seed=<s>/         one run: region.parquet, units.parquet and
                                                             provenance.json (finished) or failed.json
    <root>/<experiment>.replaced-<time>/                     a store moved aside by `--force-new`

A run's status (`run_status`, the one definition) is "ok" (provenance readable and the tables match the
manifest it recorded), "corrupt" (provenance unreadable, or a table missing, truncated or changed since),
"failed" (failed.json) or None (not run). Corrupt and failed runs are redone by the next sweep.

`<root>` is --root, else $ABM_RESULTS, else ./results. Hidden folders (`.tmp-*`, `.trash-*`, `.slurm`) are
a writer's temporary state and never read as runs.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any, NamedTuple

from abm.store.files import FAILED_FILE, PROVENANCE_FILE, check_files

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


class RunCheck(NamedTuple):
    """A run folder's status, what is wrong with it if corrupt (naming the file), and its provenance if ok."""

    status: str | None
    problem: str | None = None
    provenance: dict[str, Any] | None = None


def inspect_run(path: Path, checksums: bool = True) -> RunCheck:
    """The status of a run folder: "ok", "corrupt", "failed" or None (not run); see the module docstring.

    Cheap: one small JSON file read and a stat per table, plus reading the tables when `checksums`."""
    prov = path / PROVENANCE_FILE
    if prov.is_file():
        try:
            data = json.loads(prov.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return RunCheck("corrupt", f"{prov}: corrupt or unreadable JSON")
        if not isinstance(data, dict):
            return RunCheck("corrupt", f"{prov}: corrupt (not a JSON object)")
        problem = check_files(path, data, checksums)
        return RunCheck("corrupt", problem) if problem else RunCheck("ok", None, data)
    if (path / FAILED_FILE).is_file():
        return RunCheck("failed")
    return RunCheck(None)


def run_status(path: Path, checksums: bool = True) -> str | None:
    """"ok", "corrupt", "failed" or None (not run) for a run folder (see `inspect_run`)."""
    return inspect_run(path, checksums).status


def planned_seeds(seeds: object) -> set[int] | None:
    """The seeds an experiment.yaml plans (`seeds: 5` or a list), or None if it does not say."""
    if isinstance(seeds, int) and not isinstance(seeds, bool):
        return set(range(seeds))
    if isinstance(seeds, list) and all(isinstance(s, int) for s in seeds):
        return set(seeds)
    return None


def config_hash(resolved: dict[str, Any]) -> str:
    """Short stable hash of a resolved config without its seed: the folder name of a configuration."""
    data = {k: v for k, v in resolved.items() if k != "seed"}
    text = json.dumps(data, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
