"""Comparing the configurations of one or two experiments in the store.

Per configuration: the mean and 95% interval of each metric at week W (default: the last week); paired
differences against the baseline over common seeds, with intervals and effect sizes (see compare_stats).
Printed as a table and saved as Markdown (`report.md`) and CSV, with figures as PNG and SVG. With two
experiments, configurations are matched on their swept values and the config keys that differ are listed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from abm.analysis.markdown import fmt, markdown
from abm.analysis.plots import distributions, timeseries
from abm.analysis.stats import differing_keys, paired, summarise
from abm.core.metrics import REGISTRY
from abm.errors import UserError
from abm.simulation import stamp
from abm.store.files import atomic_write, write_text
from abm.store.layout import results_root
from abm.store.reader import load_region, load_runs, read_spec, run_provenance, spec_mismatch, swept_keys

NOT_SWEPT = "(not swept)"  # the value of a key that one of two compared experiments does not sweep


@dataclass
class Comparison:
    experiments: list[str]
    keys: list[str]
    metrics: list[str]
    week: int
    baseline: tuple[str, str]
    final: pd.DataFrame
    region: pd.DataFrame
    summary: pd.DataFrame
    paired: pd.DataFrame
    differing: pd.DataFrame
    description: str
    last_week: int


def compare(experiments: Sequence[str], metrics: Sequence[str] | None = None, week: int | None = None,
            baseline: str | None = None, root: str | Path | None = None) -> Comparison:
    """Load the experiments' final-week values and compute the summary and paired tables."""
    specs = [read_spec(e, root) for e in experiments]
    metrics = list(metrics or specs[0].get("metrics") or ["maturity_total", "care_production", "adoption_share"])
    for m in metrics:
        if m not in REGISTRY:
            raise UserError(f"--metric {m!r} is not known: one of {', '.join(REGISTRY)}")
    frames, keys, configs = [], [], {}
    for e in experiments:
        runs = load_runs(e, root)
        mixed = spec_mismatch(e, root, runs)  # runs of another plan would pair the wrong configurations
        if mixed:
            raise UserError(mixed)
        k = swept_keys(e, root, runs)
        keys += [x for x in k if x not in keys]
        region = load_region(e, root, metrics=metrics)
        region.insert(0, "experiment", e)
        frames.append(region)
        for _, r in runs[runs["status"] == "ok"].drop_duplicates("config_hash").iterrows():
            configs[(e, r["config_hash"])] = r["path"]
    region = pd.concat(frames, ignore_index=True)
    if region.empty:
        raise UserError(f"no finished runs to compare in {', '.join(experiments)} ({results_root(root)})")
    if len(experiments) > 1:
        keys = ["experiment", *keys]
    if not keys:
        keys = ["config_hash"]
    for k in keys:
        region[k] = region[k].astype(object).where(region[k].notna(), NOT_SWEPT).astype(str)
    region = in_sweep_order(region, keys, specs, list(experiments))
    last = int(region.groupby(["experiment", "config_hash", "seed"])["week"].max().min())
    week = last if week is None else week
    if week not in set(region["week"]):
        raise UserError(f"--week={week} is not allowed: a week in [0, {last}]")
    final = region[region["week"] == week]
    bl = baseline or (f"experiment={experiments[0]}" if len(experiments) > 1 else specs[0].get("baseline"))
    if not bl:
        first = final.iloc[0]
        bl = f"{keys[0]}={first[keys[0]]}"
    bkey, bvalue = bl.split("=", 1)
    if bkey not in keys:
        raise UserError(f"--baseline {bl}: {bkey!r} is not a swept key: one of {', '.join(keys)}")
    if bvalue not in set(final[bkey]):
        raise UserError(f"--baseline {bl}: no configuration has {bkey}={bvalue}: one of "
                        f"{', '.join(sorted(set(final[bkey])))}")
    return Comparison(list(experiments), keys, metrics, week, (bkey, bvalue), final, region,
                      summarise(final, keys, metrics), paired(final, keys, metrics, (bkey, bvalue)),
                      differing_keys(_configs(configs, final, keys)),
                      " / ".join(str(s.get("description") or "") for s in specs), last)


