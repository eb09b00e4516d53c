"""The one reader of the results store (the CLI, the app and the analysis use it), queried with DuckDB
over the runs' Parquet files; every function returns pandas.

The layout is abm.store.layout's. Hidden folders are temporary and never read. A corrupt or truncated
file is reported by its path (a `StoreWarning`), never a crash: a run whose status is "corrupt"
(`abm.store.layout.run_status`: unreadable provenance, or a table that no longer matches the size and
checksum recorded when it was written) is reported and left out, as is a table that cannot be read.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from abm.config.overrides import split
from abm.errors import UserError
from abm.store.files import FAILED_FILE, REGION_FILE, UNITS_FILE
from abm.store.layout import SPEC_FILE, inspect_run, planned_seeds, results_root, run_dirs, run_status, seed_of


class StoreWarning(UserWarning):
    """A file of the store could not be read; the message names it."""


def experiment_dir(experiment: str, root: str | Path | None = None) -> Path:
    path = results_root(root) / experiment
    if not path.is_dir():
        known = ", ".join(list_experiments(root)["experiment"]) or "(none)"
        raise UserError(f"no results for experiment {experiment!r} in {results_root(root)}: one of {known}")
    return path


def read_spec(experiment: str, root: str | Path | None = None) -> dict[str, Any]:
    """The experiment file as run (`experiment.yaml`), or {} if missing or unreadable (with a warning)."""
    path = results_root(root) / experiment / SPEC_FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, yaml.YAMLError) as exc:
        warnings.warn(f"{path}: cannot read ({type(exc).__name__})", StoreWarning, stacklevel=2)
        return {}


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else None
    except (OSError, ValueError):
        warnings.warn(f"{path}: corrupt or unreadable JSON; run skipped", StoreWarning, stacklevel=3)
        return None


def load_runs(experiment: str, root: str | Path | None = None) -> pd.DataFrame:
    """One row per run: config_hash, seed, status, path, error, wall_time_s and one column per swept key."""
    exp = experiment_dir(experiment, root)
    rows = []
    for d in run_dirs(exp):
        check = inspect_run(d)
        if check.status == "corrupt":
            warnings.warn(f"{check.problem}; run skipped", StoreWarning, stacklevel=2)
            continue
        data = check.provenance if check.status == "ok" else _read_json(d / FAILED_FILE) if check.status else None
        if data is None:
            continue
        rows.append({"config_hash": d.parent.name, "seed": seed_of(d), "status": check.status, "path": str(d),
                     "error": data.get("error"), "wall_time_s": data.get("wall_time_s"),
                     "overrides": list(data.get("overrides") or [])})
    df = pd.DataFrame(rows, columns=["config_hash", "seed", "status", "path", "error", "wall_time_s", "overrides"])
    for key in swept_keys(experiment, root, df):
        df[key] = [dict(split(o) for o in ovs).get(key) for ovs in df["overrides"]]
    return df.sort_values(["config_hash", "seed"], ignore_index=True)


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

    cols = "*" if not columns else ", ".join(f'"{c}"' for c in columns)
    con = duckdb.connect()
    try:
        return con.execute(f"SELECT {cols}, filename FROM read_parquet(?, filename=true, union_by_name=true)",
                           [paths]).df()
    finally:
        con.close()


def _load_table(experiment: str, file: str, root: str | Path | None, metrics: Sequence[str] | None,
                keys: Sequence[str]) -> pd.DataFrame:
    runs = load_runs(experiment, root)
    runs = runs[runs["status"] == "ok"]
    if runs.empty:
        return pd.DataFrame(columns=["config_hash", "seed", *keys])
    paths = [str(Path(p) / file) for p in runs["path"]]
    columns = None if metrics is None else [*keys, *metrics]
    try:
        data = _query(paths, columns)
    except Exception as exc:
        bad = _bad_parquet(paths)
        if not bad:
            raise UserError(f"cannot query {file} of {experiment}: {' '.join(str(exc).split())[:200]}") from None
        for b in bad:
            warnings.warn(f"{b}: corrupt or truncated Parquet file; run skipped", StoreWarning, stacklevel=3)
        paths = [p for p in paths if p not in bad]
        if not paths:
            return pd.DataFrame(columns=["config_hash", "seed", *keys])
        data = _query(paths, columns)
    info = runs.drop(columns=["path", "error", "wall_time_s", "overrides", "status"])
    info["filename"] = [str(Path(p) / file) for p in runs["path"]]
    return info.merge(data, on="filename").drop(columns=["filename"])


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


def list_experiments(root: str | Path | None = None) -> pd.DataFrame:
    """One row per experiment in the store: configurations, runs ok and failed, description."""
    base = results_root(root)
    rows = []
    for exp in sorted(p for p in base.glob("*") if (p / "runs").is_dir() or (p / SPEC_FILE).is_file()):
        dirs = run_dirs(exp)
        status = [run_status(d, checksums=False) for d in dirs]  # sizes only: listing stays fast
        ok, failed = status.count("ok"), status.count("failed")
        spec = read_spec(exp.name, base)
        rows.append({"experiment": exp.name, "configurations": len({d.parent.name for d in dirs}),
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
