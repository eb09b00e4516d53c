"""Compacting a store (`abm results compact NAME`): many small run folders become a few Parquet files.

Every finished, verified run (`run_status` "ok") is merged, a chunk of runs at a time, into one part:

    <exp>/compact/region/part-<n>.parquet   every region row of the chunk's runs, with config_hash, seed
    <exp>/compact/units/part-<n>.parquet    and the swept keys first, then the run's own columns (types kept)
    <exp>/compact/runs/part-<n>.parquet     one row per run: its provenance (JSON) and the fields the reader
                                            needs (config_hash, seed, status, wall_time_s, overrides, files)
    <exp>/compact/manifest.json             which runs are in which part, and each part file's size + BLAKE2b

Order of a part, each step atomic: the three files are written under temporary names and renamed into
place; then the manifest (the commit: a run is compacted once it is listed there) is replaced; only then are
the part's run folders renamed aside (hidden) and removed. Killed anywhere, the store reads every run exactly
once (a part not in the manifest is ignored; a folder of a listed run is ignored) and the next compaction
removes the leftovers and goes on. Failed and corrupt runs are left as they are and reported. It runs under
the experiment lock, so no sweep writes meanwhile.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from abm.config.overrides import split
from abm.errors import UserError
from abm.store.files import (
    FILES_KEY,
    PROVENANCE_FILE,
    REGION_FILE,
    UNITS_FILE,
    atomic_write,
    file_digest,
    write_json,
)
from abm.store.guard import experiment_lock
from abm.store.layout import (
    COMPACT_DIR,
    COMPACT_MANIFEST,
    COMPACT_TABLES,
    SPEC_FILE,
    check_part,
    compact_index,
    inspect_folder,
    run_dirs,
    seed_of,
)
from abm.store.publish import TRASH_PREFIX

RUNS_PER_PART = 2000
BYTES_PER_PART = 256 * 2**20  # of the runs' table files, before merging
ROWS_PER_GROUP_RUNS = 64  # runs per Parquet row group (bounds the memory a part needs)
KILL_ENV = "ABM_TEST_COMPACT_KILL"  # test hook "PHASE" or "PHASE:I": SIGKILL this process after PHASE of part I
PHASES = ("region", "units", "runs", "manifest", "remove")
ADDED = ("config_hash", "seed")
RESERVED = (*ADDED, "status", "path", "wall_time_s", "error", "overrides", "files", "part", "provenance")


@dataclass
class CompactReport:
    experiment: str
    compacted: int = 0  # runs merged now
    already: int = 0  # runs compacted before
    parts: list[str] = field(default_factory=list)  # parts written now
    left: list[tuple[str, str]] = field(default_factory=list)  # (status, path or problem) of runs not compacted
    leftovers: int = 0  # folders of already compacted runs removed (a compaction killed before it removed them)
    before: tuple[int, int] = (0, 0)  # (files, folders) of the experiment folder
    after: tuple[int, int] = (0, 0)
    seconds: float = 0.0

    def summary(self) -> str:
        lines = [f"{self.experiment}: {self.compacted} runs compacted into {len(self.parts)} new parts "
                 f"({self.already} compacted before); files {self.before[0]} -> {self.after[0]}, folders "
                 f"{self.before[1]} -> {self.after[1]} in {self.seconds:.1f} s"]
        if self.leftovers:
            lines.append(f"  removed {self.leftovers} folders of runs an interrupted compaction had merged")
        for status, what in self.left[:10]:
            lines.append(f"  not compacted ({status}): {what}")
        if len(self.left) > 10:
            lines.append(f"  ... and {len(self.left) - 10} more runs not compacted")
        return "\n".join(lines)


def count_entries(exp_dir: Path) -> tuple[int, int]:
    """(files, folders) under the experiment folder, the folder itself included."""
    files, folders = 0, 1
    for _, dirs, names in os.walk(exp_dir):
        files, folders = files + len(names), folders + len(dirs)
    return files, folders


def _kill_point(phase: str, i: int) -> None:
    """The test hook: die here (SIGKILL, nothing cleaned up) if $ABM_TEST_COMPACT_KILL names this point."""
    wanted = os.environ.get(KILL_ENV)
    if wanted and wanted in (f"{phase}:{i}", phase if i == 0 else ""):
        os.kill(os.getpid(), signal.SIGKILL)


def _swept_keys(exp_dir: Path) -> list[str]:
    import yaml

    try:
        spec = yaml.safe_load((exp_dir / SPEC_FILE).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return []
    keys = list((spec.get("sweep") or {}) if isinstance(spec, dict) else [])
    keys += list(((spec.get("sensitivity") or {}).get("params") or {}) if isinstance(spec, dict) else [])
    return [str(k) for k in keys if str(k) not in RESERVED]


@dataclass
class Run:
    path: Path
    config_hash: str
    seed: int
    provenance: dict[str, Any]
    schema: tuple[str, str]  # the two tables' Arrow schemas (a part holds runs of one schema)
    size: int


def _candidates(exp_dir: Path, report: CompactReport) -> list[Run]:
    """The runs to compact (ok, not compacted yet), sorted; removes folders of runs already compacted."""
    import pyarrow.parquet as pq

    index = compact_index(exp_dir)
    intact = {p["name"] for p in index.parts if check_part(exp_dir, p) is None}
    report.already = sum(1 for name in index.where.values() if name in intact)
    for p in index.parts:
        if p["name"] not in intact:
            report.left.append(("corrupt part", str(check_part(exp_dir, p))))
    runs = []
    for d in run_dirs(exp_dir):
        key = (d.parent.name, seed_of(d))
        if key in index.where:
            if index.where[key] in intact:
                _remove_folder(d)
                report.leftovers += 1
            continue  # a run of a damaged part redone by a sweep stays a folder (the reader reads it)
        check = inspect_folder(d)
        if check.status != "ok" or check.provenance is None:
            report.left.append((str(check.status or "not run"), check.problem or str(d)))
            continue
        schema = tuple(str(pq.read_schema(d / f).remove_metadata()) for f in (REGION_FILE, UNITS_FILE))
        size = sum((d / f).stat().st_size for f in (REGION_FILE, UNITS_FILE))
        runs.append(Run(d, key[0], key[1], check.provenance, schema, size))  # type: ignore[arg-type]
    return sorted(runs, key=lambda r: (r.config_hash, r.seed))


def _chunks(runs: list[Run], runs_per_part: int, bytes_per_part: int) -> Iterator[list[Run]]:
    chunk: list[Run] = []
    for run in runs:
        if chunk and (len(chunk) >= runs_per_part or sum(r.size for r in chunk) + run.size > bytes_per_part
                      or run.schema != chunk[0].schema):
            yield chunk
            chunk = []
        chunk.append(run)
    if chunk:
        yield chunk


def _key_values(run: Run, keys: list[str]) -> dict[str, str | None]:
    values = dict(split(str(o)) for o in run.provenance.get("overrides") or [])
    return {k: values.get(k) for k in keys}


def _table_part(chunk: list[Run], file: str, keys: list[str], dest: Path) -> None:
    """The chunk's tables of `file`, with config_hash, seed and the swept keys first, into one Parquet file."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    def write(tmp: str) -> None:
        writer = None
        try:
            for start in range(0, len(chunk), ROWS_PER_GROUP_RUNS):
                tables = []
                for run in chunk[start:start + ROWS_PER_GROUP_RUNS]:
                    t = pq.read_table(run.path / file)
                    added = {"config_hash": pa.array([run.config_hash] * t.num_rows, pa.string()),
                             "seed": pa.array([run.seed] * t.num_rows, pa.int64()),
                             **{k: pa.array([v] * t.num_rows, pa.string()) for k, v in _key_values(run, keys).items()}}
                    for i, (name, column) in enumerate(added.items()):
                        t = t.add_column(i, name, column)
                    tables.append(t)
                table = pa.concat_tables(tables)
                if writer is None:
                    writer = pq.ParquetWriter(tmp, table.schema, compression="zstd")
                writer.write_table(table)
        finally:
            if writer is not None:
                writer.close()

    atomic_write(dest, write)


