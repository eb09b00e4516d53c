"""The one reader of the results store (the CLI, the app and the analysis use it), queried with DuckDB
over the runs' Parquet files; every function returns pandas.

The layout is abm.store.layout's. Hidden folders are temporary and never read. A corrupt or truncated
file is reported by its path (a `StoreWarning`, or a note of `collected_notes`), never a crash: a run
whose status is "corrupt" (`abm.store.layout.run_status`: unreadable provenance, or a table that no longer
matches the size and checksum recorded when it was written) is reported and left out, as is a table that
cannot be read.

Compacted runs (`abm results compact`, abm.store.compact) are read from their parts under `compact/` and
uncompacted ones from their folders, so a store reads the same (same rows, columns, dtypes and order)
before, during and after compaction; a compacted run keeps its `path` (the folder it had). A folder of a
run the compaction manifest lists is a leftover and is not read (`abm.store.layout.inspect_run`).
"""

from __future__ import annotations

import contextlib
import json
import warnings
from collections.abc import Iterator, Sequence
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from abm.config.overrides import split
from abm.errors import UserError
from abm.store.files import FAILED_FILE, PROVENANCE_FILE, REGION_FILE, UNITS_FILE, read_run
from abm.store.layout import (
    COMPACT_DIR,
    SPEC_FILE,
    CompactIndex,
    check_part,
    compact_index,
    compacted_check,
    inspect_folder,
    planned_seeds,
    results_root,
    run_dir,
    run_dirs,
    seed_of,
)

RUN_COLUMNS = ["config_hash", "seed", "status", "path", "error", "wall_time_s", "overrides"]


class StoreWarning(UserWarning):
    """A file of the store could not be read; the message names it."""


_NOTES: ContextVar[list[str] | None] = ContextVar("abm_store_notes", default=None)


def warn(message: str, stacklevel: int = 2) -> None:
    """Report an unreadable file: into the notes of the `collected_notes()` open in this thread, else as a
    StoreWarning (the caller's `stacklevel`, as for `warnings.warn`)."""
    notes = _NOTES.get()
    if notes is None:
        warnings.warn(message, StoreWarning, stacklevel=stacklevel + 1)
    else:
        notes.append(message)


@contextlib.contextmanager
def collected_notes() -> Iterator[list[str]]:
    """Collect this thread's store reports (each message once, in order) instead of warning. Unlike
    `warnings.catch_warnings`, which is process-wide, a collector sees only the reads of its own thread,
    so the app's simultaneous sessions never see each other's notes."""
    notes: list[str] = []
    token = _NOTES.set(notes)
    try:
        yield notes
    finally:
        _NOTES.reset(token)
        notes[:] = list(dict.fromkeys(notes))


def experiment_dir(experiment: str, root: str | Path | None = None) -> Path:
    path = results_root(root) / experiment
    if not path.is_dir():
        known = ", ".join(list_experiments(root)["experiment"]) or "(none)"
        raise UserError(f"no results for experiment {experiment!r} in {results_root(root)}: one of {known}")
    return path


CALIBRATION_FILE = "calibration.yaml"  # the calibration file as run (abm.calibration.calibrate.CAL_FILE)
# A search's folder holds runs but no experiment file; its file as run names what it is.
DISCOVERY_FILE = "discovery.yaml"  # the discovery file as run (abm.discovery.discover)
SEARCH_FILES = {CALIBRATION_FILE: "calibration (abm calibrate", "optimisation.yaml": "optimisation (abm optimise",
                DISCOVERY_FILE: "scenario discovery (abm discover"}


def read_spec(experiment: str, root: str | Path | None = None) -> dict[str, Any]:
    """The experiment file as run (`experiment.yaml`), or {} if missing or unreadable (with a warning).
    A search's folder (a calibration's `calibration.yaml`, an optimisation's `optimisation.yaml`, scenario
    discovery's `discovery.yaml`) holds runs but no experiment file: its description says so, without a
    warning."""
    path = results_root(root) / experiment / SPEC_FILE
    if not path.exists():
        for file, what in SEARCH_FILES.items():
            if (path.parent / file).exists():
                return {"name": experiment, "description": f"{what}; {file})"}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, yaml.YAMLError) as exc:
        warn(f"{path}: cannot read ({type(exc).__name__})", stacklevel=2)
        return {}


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else None
    except (OSError, ValueError):
        warn(f"{path}: corrupt or unreadable JSON; run skipped", stacklevel=3)
        return None


