"""Comparing the configurations of one or two experiments in the store.

Per configuration: the mean and 95% interval of each metric at week W (default: the last week); paired
differences against the baseline over common seeds, with intervals and effect sizes (abm.analysis.stats).
The same statistics of each run's mean over weeks 1..W (abm.analysis.stats.run_means) stand beside them,
in columns with the suffix `_mean`: one week's value misleads for a practice whose phases alternate.
Printed as two tables ("at week W", "mean over weeks 1-W") and saved as Markdown (`report.md`) and CSV,
with figures as PNG and SVG. With two experiments, configurations are matched on their swept values and
the config keys that differ are listed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from abm.analysis.markdown import fmt, markdown
from abm.analysis.plots import distributions, timeseries
from abm.analysis.pooled import DRAW, paired_pooled, summarise_pooled
from abm.analysis.stats import differing_keys, paired, run_means, summarise
from abm.core.metrics import REGISTRY
from abm.errors import UserError
from abm.simulation import stamp
from abm.store.files import atomic_write, write_text
from abm.store.layout import results_root
from abm.store.reader import load_region, load_runs, read_spec, run_provenance, spec_mismatch, swept_keys

NOT_SWEPT = "(not swept)"  # the value of a key that one of two compared experiments does not sweep
RUN = ["experiment", "config_hash", "seed"]  # the columns that tell the runs of the compared experiments apart
MEAN = "_mean"  # the suffix of the columns about run means over weeks 1..W
POOLED = "configuration"  # the one key of an experiment over a posterior without a sweep


@dataclass
class Comparison:
    """`final`: each run's row at `week`; `means`: each run's mean over weeks 1..`week` (its run columns and
    one column per metric). `summary` and `paired`: per configuration and metric, the statistics of the week's
    values, and beside them (suffix `_mean`) the same statistics of the run means."""

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
    means: pd.DataFrame
    posterior: Posterior | None = None  # set when the experiments ran over a posterior: draws are pooled


@dataclass
class Posterior:
    """What the experiment.yaml of an experiment over a posterior says: its name, the drawn parameters'
    keys, each draw's pool weight, and each stored configuration's draw (per experiment)."""

    name: str
    params: list[str]
    pool: dict[int, float]
    draw_of: dict[str, dict[str, int]]


def posterior_plan(specs: list[dict[str, Any]], experiments: list[str]) -> Posterior | None:
    """The posterior the experiments ran over (None if none did); compared experiments must share its draws."""
    drawn = [s.get("posterior_draws") or None for s in specs]
    if not any(drawn):
        return None
    if any(d != drawn[0] for d in drawn):
        raise UserError(f"cannot compare {', '.join(experiments)}: they did not run over the same posterior draws "
                        "(differences are paired on draw and seed)")
    draws = drawn[0]
    draw_of = {e: {c["config_hash"]: int(c["values"][DRAW]) for c in s.get("configurations") or []}
               for e, s in zip(experiments, specs, strict=True)}
    return Posterior(str(specs[0].get("posterior")), list(draws[0]["values"]),
                     {int(d["index"]): float(d["pool_weight"]) for d in draws}, draw_of)


def compare(experiments: Sequence[str], metrics: Sequence[str] | None = None, week: int | None = None,
            baseline: str | None = None, root: str | Path | None = None) -> Comparison:
    """Load the experiments' values at week W and run means to it, and compute the summary and paired tables."""
    specs = [read_spec(e, root) for e in experiments]
    post = posterior_plan(specs, list(experiments))
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
        keys += [x for x in k if x not in keys and not (post and x in post.params)]
        region = load_region(e, root, metrics=metrics)
        region.insert(0, "experiment", e)
        if post:
            region[DRAW] = region["config_hash"].map(post.draw_of[e]).astype("int64")
        frames.append(region)
        for _, r in runs[runs["status"] == "ok"].drop_duplicates("config_hash").iterrows():
            configs[(e, r["config_hash"])] = r["path"]
    region = pd.concat(frames, ignore_index=True)
    if region.empty:
        raise UserError(f"no finished runs to compare in {', '.join(experiments)} ({results_root(root)})")
    if len(experiments) > 1:
        keys = ["experiment", *keys]
    if not keys and post:
        region[POOLED] = "all draws"
    if not keys:
        keys = [POOLED] if post else ["config_hash"]
    for k in keys:
        region[k] = region[k].astype(object).where(region[k].notna(), NOT_SWEPT).astype(str)
    within = [DRAW] if post else []
    region = in_sweep_order(region, keys, specs, list(experiments), within)
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
    means = run_means(region, metrics, week, by=list(dict.fromkeys([*RUN, *keys, *within])))
    on = [*keys, "metric"]
    if post:
        summary = beside(summarise_pooled(final, keys, metrics, post.pool),
                         summarise_pooled(means, keys, metrics, post.pool), on)
        pairs = beside(paired_pooled(final, keys, metrics, (bkey, bvalue), post.pool),
                       paired_pooled(means, keys, metrics, (bkey, bvalue), post.pool), [*on, "baseline"])
    else:
        summary = beside(summarise(final, keys, metrics), summarise(means, keys, metrics), on)
        pairs = beside(paired(final, keys, metrics, (bkey, bvalue)), paired(means, keys, metrics, (bkey, bvalue)),
                       [*on, "baseline"])
    return Comparison(list(experiments), keys, metrics, week, (bkey, bvalue), final, region, summary, pairs,
                      differing_keys(_configs(configs, final, keys)),
                      " / ".join(str(s.get("description") or "") for s in specs), last, means, post)