def _runs_part(chunk: list[Run], part: str, keys: list[str], dest: Path) -> None:
    import pandas as pd

    rows = [{"config_hash": r.config_hash, "seed": r.seed, **_key_values(r, keys), "status": "ok",
             "wall_time_s": r.provenance.get("wall_time_s"), "error": r.provenance.get("error"),
             "overrides": [str(o) for o in r.provenance.get("overrides") or []],
             "files": json.dumps(r.provenance.get(FILES_KEY)), "part": part,
             "provenance": (r.path / PROVENANCE_FILE).read_text(encoding="utf-8")} for r in chunk]
    df = pd.DataFrame(rows)
    df["wall_time_s"] = df["wall_time_s"].astype("float64")
    df["error"] = df["error"].astype(object)
    atomic_write(dest, lambda p: df.to_parquet(p, index=False, compression="zstd"))


def _remove_folder(path: Path) -> None:
    """Rename a run folder aside (hidden, one rename: it is there whole or not at all), then remove it."""
    trash = path.parent / f"{TRASH_PREFIX}{path.name}-{uuid.uuid4().hex[:8]}"
    os.rename(path, trash)
    shutil.rmtree(trash, ignore_errors=True)
    with contextlib.suppress(OSError):
        path.parent.rmdir()  # the configuration's folder, once its last run is gone


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_orphans(exp_dir: Path, parts: tuple[dict[str, Any], ...]) -> None:
    """Part files not in the manifest (a compaction killed before its commit) and temporary files."""
    listed = {rel for p in parts for rel in p["files"]}
    for table in COMPACT_TABLES:
        for path in (exp_dir / COMPACT_DIR / table).glob("*"):
            if f"{table}/{path.name}" not in listed and path.is_file():
                path.unlink()
    for path in (exp_dir / COMPACT_DIR).glob(f".{COMPACT_MANIFEST}.*"):
        path.unlink()


