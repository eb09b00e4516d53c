"""Read the results store for the Results page, with means and 95% intervals over seeds.

Layout (the store contract): `<root>/<experiment>/experiment.yaml` and
`<root>/<experiment>/runs/<config_hash>/seed=<seed>/{region.parquet, units.parquet, provenance.json}`.
`abm.store.reader` is used when it is installed; otherwise this module reads the layout directly (glob and
pandas), so the page works with any store written to the contract.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from abm.analysis.stats import t_interval

DEFAULT_METRICS = ("maturity_total", "care_production", "dc_index")
FAILED = {"failed", "error", "crashed", "timeout"}


def results_root() -> Path:
    """`$ABM_RESULTS`, else ./results."""
    return Path(os.environ.get("ABM_RESULTS", "results"))


def list_experiments(root: Path) -> list[str]:
    """Names of experiments with at least one stored run, sorted (abm.store.reader: DuckDB over the files)."""
    from abm.store import reader as store

    table = store.list_experiments(root)
    return sorted(table.loc[table["runs_ok"] > 0, "experiment"].astype(str))


def experiment_meta(name: str, root: Path) -> dict[str, Any]:
    path = root / name / "experiment.yaml"
    if not path.is_file():
        return {"name": name}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return data if isinstance(data, dict) else {"name": name}


@dataclass(frozen=True)
class StoredRun:
    config_hash: str
    seed: int
    label: str
    path: Path


def load_runs(name: str, root: Path) -> list[StoredRun]:
    """Completed runs of an experiment (provenance present and not marked failed)."""
    runs = []
    for prov in sorted((root / name / "runs").glob("*/seed=*/provenance.json")):
        try:
            data = json.loads(prov.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue
        if str(data.get("status", "ok")).lower() in FAILED or not (prov.parent / "region.parquet").is_file():
            continue
        overrides = data.get("overrides") or []
        label = " ".join(str(o) for o in overrides) or prov.parent.parent.name
        seed = int(data.get("seed", prov.parent.name.split("=", 1)[-1]))
        runs.append(StoredRun(str(data.get("config_hash", prov.parent.parent.name)), seed, label, prov.parent))
    return runs


def load_region(runs: list[StoredRun], metrics: list[str]) -> pd.DataFrame:
    """One tidy table: config_hash, label, seed, week and the chosen metrics."""
    frames = []
    for run in runs:
        df = pd.read_parquet(run.path / "region.parquet", columns=["week", *metrics])
        df.insert(0, "seed", run.seed)
        df.insert(0, "label", run.label)
        df.insert(0, "config_hash", run.config_hash)
        frames.append(df)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def mean_band(values: np.ndarray) -> tuple[float, float, float]:
    """Mean and 95% t-interval of a sample's finite values (the interval is the mean itself for one value)."""
    finite = values[np.isfinite(values)]
    mean, _, lo, hi = t_interval(finite)
    return (mean, mean, mean) if finite.size == 1 else (mean, lo, hi)


def curves(region: pd.DataFrame, metric: str) -> dict[str, pd.DataFrame]:
    """Per configuration label: week, mean, lo, hi of `metric` over seeds."""
    out = {}
    for label, group in region.groupby("label", sort=True):
        rows = [(w, *mean_band(g[metric].to_numpy(float))) for w, g in group.groupby("week")]
        out[str(label)] = pd.DataFrame(rows, columns=["week", "mean", "lo", "hi"])
    return out


def baseline_table(region: pd.DataFrame, metric: str, baseline: str) -> pd.DataFrame:
    """Final week: each configuration's mean, and its paired difference from the baseline with a 95% CI.

    Pairing by seed uses common random numbers (the same seed gives the same draws to every
    configuration), which narrows the interval of the difference (Law 2015, ch. 11)."""
    final = region[region["week"] == region.groupby(["label", "seed"])["week"].transform("max")]
    wide = final.pivot_table(index="seed", columns="label", values=metric)
    base = next((c for c in wide.columns if baseline and all(b in c.split() for b in baseline.split())),
                wide.columns[0] if len(wide.columns) else None)
    rows = []
    for label in wide.columns:
        m, lo, hi = mean_band(wide[label].to_numpy(float))
        if label == base:
            rows.append((label, m, lo, hi, np.nan, np.nan, np.nan, int(wide[label].notna().sum()), True))
            continue
        d, dlo, dhi = mean_band((wide[label] - wide[base]).to_numpy(float))
        rows.append((label, m, lo, hi, d, dlo, dhi, int(wide[label].notna().sum()), False))
    return pd.DataFrame(rows, columns=["label", "mean", "lo", "hi", "diff", "diff_lo", "diff_hi", "n", "baseline"])


def load_units(run: StoredRun) -> pd.DataFrame:
    return pd.read_parquet(run.path / "units.parquet", columns=["week", "unit", "n_staff", "stage"])


def run_config(run: StoredRun) -> dict[str, Any] | None:
    try:
        data = json.loads((run.path / "provenance.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
    config = data.get("config")
    return config if isinstance(config, dict) else None