def beside(at_week: pd.DataFrame, of_means: pd.DataFrame, on: list[str]) -> pd.DataFrame:
    """The statistics of the week's values, then those of the run means with the suffix `_mean`, row by row."""
    return at_week.merge(of_means, on=on, how="left", suffixes=("", MEAN), validate="one_to_one")


def in_sweep_order(region: pd.DataFrame, keys: list[str], specs: list[dict], experiments: list[str],
                   within: Sequence[str] = ()) -> pd.DataFrame:
    """Sort rows by the order values are listed in the sweeps (numbers numerically), then by the `within`
    columns (a posterior's draw), seed and week."""
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
    return out.sort_values([*sort_cols, *within, "seed", "week"], kind="stable").drop(columns=sort_cols)


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


def table(c: Comparison, means: bool = False) -> pd.DataFrame:
    """The printed and Markdown table: one row per configuration and metric, of the values at week W, or
    with `means` of the run means over weeks 1..W (the same columns)."""
    merged = c.summary.merge(c.paired, on=[*c.keys, "metric"])
    merged = merged.iloc[merged["metric"].map(c.metrics.index).argsort(kind="stable")]
    s = MEAN if means else ""
    rows = []
    for _, r in merged.iterrows():
        rows.append({**{k: r[k] for k in c.keys}, "metric": r["metric"], "n": int(r[f"n{s}"]),
                     "mean [95% CI]": f"{fmt(r[f'mean{s}'])} [{fmt(r[f'ci_lo{s}'])}, {fmt(r[f'ci_hi{s}'])}]",
                     f"diff vs {c.baseline[0]}={c.baseline[1]} [95% CI]":
                         "baseline" if r[f"n_pairs{s}"] == 0 and r[c.baseline[0]] == c.baseline[1]
                         else f"{fmt(r[f'diff{s}'])} [{fmt(r[f'diff_lo{s}'])}, {fmt(r[f'diff_hi{s}'])}]",
                     "d_z": fmt(r[f"d_z{s}"]), "d": fmt(r[f"d{s}"])})
        if c.posterior:  # in how many draws the difference has the pooled difference's sign
            pairs = int(r[f"n_draw_pairs{s}"])
            rows[-1]["draws same sign"] = f"{int(r[f'same_sign{s}'])}/{pairs}" if pairs else ""
    return pd.DataFrame(rows)


def sections(c: Comparison) -> list[tuple[str, pd.DataFrame]]:
    """The two tables under their headings: "at week W", then "mean over weeks 1-W" (week 0 left out)."""
    over = f"mean over weeks 1-{c.week}" if c.week > 0 else "mean over weeks 1-0 (none: week 0 is the initial state)"
    return [(f"at week {c.week}", table(c)), (over, table(c, means=True))]


def report_dir(c: Comparison, base: Path) -> Path:
    """`base` for the last week; `base/week<W>` for any other week, so reports of two weeks never collide."""
    return base if c.week == c.last_week else base / f"week{c.week}"


def posterior_note(post: Posterior) -> str:
    """The report's paragraph on how an experiment over a posterior is pooled."""
    return (f"Run over {len(post.pool)} draws of the posterior `{post.name}` ({', '.join(post.params)}): each "
            "configuration is pooled over the draws; differences are paired on (draw, seed); the 95% intervals are "
            "t intervals over the per-draw means (weighted by the draws' pool weights), so they include the "
            "parameters' uncertainty, not only the seeds' noise (abm.analysis.pooled); 'draws same sign' counts "
            "the draws whose mean difference has the sign of the pooled one.\n")


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
        f"Every metric twice: its value at week {c.week}, and each run's mean over weeks 1-{c.week} (week 0, the "
        "initial state, left out; CSV columns with the suffix `_mean`), with the same statistics over seeds. "
        "One week's value misleads for a practice whose phases alternate.\n",
    ]
    if c.posterior:
        md.append(posterior_note(c.posterior))
    for heading, t in sections(c):
        md += [f"\n## {heading[0].upper()}{heading[1:]}\n", markdown(t)]
    if len(c.differing) and len(c.experiments) > 1:
        md += ["\n## Configuration keys that differ\n", markdown(c.differing)]
    md += [f"\n![{f.stem}]({f.name})\n" for f in figs if f.suffix == ".png"]
    text = "\n".join(md)
    write_text(out / "report.md", text)
    return [out / "report.md", *files, *figs]