def _write_part(exp_dir: Path, chunk: list[Run], name: str, keys: list[str], i: int) -> dict[str, Any]:
    import pyarrow.parquet as pq

    base = exp_dir / COMPACT_DIR
    columns = {c for f in (REGION_FILE, UNITS_FILE) for c in pq.read_schema(chunk[0].path / f).names}
    keys = [k for k in keys if k not in columns]  # a swept key never hides a column of the run's tables
    for table, file in (("region", REGION_FILE), ("units", UNITS_FILE)):
        _table_part(chunk, file, keys, base / table / f"{name}.parquet")
        _kill_point(table, i)
    _runs_part(chunk, name, keys, base / "runs" / f"{name}.parquet")
    _kill_point("runs", i)
    for table in COMPACT_TABLES:
        _fsync_dir(base / table)
    seeds: dict[str, list[int]] = {}
    for r in chunk:
        seeds.setdefault(r.config_hash, []).append(r.seed)
    files = {f"{t}/{name}.parquet": {"size": (base / t / f"{name}.parquet").stat().st_size,
                                     "blake2b": file_digest(base / t / f"{name}.parquet")} for t in COMPACT_TABLES}
    return {"name": name, "n_runs": len(chunk), "columns_added": [*ADDED, *keys], "files": files, "runs": seeds}


def compact_experiment(exp_dir: Path, runs_per_part: int = RUNS_PER_PART,
                       bytes_per_part: int = BYTES_PER_PART) -> CompactReport:
    """Merge the experiment's finished, verified runs into parts (see the module docstring); resumable."""
    start = time.perf_counter()
    report = CompactReport(exp_dir.name, before=count_entries(exp_dir))
    with experiment_lock(exp_dir):
        index = compact_index(exp_dir)
        if index.problem:
            raise UserError(f"{index.problem}: cannot compact {exp_dir} (restore the file, or move the compact "
                            "folder aside and re-run the sweep to redo its runs)")
        _remove_orphans(exp_dir, index.parts)
        runs = _candidates(exp_dir, report)
        parts = list(index.parts)
        number = 1 + max((int(p["name"].rsplit("-", 1)[1]) for p in parts), default=-1)
        keys = _swept_keys(exp_dir)
        for i, chunk in enumerate(_chunks(runs, runs_per_part, bytes_per_part)):
            name = f"part-{number + i:05d}"
            parts.append(_write_part(exp_dir, chunk, name, keys, i))
            write_json(exp_dir / COMPACT_DIR / COMPACT_MANIFEST,
                       {"format": 1, "experiment": exp_dir.name, "written": datetime.now(UTC).isoformat(),
                        "parts": parts})
            _fsync_dir(exp_dir / COMPACT_DIR)
            _kill_point("manifest", i)
            for j, run in enumerate(chunk):
                _remove_folder(run.path)
                if j == len(chunk) // 2:
                    _kill_point("remove", i)
            report.compacted += len(chunk)
            report.parts.append(name)
    report.after, report.seconds = count_entries(exp_dir), time.perf_counter() - start
    return report