def in_sweep_order(region: pd.DataFrame, keys: list[str], specs: list[dict], experiments: list[str]) -> pd.DataFrame:
    """Sort rows by the order values are listed in the sweeps (numbers numerically), then week and seed."""
    order: dict[str, list[str]] = {"experiment": experiments}
    for spec in specs:
        for k, v in (spec.get("sweep") or {}).items():
            order.setdefault(k, [x.strip() for x in str(v).split(",")])
    ranks = {}
    for k in keys:
        values = list(dict.fromkeys(region[k]))
        listed = [v for v in order.get(k, []) if v in values]
        rest = sorted(set(values) - set(listed), key=lambda v: (_num(v), v))
        ranks[k] = {v: i for i, v in enumerate(listed + rest)}
    sort_cols = [f"_rank_{k}" for k in keys]
    out = region.assign(**{f"_rank_{k}": region[k].map(ranks[k]) for k in keys})
    return out.sort_values([*sort_cols, "seed", "week"], kind="stable").drop(columns=sort_cols)


def _num(v: str) -> float:
    try:
        return float(v)
    except ValueError:
        return float("inf")


def _configs(paths: dict[tuple[str, str], str], final: pd.DataFrame, keys: list[str]) -> dict[str, dict]:
    out = {}
    for (e, h), path in paths.items():
        rows = final[(final["experiment"] == e) & (final["config_hash"] == h)]
        if rows.empty:
            continue
        label = ", ".join(f"{k}={rows.iloc[0][k]}" for k in keys)
        try:
            out[label] = run_provenance(path)["config"]  # from the run's folder or its compacted part
        except (OSError, ValueError, KeyError):
            continue
    return out


def table(c: Comparison) -> pd.DataFrame:
    """The printed and Markdown table: one row per configuration and metric."""
    merged = c.summary.merge(c.paired, on=[*c.keys, "metric"])
    merged = merged.iloc[merged["metric"].map(c.metrics.index).argsort(kind="stable")]
    rows = []
    for _, r in merged.iterrows():
        rows.append({**{k: r[k] for k in c.keys}, "metric": r["metric"], "n": int(r["n"]),
                     "mean [95% CI]": f"{fmt(r['mean'])} [{fmt(r['ci_lo'])}, {fmt(r['ci_hi'])}]",
                     f"diff vs {c.baseline[0]}={c.baseline[1]} [95% CI]":
                         "baseline" if r["n_pairs"] == 0 and r[c.baseline[0]] == c.baseline[1]
                         else f"{fmt(r['diff'])} [{fmt(r['diff_lo'])}, {fmt(r['diff_hi'])}]",
                     "d_z": fmt(r["d_z"]), "d": fmt(r["d"])})
    return pd.DataFrame(rows)


def report_dir(c: Comparison, base: Path) -> Path:
    """`base` for the last week; `base/week<W>` for any other week, so reports of two weeks never collide."""
    return base if c.week == c.last_week else base / f"week{c.week}"


def write_report(c: Comparison, out: Path, figures: bool) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    files = []
    for name, df in (("summary.csv", c.summary), ("paired.csv", c.paired), ("differing_keys.csv", c.differing)):
        atomic_write(out / name, lambda p, d=df: d.to_csv(p, index=False))
        files.append(out / name)
    figs: list[Path] = []
    if figures:
        line_key = c.baseline[0]
        facets = [k for k in c.keys if k != line_key]
        figs += timeseries(c.region, line_key, facets, c.metrics, out, c.week)
        final = c.final.copy()
        final["_label"] = final[c.keys].astype(str).agg(", ".join, axis=1)
        figs += distributions(final, "_label", c.metrics, out, c.week)
    md = [
        f"# Comparison: {' vs '.join(c.experiments)}\n",
        f"_{stamp()}_\n",
        f"{c.description}\n" if c.description.strip() else "",
        f"Week {c.week}; baseline `{c.baseline[0]}={c.baseline[1]}`; 95% t intervals over seeds; differences "
        "are paired over common seeds (common random numbers); d_z = mean difference / sd of the differences, "
        "d = mean difference / root-mean-square sd.\n",
        markdown(table(c)),
    ]
    if len(c.differing) and len(c.experiments) > 1:
        md += ["\n## Configuration keys that differ\n", markdown(c.differing)]
    md += [f"\n![{f.stem}]({f.name})\n" for f in figs if f.suffix == ".png"]
    text = "\n".join(md)
    write_text(out / "report.md", text)
    return [out / "report.md", *files, *figs]
