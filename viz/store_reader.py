"""What the Results page shows of the results store, and nothing it computes itself.

The store is read by `abm.store.reader` (the one reader; the root is `abm.store.layout.results_root`) and
the numbers come from `abm.analysis`: `compare` gives the final-week table exactly as `abm compare` prints
it (each configuration paired with the baseline that shares its other swept values), `band` the mean curves
with 95% bands, `sensitivity.indices` the Morris or Sobol indices of a sensitivity experiment exactly as
`abm sensitivity` writes them. This module only names configurations by their swept values, shapes the rows for the page
and turns the store's warnings (unreadable files) into short notes instead of letting them escape.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from abm.errors import UserError
from abm.store import reader
from abm.store.layout import results_root

if TYPE_CHECKING:
    from abm.analysis.compare import Comparison

__all__ = ["Indices", "Results", "baseline_table", "curves", "curves_frame", "experiments", "indices_frame", "label",
           "load", "load_indices", "read_replay", "read_spec", "results_root", "sensitivity_method", "within"]


def within(text: str, root: Path) -> str:
    """`text` with the store's own location left out: a file is named by its path inside the store
    (`quickstart/runs/<hash>/seed=1/region.parquet`), so no server path reaches the page."""
    for prefix in sorted({str(root.resolve()), str(root.absolute()), str(root)}, key=len, reverse=True):
        if prefix not in ("", "."):
            text = text.replace(prefix.rstrip("/") + "/", "").replace(prefix, "<results>")
    return text


def noted[T](fn: Callable[..., T], *args: Any) -> tuple[T, list[str]]:
    """`fn(*args)` and the store's reports during it (each unreadable file, by path, named once): collected
    per thread, so simultaneous sessions never see each other's notes."""
    with reader.collected_notes() as notes:
        value = fn(*args)
    return value, notes


def experiments(root: Path) -> tuple[list[str], list[str]]:
    """Experiments with at least one finished run (sorted), and the store's notes."""
    table, notes = noted(reader.list_experiments, root)
    return sorted(table.loc[table["runs_ok"] > 0, "experiment"].astype(str)), [within(n, root) for n in notes]


def label(values: Mapping[str, object], keys: Sequence[str]) -> str:
    """A configuration by its swept values: `practice=contextual, environment=turbulent`."""
    return ", ".join(f"{k}={values[k]}" for k in keys)


@dataclass(frozen=True)
class Results:
    comparison: Comparison  # abm.analysis.compare's, for every metric of the experiment file
    runs: pd.DataFrame  # finished runs in sweep order: label, config_hash, seed, path
    notes: tuple[str, ...]  # store warnings, and a baseline the page had to narrow

    @property
    def labels(self) -> list[str]:
        return list(self.runs["label"].drop_duplicates())

    @property
    def baseline(self) -> str:
        return "=".join(self.comparison.baseline)


def _compare(name: str, root: Path, metrics: Sequence[str] | None) -> tuple[Comparison, list[str]]:
    # imported here: abm.analysis.compare loads matplotlib, and the app starts without it
    from abm.analysis.compare import compare

    try:
        return compare([name], metrics, root=root), []
    except UserError:
        # `abm compare` takes one KEY=VALUE; a scenario saved from the Compare page names one per differing key
        tokens = str(reader.read_spec(name, root).get("baseline") or "").split()
        if len(tokens) < 2:
            raise
        return compare([name], metrics, baseline=tokens[0], root=root), [
            f"baseline {' '.join(tokens)}: differences are paired on {tokens[0]} (one KEY=VALUE, as abm compare)"]


def _load(name: str, root: Path, metrics: Sequence[str] | None) -> Results:
    c, notes = _compare(name, root, metrics)
    runs = reader.load_runs(name, root)
    # the runs whose tables were read, in sweep order, with their swept values as compare has them
    shown = c.region.drop_duplicates(["config_hash", "seed"])
    finished = runs.loc[runs["status"] == "ok", ["config_hash", "seed", "path"]]
    runs = shown[["config_hash", "seed", *c.keys]].merge(finished, on=["config_hash", "seed"])
    runs["label"] = [label(r, c.keys) for _, r in runs.iterrows()]
    return Results(c, runs[["label", "config_hash", "seed", "path"]].reset_index(drop=True), tuple(notes))


def load(name: str, root: Path, metrics: Sequence[str] | None = None) -> Results:
    """An experiment's comparison (of `metrics`, default the experiment file's) and finished runs; raises
    UserError as `abm compare` would."""
    results, notes = noted(_load, name, root, metrics)
    return Results(results.comparison, results.runs, tuple(within(n, root) for n in (*notes, *results.notes)))


def curves(results: Results, metric: str) -> dict[str, pd.DataFrame]:
    """Per configuration label, in sweep order: week, mean, lo, hi of `metric` over seeds (abm.analysis.band)."""
    from abm.analysis.stats import band

    c = results.comparison
    bands = band(c.region, c.keys, metric)
    out = {}
    for values, group in bands.groupby(c.keys, sort=False):
        key = dict(zip(c.keys, values if isinstance(values, tuple) else (values,), strict=True))
        out[label(key, c.keys)] = group.sort_values("week")[["week", "mean", "lo", "hi"]].reset_index(drop=True)
    return out


