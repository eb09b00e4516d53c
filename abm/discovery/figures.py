"""Scenario-discovery figures (PNG, stamped): PRIM's peeling trade-off, the headline box's limits against the
sampled ranges, and the scenarios over the two factors the box restricts most, coloured by whether B wins."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from abm.analysis.plots import save  # noqa: E402
from abm.discovery.prim import PrimResult  # noqa: E402
from abm.discovery.runs import WINS  # noqa: E402
from abm.discovery.spec import Discovery  # noqa: E402

PNG = ("png",)
WIN, LOSE = "#ee6677", "#4477aa"


def tradeoff(result: PrimResult, disc: Discovery, out: Path) -> list[Path]:
    t = result.trajectory
    fig, ax = plt.subplots(figsize=(5.5, 4.2))
    dims = t["res_dim"].astype(int)
    cmap = plt.get_cmap("viridis", max(int(dims.max()) + 1, 2))
    points = ax.scatter(t["coverage"], t["density"], c=dims, cmap=cmap, vmin=-0.5, vmax=cmap.N - 0.5, s=22,
                        zorder=3)
    fig.colorbar(points, ax=ax, ticks=range(cmap.N), label="restricted dimensions")
    h = t.loc[result.headline]
    ax.scatter([h["coverage"]], [h["density"]], s=140, facecolors="none", edgecolors="#cc3311", lw=1.5, zorder=4,
               label=f"headline: box {result.headline}")
    ax.axvline(0.5, color="#999", lw=0.8, ls=":")
    ax.axhline(result.threshold, color="#999", lw=0.8, ls="--", label=f"threshold {result.threshold:g}")
    ax.set_xlabel("coverage (share of B's wins inside the box)")
    ax.set_ylabel("density (share of the box where B wins)")
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(0, 1.02)
    ax.legend(fontsize=7, loc="lower left")
    ax.set_title(f"{disc.name}: PRIM peeling trajectory", fontsize=10)
    fig.tight_layout()
    return save(fig, out, "prim_tradeoff", PNG)


def box_limits(result: PrimResult, disc: Discovery, out: Path) -> list[Path]:
    limits = result.headline_limits()
    ranges = {f.key: (f.low, f.high) for f in disc.factors}
    fig, ax = plt.subplots(figsize=(6.5, 0.5 * max(len(limits), 1) + 1.4))
    for y, r in enumerate(limits.itertuples(index=False)):
        lo, hi = ranges[r.factor]
        width = hi - lo
        ax.barh(y, 1.0, left=0.0, color="#dddddd", height=0.55)
        ax.barh(y, (r.high - r.low) / width, left=(r.low - lo) / width, color=WIN, height=0.55)
        ax.text(1.02, y, f"[{r.low:.4g}, {r.high:.4g}] of [{lo:g}, {hi:g}]", va="center", fontsize=7)
    ax.set_yticks(range(len(limits)), list(limits["factor"]), fontsize=8)
    ax.set_xlim(0, 1.6)
    ax.set_xticks([0, 0.5, 1], ["low", "middle", "high"])
    ax.invert_yaxis()
    if limits.empty:
        ax.text(0.5, 0, "the headline box restricts no factor", ha="center", va="center", fontsize=9)
    row = result.trajectory.loc[result.headline]
    ax.set_title(f"headline box {result.headline}: coverage {row['coverage']:.2f}, density {row['density']:.2f}, "
                 f"mass {row['mass']:.2f}", fontsize=9)
    fig.tight_layout()
    return save(fig, out, "prim_box_limits", PNG)


def scatter(table: pd.DataFrame, result: PrimResult, disc: Discovery, axes: list[str], out: Path) -> list[Path]:
    x_key, y_key = axes[0], axes[1]
    wins = table[WINS].to_numpy(dtype=bool)
    fig, ax = plt.subplots(figsize=(5.5, 4.5))
    ax.scatter(table.loc[~wins, x_key], table.loc[~wins, y_key], s=14, color=LOSE, label=f"{disc.a} wins or ties")
    ax.scatter(table.loc[wins, x_key], table.loc[wins, y_key], s=14, color=WIN, label=f"{disc.b} wins")
    limits = result.headline_limits().set_index("factor") if result.headline is not None else pd.DataFrame()
    if not limits.empty and (x_key in limits.index or y_key in limits.index):
        def span(key: str) -> tuple[float, float]:
            if key in limits.index:
                return float(limits.loc[key, "low"]), float(limits.loc[key, "high"])
            return float(table[key].min()), float(table[key].max())

        (x0, x1), (y0, y1) = span(x_key), span(y_key)
        ax.add_patch(plt.Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, ec="#cc3311", lw=1.4,
                                   label=f"headline box {result.headline}"))
    ranges = {f.key: (f.low, f.high) for f in disc.factors}
    for key, set_lim in ((x_key, ax.set_xlim), (y_key, ax.set_ylim)):
        if key in ranges:
            lo, hi = ranges[key]
            pad = 0.03 * (hi - lo)
            set_lim(lo - pad, hi + pad)
    ax.set_xlabel(x_key)
    ax.set_ylabel(y_key)
    ax.legend(fontsize=7)
    share = float(np.mean(wins)) if wins.size else float("nan")
    ax.set_title(f"{disc.name}: {disc.b} beats {disc.a} on {disc.outcome.name} in {share:.0%} of scenarios",
                 fontsize=9)
    fig.tight_layout()
    return save(fig, out, "scenarios_scatter", PNG)
