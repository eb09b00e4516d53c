"""Comparison figures: time series with 95% interval bands and final-value distributions (PNG and SVG)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from abm.analysis.stats import band  # noqa: E402
from abm.core.metrics import REGISTRY  # noqa: E402
from abm.simulation import stamp  # noqa: E402
from abm.store.files import atomic_write  # noqa: E402


def metric_label(m: str) -> str:
    metric = REGISTRY.get(m)
    return f"{metric.label} ({metric.unit})" if metric else m


def save(fig: plt.Figure, out: Path, stem: str, formats: Sequence[str] = ("png", "svg"), dpi: int = 120) -> list[Path]:
    """Write the figure atomically in each format, stamped (in the file's metadata and a footer line) with
    the package version, git commit and date; close it."""
    line = stamp()
    fig.text(0.995, 0.002, line, ha="right", va="bottom", fontsize=5, color="#888")
    paths = []
    for ext in formats:
        path = out / f"{stem}.{ext}"
        atomic_write(path, lambda p, e=ext: fig.savefig(p, format=e, dpi=dpi, bbox_inches="tight",
                                                        metadata={"Description": line}))
        paths.append(path)
    plt.close(fig)
    return paths


def timeseries(region: pd.DataFrame, line_key: str, facet_keys: Sequence[str], metrics: Sequence[str],
               out: Path, week: int | None = None) -> list[Path]:
    """One row per metric, one column per facet (the other swept keys); a line and band per line_key value."""
    region = region.copy()
    region["_facet"] = region[list(facet_keys)].astype(str).agg(", ".join, axis=1) if facet_keys else ""
    facets = list(dict.fromkeys(region["_facet"]))
    fig, axes = plt.subplots(len(metrics), len(facets), figsize=(4.2 * len(facets), 2.8 * len(metrics)),
                             squeeze=False, sharex=True)
    colours = {v: f"C{i % 10}" for i, v in enumerate(dict.fromkeys(region[line_key].astype(str)))}
    for i, m in enumerate(metrics):
        for j, facet in enumerate(facets):
            ax = axes[i][j]
            b = band(region[region["_facet"] == facet], [line_key], m)
            for value, g in b.groupby(line_key, sort=False):
                c = colours[str(value)]
                ax.plot(g["week"], g["mean"], color=c, lw=1.4, label=str(value))
                ax.fill_between(g["week"], g["lo"], g["hi"], color=c, alpha=0.2, lw=0)
            if week is not None:
                ax.axvline(week, color="grey", lw=0.8, ls=":")
            if i == 0 and facet:
                ax.set_title(facet, fontsize=9)
            if j == 0:
                ax.set_ylabel(metric_label(m), fontsize=8)
            if i == len(metrics) - 1:
                ax.set_xlabel("week")
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, title=line_key, loc="upper center", ncol=min(len(labels), 6),
               bbox_to_anchor=(0.5, 1.02 + 0.02 / len(metrics)), fontsize=8)
    fig.suptitle("Mean across seeds with 95% confidence band", y=1.06 + 0.03 / len(metrics), fontsize=10)
    fig.tight_layout()
    return save(fig, out, "timeseries")


def distributions(final: pd.DataFrame, label_col: str, metrics: Sequence[str], out: Path, week: int) -> list[Path]:
    """Box plots with every seed's value overlaid, one panel per metric."""
    labels = list(dict.fromkeys(final[label_col]))
    fig, axes = plt.subplots(len(metrics), 1, figsize=(max(6.0, 0.55 * len(labels) + 2), 2.9 * len(metrics)),
                             squeeze=False)
    for i, m in enumerate(metrics):
        ax = axes[i][0]
        data = [final.loc[final[label_col] == lab, m].dropna().to_numpy() for lab in labels]
        ax.boxplot(data, showfliers=False, widths=0.6)
        for k, d in enumerate(data, start=1):
            ax.scatter([k] * len(d), d, s=8, alpha=0.5, color="C0", zorder=3)
        ax.set_ylabel(metric_label(m), fontsize=8)
        ax.set_xticks(range(1, len(labels) + 1))
        ax.set_xticklabels(labels if i == len(metrics) - 1 else [""] * len(labels), rotation=60, ha="right",
                           fontsize=7)
    axes[0][0].set_title(f"Values at week {week} across seeds", fontsize=10)
    fig.tight_layout()
    return save(fig, out, "final_distributions")