def baseline_table(results: Results, metric: str) -> pd.DataFrame:
    """Final week, per configuration: mean and 95% CI (`compare(...).summary`), paired difference from its
    baseline and 95% CI (`.paired`), the number of runs, and whether it is a baseline configuration."""
    c = results.comparison
    summary = c.summary[c.summary["metric"] == metric]
    pairs = c.paired[c.paired["metric"] == metric]
    merged = summary.merge(pairs, on=[*c.keys, "metric"], how="left", sort=False)
    bkey, bvalue = c.baseline
    return pd.DataFrame({
        "label": [label(r, c.keys) for _, r in merged.iterrows()],
        "mean": merged["mean"], "lo": merged["ci_lo"], "hi": merged["ci_hi"],
        "diff": merged["diff"], "diff_lo": merged["diff_lo"], "diff_hi": merged["diff_hi"],
        "n": merged["n"].astype(int), "baseline": merged[bkey].astype(str) == bvalue,
    }).reset_index(drop=True)


def read_replay(path: str | Path) -> tuple[pd.DataFrame, dict[str, Any] | None]:
    """One stored run's unit table and resolved config, by its path from load_runs, from its folder or its
    compacted part (abm.store.reader.read_stored_run)."""
    _, units, provenance = reader.read_stored_run(path)
    config = provenance.get("config")
    return units, config if isinstance(config, dict) else None


def curves_frame(results: Results, metric: str) -> pd.DataFrame:
    """The curves of `metric` as one tidy table (the Results page's CSV): configuration, week, mean, lo, hi."""
    parts = [cv.assign(configuration=lb) for lb, cv in curves(results, metric).items()]
    if not parts:
        return pd.DataFrame(columns=["configuration", "week", "mean", "lo", "hi"])
    return pd.concat(parts, ignore_index=True)[["configuration", "week", "mean", "lo", "hi"]]


def read_spec(name: str, root: Path) -> dict[str, Any]:
    """The experiment file as run ({} when missing or unreadable), read once for a page: a stored plan makes
    it large (a Morris screen's takes a fifth of a second to parse)."""
    spec, _ = noted(reader.read_spec, name, root)
    return spec


def sensitivity_method(spec: Mapping[str, Any]) -> str | None:
    """`morris` or `sobol` for an experiment file with a `sensitivity:` block, else None."""
    sens = spec.get("sensitivity")
    method = sens.get("method") if isinstance(sens, dict) else None
    return str(method) if method in ("morris", "sobol") else None


@dataclass(frozen=True)
class Indices:
    method: str  # morris or sobol
    week: int | None  # the week analysed (the last stored), None when no metric could be analysed
    tables: dict[str, pd.DataFrame]  # per metric: abm.analysis.sensitivity.indices's table, sorted
    notes: tuple[str, ...]  # store warnings, and each metric that could not be analysed, with why


def _indices(name: str, root: Path, metrics: Sequence[str] | None,
             spec: Mapping[str, Any] | None) -> tuple[str, dict[str, pd.DataFrame], list[str]]:
    # imported here: abm.analysis.sensitivity loads matplotlib and SALib, and the app starts without them
    from abm.analysis.sensitivity import indices

    spec = reader.read_spec(name, root) if spec is None else spec
    method = str((spec.get("sensitivity") or {}).get("method", "morris"))
    tables, notes = {}, []
    for m in list(metrics or spec.get("metrics") or ["maturity_total"]):
        try:
            tables[str(m)] = indices(name, str(m), None, root)
        except UserError as exc:
            notes.append(f"{m}: {exc}")
    return method, tables, notes


def load_indices(name: str, root: Path, metrics: Sequence[str] | None = None,
                 spec: Mapping[str, Any] | None = None) -> Indices:
    """A sensitivity experiment's indices at the last week stored, per metric (default the experiment file's,
    `spec` when the caller has read it), from `abm.analysis.sensitivity.indices`, the one definition `abm
    sensitivity` uses; a metric that cannot be analysed (an unfinished design) is a note, not an error."""
    (method, tables, problems), notes = noted(_indices, name, root, metrics, spec)
    week = next((int(t.attrs["week"]) for t in tables.values()), None)
    return Indices(method, week, tables, tuple(within(n, root) for n in (*notes, *problems)))


def indices_frame(found: Indices) -> pd.DataFrame:
    """Every metric's indices as one tidy table (the Results page's CSV): metric, week, then the table's
    columns (Morris: param, mu_star, mu_star_conf, mu, sigma; Sobol: param, S1, S1_conf, ST, ST_conf)."""
    parts = [t.assign(metric=m, week=found.week) for m, t in found.tables.items()]
    if not parts:
        return pd.DataFrame(columns=["metric", "week", "param"])
    table = pd.concat(parts, ignore_index=True)
    return table[["metric", "week", *[c for c in table.columns if c not in ("metric", "week")]]]