def _intact_parts(exp: Path, index: CompactIndex, checksums: bool = True) -> dict[str, dict[str, Any]]:
    """The compacted parts whose files match the manifest, by name; each damaged one is warned about."""
    if index.problem:
        warn(f"{index.problem}; its compacted runs skipped", stacklevel=4)
    intact = {}
    for part in index.parts:
        problem = check_part(exp, part, checksums)
        if problem is None:
            intact[part["name"]] = part
        else:
            warn(f"{problem}; the runs of {part['name']} skipped", stacklevel=4)
    return intact


def _compacted_rows(exp: Path, parts: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    import pyarrow.parquet as pq

    rows = []
    for part in parts.values():
        cols = ["config_hash", "seed", "error", "wall_time_s", "overrides"]
        for r in pq.read_table(exp / COMPACT_DIR / "runs" / f"{part['name']}.parquet", columns=cols).to_pylist():
            rows.append({"config_hash": r["config_hash"], "seed": r["seed"], "status": "ok",
                         "path": str(run_dir(exp, r["config_hash"], r["seed"])), "error": r["error"],
                         "wall_time_s": r["wall_time_s"], "overrides": list(r["overrides"] or [])})
    return rows


def _runs(experiment: str, root: str | Path | None) -> tuple[pd.DataFrame, dict[str, dict[str, Any]]]:
    """load_runs' table, and the intact compacted parts (by name) its compacted runs are in."""
    exp = experiment_dir(experiment, root)
    index = compact_index(exp)
    parts = _intact_parts(exp, index)
    rows = _compacted_rows(exp, parts)
    for d in run_dirs(exp):
        listed = index.where.get((d.parent.name, seed_of(d)))
        if listed in parts:
            continue  # a leftover folder of a compacted run
        check = inspect_folder(d)
        if check.status == "corrupt":
            warn(f"{check.problem}; run skipped", stacklevel=3)
            continue
        data = check.provenance if check.status == "ok" else _read_json(d / FAILED_FILE) if check.status else None
        if data is None:
            continue
        rows.append({"config_hash": d.parent.name, "seed": seed_of(d), "status": check.status, "path": str(d),
                     "error": data.get("error"), "wall_time_s": data.get("wall_time_s"),
                     "overrides": list(data.get("overrides") or [])})
    df = pd.DataFrame(rows, columns=RUN_COLUMNS)
    for key in swept_keys(experiment, root, df):
        df[key] = [dict(split(o) for o in ovs).get(key) for ovs in df["overrides"]]
    return df.sort_values(["config_hash", "seed"], ignore_index=True), parts


def load_runs(experiment: str, root: str | Path | None = None) -> pd.DataFrame:
    """One row per run: config_hash, seed, status, path, error, wall_time_s and one column per swept key.

    Compacted and uncompacted runs alike; a compacted run's path is the folder it had."""
    return _runs(experiment, root)[0]


def spec_mismatch(experiment: str, root: str | Path | None, runs: pd.DataFrame) -> str | None:
    """None if every stored run belongs to the plan in the experiment's `experiment.yaml`, else one line saying
    which do not (a store mixed by an older version, or edited by hand). Without a plan, nothing to check."""
    spec = read_spec(experiment, root)
    planned = spec.get("configurations")
    if not isinstance(planned, list) or not planned:
        return None
    hashes = {c.get("config_hash") for c in planned if isinstance(c, dict)}
    seeds = planned_seeds(spec.get("seeds"))
    outside = ~runs["config_hash"].isin(hashes)
    if seeds is not None:
        outside |= ~runs["seed"].isin(seeds)
    extra = runs[outside]
    if extra.empty:
        return None
    return (f"experiment {experiment!r}: {len(extra)} stored runs are not in the plan of its {SPEC_FILE} "
            f"(e.g. {extra['path'].iloc[0]}): the store mixes two plans; re-run the experiment with --force-new "
            "(or under a new name) to get a consistent store")


def swept_keys(experiment: str, root: str | Path | None, runs: pd.DataFrame) -> list[str]:
    """Keys named by the sweep (or sensitivity design), plus any override key whose value varies."""
    spec = read_spec(experiment, root)
    keys = [k for k in (spec.get("sweep") or {})]
    keys += [k for k in ((spec.get("sensitivity") or {}).get("params") or {})]
    values: dict[str, set[str]] = {}
    for ovs in runs["overrides"]:
        for k, v in (split(o) for o in ovs):
            values.setdefault(k, set()).add(v)
    keys += [k for k, vs in values.items() if len(vs) > 1 and k not in keys]
    return [k for k in keys if k not in ("config_hash", "seed", "status", "path")]


def _bad_parquet(paths: Sequence[str]) -> list[str]:
    import pyarrow.parquet as pq

    bad = []
    for p in paths:
        try:
            pq.read_metadata(p)
        except Exception:  # pyarrow raises several types for truncated or garbled files
            bad.append(p)
    return bad


def _query(paths: list[str], columns: Sequence[str] | None) -> pd.DataFrame:
    import duckdb

    cols = "*" if not columns else ", ".join(f'"{c}"' for c in [*columns, "filename"])  # * includes filename
    con = duckdb.connect()
    try:
        # hive_partitioning=false: a run folder `seed=<s>` is not a column (DuckDB would add `seed` from the path)
        return con.execute(f"SELECT {cols} FROM read_parquet(?, filename=true, union_by_name=true, "
                           "hive_partitioning=false)", [paths]).df()
    finally:
        con.close()


def _query_parts(paths: list[str], columns: Sequence[str] | None, added: Sequence[str]) -> pd.DataFrame:
    """config_hash, seed and the run's own columns (`columns`, or all) of compacted parts, in stored order."""
    import duckdb

    quoted = ", ".join(f'"{c}"' for c in added if c not in ("config_hash", "seed"))
    cols = (f"* EXCLUDE ({quoted})" if quoted else "*") if not columns else ", ".join(
        f'"{c}"' for c in ["config_hash", "seed", *columns])
    con = duckdb.connect()
    try:
        return con.execute(f"SELECT {cols} FROM read_parquet(?, union_by_name=true, hive_partitioning=false)",
                           [paths]).df()
    finally:
        con.close()


def _folder_data(experiment: str, file: str, folders: pd.DataFrame, columns: Sequence[str] | None) -> pd.DataFrame:
    """config_hash, seed and the table's columns of runs stored as folders (unreadable tables warned about)."""
    paths = [str(Path(p) / file) for p in folders["path"]]
    if not paths:
        return pd.DataFrame()
    try:
        data = _query(paths, columns)
    except Exception as exc:
        bad = _bad_parquet(paths)
        if not bad:
            raise UserError(f"cannot query {file} of {experiment}: {' '.join(str(exc).split())[:200]}") from None
        for b in bad:
            warn(f"{b}: corrupt or truncated Parquet file; run skipped", stacklevel=4)
        paths = [p for p in paths if p not in bad]
        if not paths:
            return pd.DataFrame()
        data = _query(paths, columns)
    names = pd.DataFrame({"config_hash": folders["config_hash"], "seed": folders["seed"],
                          "filename": [str(Path(p) / file) for p in folders["path"]]})
    return names.merge(data, on="filename").drop(columns=["filename"])


def _load_table(experiment: str, file: str, root: str | Path | None, metrics: Sequence[str] | None,
                keys: Sequence[str]) -> pd.DataFrame:
    runs, parts = _runs(experiment, root)
    runs = runs[runs["status"] == "ok"]
    empty = pd.DataFrame(columns=["config_hash", "seed", *keys])
    if runs.empty:
        return empty
    columns = None if metrics is None else [*keys, *metrics]
    compacted = {(h, s) for p in parts.values() for h, seeds in p["runs"].items() for s in seeds}
    in_part = pd.Series([(h, s) in compacted for h, s in zip(runs["config_hash"], runs["seed"], strict=True)],
                        index=runs.index, dtype=bool)
    frames = [_folder_data(experiment, file, runs[~in_part], columns)]
    if parts:
        table = "region" if file == REGION_FILE else "units"
        added = list(dict.fromkeys(c for p in parts.values() for c in p.get("columns_added", [])))
        paths = [str(results_root(root) / experiment / COMPACT_DIR / table / f"{n}.parquet") for n in parts]
        frames.append(_query_parts(paths, columns, added))
    data = pd.concat([f for f in frames if not f.empty], ignore_index=True) if any(
        not f.empty for f in frames) else pd.DataFrame()
    if data.empty:
        return empty
    info = runs.drop(columns=["path", "error", "wall_time_s", "overrides", "status"])
    return info.merge(data, on=["config_hash", "seed"])


def load_region(experiment: str, root: str | Path | None = None, metrics: Sequence[str] | None = None) -> pd.DataFrame:
    """Region rows (one per run and week) with config_hash, seed and the swept keys."""
    return _load_table(experiment, REGION_FILE, root, metrics, ["week"])


def load_units(experiment: str, root: str | Path | None = None, metrics: Sequence[str] | None = None) -> pd.DataFrame:
    """Unit rows (one per run, unit and week) with config_hash, seed and the swept keys."""
    return _load_table(experiment, UNITS_FILE, root, metrics, ["week", "unit", "kind", "n_staff"])


def n_seeds(seeds: object) -> int:
    """How many seeds a spec names: a count (`seeds: 5`) or a list of seeds."""
    if isinstance(seeds, int) and not isinstance(seeds, bool):
        return seeds
    return len(seeds) if isinstance(seeds, list | tuple) else 0


def _listed_statuses(exp: Path) -> tuple[list[str | None], set[str]]:
    """Statuses (sizes only, so listing stays fast) of every run, compacted or not, and their configurations."""
    index = compact_index(exp)
    intact = {p["name"] for p in index.parts if check_part(exp, p, checksums=False) is None}
    status: list[str | None] = ["ok" for name in index.where.values() if name in intact]
    configs = {h for (h, _), name in index.where.items() if name in intact}
    for d in run_dirs(exp):
        check = compacted_check(d, checksums=False)
        if check is not None and check.status == "ok":
            continue  # counted above
        status.append(inspect_folder(d, checksums=False).status)
        configs.add(d.parent.name)
    return status, configs


def list_experiments(root: str | Path | None = None) -> pd.DataFrame:
    """One row per experiment in the store: configurations, runs ok and failed, description."""
    base = results_root(root)
    rows = []
    for exp in sorted(p for p in base.glob("*") if (p / "runs").is_dir() or (p / SPEC_FILE).is_file()
                      or (p / COMPACT_DIR).is_dir()):
        status, configs = _listed_statuses(exp)
        ok, failed = status.count("ok"), status.count("failed")
        spec = read_spec(exp.name, base)
        rows.append({"experiment": exp.name, "configurations": len(configs),
                     "runs_ok": ok, "runs_failed": failed,
                     "planned": len(spec.get("configurations") or []) * n_seeds(spec.get("seeds")),
                     "description": spec.get("description", "")})
    return pd.DataFrame(rows, columns=["experiment", "configurations", "runs_ok", "runs_failed", "planned",
                                       "description"])


def show_experiment(experiment: str, root: str | Path | None = None) -> pd.DataFrame:
    """Per configuration: swept values, runs ok/failed and final-week means of the experiment's metrics."""
    runs = load_runs(experiment, root)
    keys = swept_keys(experiment, root, runs)
    metrics = read_spec(experiment, root).get("metrics") or ["maturity_total"]
    counts = runs.groupby("config_hash").agg(ok=("status", lambda s: int((s == "ok").sum())),
                                             failed=("status", lambda s: int((s == "failed").sum())))
    region = load_region(experiment, root, metrics=metrics)
    if not region.empty:
        final = region[region["week"] == region.groupby(["config_hash", "seed"])["week"].transform("max")]
        means = final.groupby("config_hash")[list(metrics)].mean().add_prefix("mean_")
        counts = counts.join(means)
    labels = runs.drop_duplicates("config_hash").set_index("config_hash")[keys]
    return labels.join(counts).reset_index()


def _compacted_tables(path: Path, tables: Sequence[str]) -> list[Any]:
    """The rows of one compacted run in the parts' `tables` (Arrow), without the columns compaction added
    to region and units."""
    import pyarrow.parquet as pq

    exp, key = path.parent.parent.parent, (path.parent.name, seed_of(path))
    index = compact_index(exp)
    part = next(p for p in index.parts if p["name"] == index.where[key])
    filters = [("config_hash", "=", key[0]), ("seed", "=", key[1])]
    out = []
    for table in tables:
        t = pq.read_table(exp / COMPACT_DIR / table / f"{part['name']}.parquet", filters=filters)
        out.append(t if table == "runs" else t.drop_columns(
            [c for c in part.get("columns_added", []) if c in t.column_names]))
    return out


def read_stored_run(path: str | Path) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """One run, by the `path` load_runs gives it (`<exp>/runs/<config_hash>/seed=<s>`), from its folder or,
    compacted, from its parts: (region, units, provenance), as abm.store.files.read_run reads a folder."""
    path = Path(path)
    check = compacted_check(path)
    if check is None or check.status != "ok":
        return read_run(path)
    region, units, runs = _compacted_tables(path, ("region", "units", "runs"))
    return region.to_pandas(), units.to_pandas(), json.loads(runs.column("provenance")[0].as_py())


def read_one_run(experiment: str, config_hash: str, seed: int,
                 root: str | Path | None = None) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """One run by (config_hash, seed), compacted or not: (region, units, provenance)."""
    return read_stored_run(run_dir(experiment_dir(experiment, root), config_hash, int(seed)))


def run_provenance(path: str | Path) -> dict[str, Any]:
    """The provenance of the run at `path` (as load_runs gives it), compacted or not."""
    path = Path(path)
    check = compacted_check(path)
    if check is None or check.status != "ok":
        return json.loads((path / PROVENANCE_FILE).read_text(encoding="utf-8"))
    (runs,) = _compacted_tables(path, ("runs",))
    return json.loads(runs.column("provenance")[0].as_py())
