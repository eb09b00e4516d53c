"""The results store's layout, the contract its writers and readers share.

    <root>/<experiment>/experiment.yaml                      the experiment file as run, with its plan
    <root>/<experiment>/runs/<config_hash>/seed=<s>/         one run: region.parquet, units.parquet and
                                                             provenance.json (finished) or failed.json
    <root>/<experiment>/compact/                             compacted runs (`abm results compact`): a few
                                                             Parquet parts and manifest.json (below)
    <root>/<experiment>.replaced-<time>/                     a store moved aside by `--force-new`

A run's status (`run_status`, the one definition) is "ok" (provenance readable and the tables match the
manifest it recorded), "corrupt" (provenance unreadable, or a table missing, truncated or changed since),
"failed" (failed.json) or None (not run). Corrupt and failed runs are redone by the next sweep.

A compacted run has no folder: it is listed in `compact/manifest.json` (`compact_index`, cached per
experiment folder by the manifest's mtime, size and inode), which names for each part its files (size and
BLAKE2b, as a run's `files`) and its runs. A run listed in a part whose files match is "ok" whether or not a
folder is left (a leftover of a compaction killed before it removed it: ignored, and removed by the next
compaction); a run of a damaged part is "corrupt" unless a folder of it exists (then the folder counts).

`<root>` is --root, else $ABM_RESULTS, else ./results. Hidden folders (`.tmp-*`, `.trash-*`, `.slurm`) are
a writer's temporary state and never read as runs.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any, NamedTuple

from abm.store.files import FAILED_FILE, PROVENANCE_FILE, check_files, file_digest

RESULTS_ENV = "ABM_RESULTS"
SPEC_FILE = "experiment.yaml"
LOCK_FILE = ".lock"
COMPACT_DIR = "compact"  # <exp>/compact/{region,units,runs}/part-<n>.parquet and manifest.json
COMPACT_MANIFEST = "manifest.json"
COMPACT_TABLES = ("region", "units", "runs")  # sub-folders of compact/, one part file each per part


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


class CompactIndex(NamedTuple):
    """The compaction manifest of an experiment folder: its parts (in order) and which part holds each run."""

    parts: tuple[dict[str, Any], ...] = ()
    where: dict[tuple[str, int], str] = {}  # (config_hash, seed) -> part name
    problem: str | None = None  # the manifest exists but cannot be read


_INDEX_CACHE: dict[str, tuple[tuple[int, int, int], CompactIndex]] = {}
_VERIFIED: dict[str, tuple[int, int, int]] = {}  # part file -> (size, mtime_ns, inode) whose checksum matched


def compact_index(exp_dir: Path) -> CompactIndex:
    """The experiment's compaction manifest (empty if it has none), re-read only when the file changed."""
    path = exp_dir / COMPACT_DIR / COMPACT_MANIFEST
    try:
        st = path.stat()
    except FileNotFoundError:
        return CompactIndex()
    except OSError as exc:
        return CompactIndex(problem=f"{path}: unreadable ({exc.strerror or type(exc).__name__})")
    key, cached = (st.st_mtime_ns, st.st_size, st.st_ino), _INDEX_CACHE.get(str(path))
    if cached and cached[0] == key:
        return cached[1]
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        parts = tuple(data["parts"])
        where = {(str(h), int(s)): str(p["name"]) for p in parts for h, seeds in p["runs"].items() for s in seeds}
        assert all(isinstance(p["files"], dict) for p in parts)
        index = CompactIndex(parts, where)
    except (OSError, ValueError, TypeError, KeyError, AttributeError, AssertionError):
        index = CompactIndex(problem=f"{path}: corrupt compaction manifest")
    _INDEX_CACHE[str(path)] = (key, index)
    return index


def check_part(exp_dir: Path, part: dict[str, Any], checksums: bool = True) -> str | None:
    """None if a compacted part's files match the manifest (sizes; checksums once per file version), else
    what is wrong, naming the file."""
    for rel, want in part["files"].items():
        path = exp_dir / COMPACT_DIR / rel
        try:
            st = path.stat()
        except OSError:
            return f"{path}: missing (corrupt compacted part)"
        if st.st_size != want.get("size"):
            return f"{path}: corrupt or truncated ({st.st_size} bytes, {want.get('size')} when written)"
        version = (st.st_size, st.st_mtime_ns, st.st_ino)
        if checksums and _VERIFIED.get(str(path)) != version:
            if file_digest(path) != want.get("blake2b"):
                return f"{path}: corrupt (its checksum differs from the one recorded when it was written)"
            _VERIFIED[str(path)] = version
    return None


def compacted_check(path: Path, checksums: bool = True) -> RunCheck | None:
    """The status of run `path` from the compaction manifest, or None if the manifest does not decide it
    (not compacted, or in a damaged part while a folder of it exists)."""
    if path.parent.parent.name != "runs" or not path.name.startswith("seed="):
        return None
    try:
        key = (path.parent.name, seed_of(path))
    except ValueError:
        return None
    exp_dir = path.parent.parent.parent
    index = compact_index(exp_dir)
    if index.problem:
        return None if path.is_dir() else RunCheck("corrupt", index.problem)
    name = index.where.get(key)
    if name is None:
        return None
    problem = check_part(exp_dir, next(p for p in index.parts if p["name"] == name), checksums)
    if problem is None:
        return RunCheck("ok")
    return None if path.is_dir() else RunCheck("corrupt", problem)


def inspect_run(path: Path, checksums: bool = True) -> RunCheck:
    """The status of a run: "ok", "corrupt", "failed" or None (not run); see the module docstring. A compacted
    run is decided by the compaction manifest (its RunCheck has no provenance: read it with the reader).

    Cheap: one small JSON file read and a stat per table, plus reading the tables when `checksums`."""
    return compacted_check(path, checksums) or inspect_folder(path, checksums)


def inspect_folder(path: Path, checksums: bool = True) -> RunCheck:
    """The status of a run folder itself, the compaction manifest aside."""
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
    """"ok", "corrupt", "failed" or None (not run) for a run, in its folder or compacted (see `inspect_run`)."""
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
