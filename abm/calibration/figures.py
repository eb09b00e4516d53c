"""Calibration figures: posterior marginals against the prior range, pairwise scatter, and the
posterior-predictive check of every target with its range shaded (PNG and SVG, stamped)."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from abm.analysis.plots import save  # noqa: E402
from abm.calibration.posterior import summary  # noqa: E402
from abm.calibration.spec import Calibration  # noqa: E402


def _grid(n: int) -> tuple[int, int]:
    cols = min(3, n)
    return math.ceil(n / cols), cols


def marginals(posterior: pd.DataFrame, cal: Calibration, out: Path) -> list[Path]:
    keys = list(cal.params)
    table = summary(posterior, cal).set_index("parameter")
    rows, cols = _grid(len(keys))
    fig, axes = plt.subplots(rows, cols, figsize=(4 * cols, 2.8 * rows), squeeze=False)
    for ax, key in zip(axes.flat, keys, strict=False):
        lo, hi = cal.params[key]
        ax.hist(posterior[key], bins=15, range=(lo, hi), weights=posterior["weight"], color="#4477aa",
                alpha=0.85, density=True, label="posterior")
        ax.axhline(1 / (hi - lo), color="#999", lw=1, ls="--", label="prior (uniform)")
        r = table.loc[key]
        ax.axvspan(r["low"], r["high"], color="#ee6677", alpha=0.12, label="90% interval")
        ax.axvline(r["median"], color="#ee6677", lw=1.5, label="median")
        ax.set_xlim(lo, hi)
        ax.set_title(f"{key}\n{r['verdict']}", fontsize=9)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[len(keys):]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=6)
    fig.suptitle(f"{cal.name}: posterior marginals (last generation, weighted)", fontsize=10)
    fig.tight_layout()
    return save(fig, out, "posterior_marginals")


def pairs(posterior: pd.DataFrame, cal: Calibration, out: Path) -> list[Path]:
    keys = list(cal.params)
    k = len(keys)
    fig, axes = plt.subplots(k, k, figsize=(2.2 * k + 1, 2.2 * k + 1), squeeze=False)
    size = 8 + 60 * posterior["weight"] / posterior["weight"].max()
    for i, a in enumerate(keys):
        for j, b in enumerate(keys):
            ax = axes[i, j]
            if i == j:
                ax.hist(posterior[a], bins=12, range=cal.params[a], weights=posterior["weight"], color="#4477aa")
                ax.set_xlim(*cal.params[a])
            elif i > j:
                ax.scatter(posterior[b], posterior[a], s=size, alpha=0.5, color="#4477aa", lw=0)
                ax.set_xlim(*cal.params[b])
                ax.set_ylim(*cal.params[a])
            else:
                ax.axis("off")
                continue
            ax.tick_params(labelsize=5)
            if i == k - 1:
                ax.set_xlabel(b.split(".", 1)[1], fontsize=6)
            if j == 0:
                ax.set_ylabel(a.split(".", 1)[1], fontsize=6)
    fig.suptitle(f"{cal.name}: pairwise posterior (point size: weight; axes: prior ranges)", fontsize=9)
    fig.tight_layout()
    return save(fig, out, "posterior_pairs")


def predictive(runs: pd.DataFrame, cal: Calibration, out: Path) -> list[Path]:
    targets = list(cal.targets)
    rows, cols = _grid(len(targets))
    fig, axes = plt.subplots(rows, cols, figsize=(4 * cols, 2.6 * rows), squeeze=False)
    for ax, t in zip(axes.flat, targets, strict=False):
        d = runs[runs["target"] == t.key]
        draw = d.loc[d["source"] == "draw", "value"].dropna().to_numpy()
        point = d.loc[d["source"] == "point", "value"].dropna().to_numpy()
        values = np.concatenate([draw, point, [t.low]]) if len(draw) or len(point) else np.array([t.low])
        hi_plot = t.high if math.isfinite(t.high) else max(values.max(), t.low + t.scale) * 1.1
        lo_plot = min(values.min(), t.low) - 0.1 * t.scale
        ax.axvspan(t.low, t.high if math.isfinite(t.high) else hi_plot * 10, color="#228833", alpha=0.15,
                   label="target range")
        bins = np.linspace(lo_plot, max(hi_plot, values.max()) + 0.1 * t.scale, 25)
        ax.hist(draw, bins=bins, color="#4477aa", alpha=0.8, label="posterior draws")
        ax.hist(point, bins=bins, color="#ee6677", alpha=0.7, label="calibrated point")
        ax.set_xlim(bins[0], bins[-1])
        inside = d.loc[d["source"] == "draw", "inside"].mean()
        ax.set_title(f"{t.key}\n{inside:.0%} of draws inside", fontsize=8)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[len(targets):]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=6)
    fig.suptitle(f"{cal.name}: posterior-predictive check (one run per draw)", fontsize=10)
    fig.tight_layout()
    return save(fig, out, "posterior_predictive")
