"""Static figures of the validation report (matplotlib, Agg backend), drawn from the checks' tables."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from abm.analysis.plots import save as stamped_save  # noqa: E402
from abm.validation.march_checks import PUBLISHED  # noqa: E402


def save(fig: plt.Figure, path: Path) -> Path:
    return stamped_save(fig, path.parent, path.stem, formats=("png",), dpi=110)[0]


def march_figure1(curves: pd.DataFrame, path: Path) -> Path:
    """Knowledge at equilibrium over p1 for each p2, with 2-SE bars, beside the published cells."""
    fig, ax = plt.subplots(figsize=(6, 4))
    for (p2, group), colour in zip(curves.groupby("p2"), ("tab:grey", "tab:blue", "tab:red"), strict=False):
        ax.errorbar(group["p1"], group["knowledge"], yerr=2 * group["se"], color=colour, marker="o", ms=3,
                    capsize=2, label=f"model, p2 = {p2:g}")
        pub = [(p1, v) for (p1, q), v in PUBLISHED.items() if q == p2]
        if pub:
            ax.plot(*zip(*pub, strict=True), linestyle="none", marker="s", mfc="none", ms=9, color=colour,
                    label=f"published, p2 = {p2:g}")
    ax.set(xlabel="p1 (socialisation rate)", ylabel="code knowledge at equilibrium",
           title="March (1991) Figure 1 through the full model")
    ax.legend(fontsize=7)
    return save(fig, path)


def bass_figure(continuous: pd.DataFrame, ticks: pd.DataFrame, path: Path) -> Path:
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    a.plot(continuous["time"], continuous["analytic"], color="black", lw=3, alpha=0.4, label="analytic F(t)")
    a.plot(continuous["time"], continuous["simulated"], color="tab:blue", lw=1, label="model, mean of runs")
    a.set(xlabel="weeks", ylabel="adopted share", title="Bass, continuous time (small dt)")
    b.plot(ticks["time"], ticks["recursion"], color="black", lw=3, alpha=0.4, label="discrete recursion")
    b.plot(ticks["time"], ticks["simulated"], "o", color="tab:blue", ms=3, label="model, weekly ticks")
    b.plot(ticks["time"], ticks["analytic"], "--", color="tab:grey", label="continuous F(t) (wrong target)")
    b.set(xlabel="weeks", title="Bass, weekly ticks")
    a.legend(fontsize=8)
    b.legend(fontsize=8)
    return save(fig, path)


def contagion_figure(curve: pd.DataFrame, path: Path) -> Path:
    fig, ax = plt.subplots(figsize=(6, 4))
    for t, group in curve.groupby("threshold"):
        ax.plot(group["rewiring"], group["share"], marker="o", label=f"threshold {t:g}")
    ax.set_xscale("symlog", linthresh=0.005)
    ax.set(xlabel="rewiring probability", ylabel="final adopted share",
           title="Complex contagion on a Watts-Strogatz ring (k = 4)")
    ax.legend()
    return save(fig, path)


def march_turbulence_figure(trajectories: pd.DataFrame, path: Path) -> Path:
    fig, ax = plt.subplots(figsize=(6, 4))
    for col in trajectories.columns[1:]:
        ax.plot(trajectories["period"], trajectories[col], label=col)
    ax.set(xlabel="period", ylabel="code knowledge", title="March (1991) Figure 5: turbulence p4 = 0.02")
    ax.legend()
    return save(fig, path)


def march_turnover_figure(levels: pd.DataFrame, path: Path) -> Path:
    fig, ax = plt.subplots(figsize=(6, 4))
    for p1, group in levels.groupby("p1"):
        ax.errorbar(group["p3"], group["knowledge"], yerr=2 * group["se"], marker="o", capsize=2,
                    label=f"p1 = {p1:g}")
    ax.set(xlabel="p3 (turnover per period)", ylabel="code knowledge",
           title="March (1991) Figure 4: turnover")
    ax.legend()
    return save(fig, path)


def fang_figure(curves: pd.DataFrame, path: Path) -> Path:
    """Knowledge over the cross-unit share of ties, one line per condition, with 2-SE bars (V6)."""
    fig, ax = plt.subplots(figsize=(6, 4))
    labels = {"rest": "at rest (no turnover, no turbulence)", "turnover": "turnover p3 = 0.002, weeks 101-150",
              "turbulence": "turbulence p4 = 0.002, weeks 101-150"}
    for name, group in curves.groupby("condition", sort=False):
        ax.errorbar(group["cross_share"], group["knowledge"], yerr=2 * group["se"], marker="o", ms=3, capsize=2,
                    label=labels.get(name, name))
    ax.set_xscale("symlog", linthresh=0.01)
    ax.set(xlabel="share of ties crossing units (0 isolated, 0.9 full mixing)",
           ylabel="mean belief knowledge", title="Fang, Lee & Schilling (2010): semi-isolated subgroups")
    ax.legend(fontsize=7)
    return save(fig, path)
