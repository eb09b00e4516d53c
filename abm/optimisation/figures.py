"""Optimisation figures: the front in every pair of objectives (with intervals, the named practices
marked), the front's and the named practices' care and maturity over time, and what the front designs
choose (PNG and SVG, stamped)."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from abm.analysis.plots import save  # noqa: E402
from abm.core.metrics import REGISTRY  # noqa: E402

if TYPE_CHECKING:
    from abm.optimisation.optimise import Result

NAMED = "#ee6677"
FRONT = "#4477aa"
OTHER = "#bbbbbb"
SMOOTH_WEEKS = 13  # care is shown as a 13-week (quarter) moving mean: weekly values swing with demand


def _label(name: str) -> str:
    metric = name[:-5] if name.endswith("_mean") and name[:-5] in REGISTRY else name
    what = " (run mean)" if metric != name else " (year-end)"
    return REGISTRY[metric].label + what


def front_pairs(result: Result, out: Path) -> list[Path]:
    opt, t = result.opt, result.designs
    names = [o.name for o in opt.objectives]
    pairs = list(itertools.combinations(names, 2))
    fig, axes = plt.subplots(1, len(pairs), figsize=(5.2 * len(pairs), 4.4), squeeze=False)
    for ax, (a, b) in zip(axes.flat, pairs, strict=True):
        trials = t[t["kind"] == "trial"]
        ax.scatter(trials[a], trials[b], s=12, color=OTHER, label="designs tried", zorder=1)
        for rows, color, label in ((t[t["on_front"] & (t["kind"] == "trial")], FRONT, "on the front"),
                                   (t[t["kind"] == "named"], NAMED, "named practices")):
            ax.errorbar(rows[a], rows[b], xerr=[rows[a] - rows[f"{a}_lo"], rows[f"{a}_hi"] - rows[a]],
                        yerr=[rows[b] - rows[f"{b}_lo"], rows[f"{b}_hi"] - rows[b]], fmt="o", ms=4, color=color,
                        elinewidth=0.7, capsize=0, label=label, zorder=2)
        for r in t[t["kind"] == "named"].itertuples(index=False):
            ax.annotate(r.design, (getattr(r, a), getattr(r, b)), fontsize=7, xytext=(4, 3),
                        textcoords="offset points", color=NAMED)
        ax.set_xlabel(_label(a), fontsize=8)
        ax.set_ylabel(_label(b), fontsize=8)
        ax.tick_params(labelsize=7)
    axes.flat[0].legend(fontsize=7, loc="best", framealpha=0.8)
    fig.suptitle(f"{opt.name}: robust objective values (mean over futures and posterior draws, 95% intervals)",
                 fontsize=10)
    fig.tight_layout()
    return save(fig, out, "front")


def highlighted(result: Result) -> list[str]:
    """The designs shown over time: the named practices and, for each objective, the front's best on it."""
    t, opt = result.designs, result.opt
    front = t[t["on_front"] & (t["kind"] == "trial")]
    picks = list(t.loc[t["kind"] == "named", "design"])
    for o, sign in zip(opt.objectives, opt.signs, strict=True):
        if not front.empty:
            best = front.loc[(front[o.name] * sign).idxmax(), "design"]
            if best not in picks:
                picks.append(best)
    return picks


def trajectories(result: Result, out: Path) -> list[Path]:
    tr = result.trajectories
    picks = highlighted(result)
    named = set(result.designs.loc[result.designs["kind"] == "named", "design"])
    metrics = [m for m in ("care_production", "maturity_total", "services_live") if m in tr.columns]
    fig, axes = plt.subplots(1, len(metrics), figsize=(5.2 * len(metrics), 4.0), squeeze=False)
    colours = plt.get_cmap("tab10")
    for ax, m in zip(axes.flat, metrics, strict=True):
        for i, design in enumerate(picks):
            d = tr[(tr["design"] == design) & (tr["week"] >= 1)].sort_values("week")
            y = d[m].rolling(SMOOTH_WEEKS, min_periods=1).mean() if m == "care_production" else d[m]
            ax.plot(d["week"] / 52, y, lw=1.4 if design in named else 2.2, color=colours(i % 10),
                    ls="-" if design not in named else "--", label=design)
        title = REGISTRY[m].label + (" (13-week mean)" if m == "care_production" else "")
        ax.set_title(title, fontsize=9)
        ax.set_xlabel("year", fontsize=8)
        ax.tick_params(labelsize=7)
    axes.flat[-1].legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), framealpha=0.8)
    fig.suptitle(f"{result.opt.name}: over time, mean of every future and draw (named practices dashed)", fontsize=10)
    fig.tight_layout()
    return save(fig, out, "over_time")


def front_designs(result: Result, out: Path) -> list[Path]:
    """Each design dimension: the front designs' values against every design tried."""
    opt, t = result.opt, result.designs
    trials = t[t["kind"] == "trial"]
    front = trials[trials["on_front"]]
    dims = opt.space
    fig, axes = plt.subplots(1, len(dims), figsize=(2.6 * len(dims), 3.6), squeeze=False)
    rng = np.random.default_rng(0)  # horizontal jitter of the points only
    for ax, dim in zip(axes.flat, dims, strict=True):
        if dim.choices:
            labels = [str(c) for c in dim.choices]
            tried = trials[dim.key].astype(str).value_counts().reindex(labels, fill_value=0)
            on = front[dim.key].astype(str).value_counts().reindex(labels, fill_value=0)
            x = np.arange(len(labels))
            ax.bar(x, tried, color=OTHER, label="tried")
            ax.bar(x, on, color=FRONT, label="on the front")
            ax.set_xticks(x, labels, rotation=45, ha="right", fontsize=7)
        else:
            for rows, color, jitter in ((trials, OTHER, 0.25), (front, FRONT, 0.12)):
                ax.scatter(rng.uniform(-jitter, jitter, len(rows)), pd.to_numeric(rows[dim.key]), s=10, color=color)
            ax.set_xticks([])
            ax.set_ylim(dim.low, dim.high)
        ax.set_title(dim.key, fontsize=8)
        ax.tick_params(labelsize=7)
    fig.suptitle(f"{opt.name}: what the front's designs choose (blue) among the designs tried (grey)", fontsize=10)
    fig.tight_layout()
    return save(fig, out, "front_designs")
