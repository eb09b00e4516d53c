"""Figures of the model-checks report (docs/validation/model_checks.md), drawn from the checks' tables and
stamped with the version, commit and date like every figure (abm.analysis.plots.save)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from abm.validation.figures import plt, save


def equal_budget(shares: pd.DataFrame, path: Path, tolerance: float) -> Path:
    """Realised exploration share per practice and preset (95% bars) against the budget +/- tolerance."""
    fig, ax = plt.subplots(figsize=(7, 3.8))
    practices = list(dict.fromkeys(shares["practice"]))
    presets = list(dict.fromkeys(shares["preset"]))
    width = 0.8 / max(len(presets), 1)
    for i, preset in enumerate(presets):
        part = shares[shares["preset"] == preset].set_index("practice").reindex(practices)
        x = np.arange(len(practices)) + (i - (len(presets) - 1) / 2) * width
        ax.bar(x, part["mean"], width, yerr=[part["mean"] - part["lo"], part["hi"] - part["mean"]], capsize=2,
               label=preset)
    budget = float(shares["budget"].iloc[0]) if len(shares) else 0.0
    ax.axhspan(budget * (1 - tolerance), budget * (1 + tolerance), color="grey", alpha=0.25,
               label=f"budget {budget:g} +/- {tolerance:.0%}")
    ax.set_xticks(np.arange(len(practices)), practices, fontsize=8)
    ax.set(ylabel="mean exploration share, weeks 1-260", title="M1 Equal budget")
    ax.legend(fontsize=7)
    return save(fig, path)


def environments(means: pd.DataFrame, path: Path) -> Path:
    """Per outcome: the 5-year mean of every practice in each environment (95% bars)."""
    metrics = list(dict.fromkeys(means["metric"]))
    fig, axes = plt.subplots(1, len(metrics), figsize=(3.6 * len(metrics), 3.6), squeeze=False)
    for ax, m in zip(axes[0], metrics, strict=True):
        part = means[means["metric"] == m]
        practices = list(dict.fromkeys(part["practice"]))
        envs = list(dict.fromkeys(part["environment"]))
        width = 0.8 / len(envs)
        for i, env in enumerate(envs):
            e = part[part["environment"] == env].set_index("practice").reindex(practices)
            x = np.arange(len(practices)) + (i - (len(envs) - 1) / 2) * width
            ax.bar(x, e["mean"], width, yerr=[e["mean"] - e["lo"], e["hi"] - e["mean"]], capsize=1, label=env)
        ax.set_xticks(np.arange(len(practices)), practices, rotation=45, ha="right", fontsize=7)
        ax.set_title(m, fontsize=9)
    axes[0][0].legend(fontsize=7)
    fig.suptitle("M2 The environment matters: 5-year means", fontsize=10)
    return save(fig, path)


def levers(effects: pd.DataFrame, path: Path) -> Path:
    """|d_z| of each parameter's strongest outcome (low -> high), log scale; inert ones in red."""
    t = effects.assign(size=effects["d_z"].abs().clip(lower=1e-3, upper=1e3)).sort_values("size")
    fig, ax = plt.subplots(figsize=(7, 0.22 * len(t) + 1.2))
    colours = ["tab:red" if v.startswith("INERT") else ("tab:blue" if lever else "tab:grey")
               for v, lever in zip(t["verdict"], t["app_lever"], strict=True)]
    ax.barh(np.arange(len(t)), t["size"], color=colours)
    ax.set_yticks(np.arange(len(t)), [f"{p} ({o})" for p, o in zip(t["parameter"], t["outcome"], strict=True)],
                  fontsize=6)
    ax.set_xscale("log")
    ax.set(xlabel="|d_z| of the strongest headline outcome (blue: app lever; red: inert; capped at 1e3)",
           title="M4 No inert lever: low vs high over common seeds")
    return save(fig, path)


def size(table: pd.DataFrame, path: Path, tolerance: float) -> Path:
    """The large preset's 5-year mean against the small one's, per outcome, with the +/- tolerance band."""
    small, large = [c for c in table.columns if c not in ("practice", "metric", "lo", "hi")]
    metrics = list(dict.fromkeys(table["metric"]))
    fig, axes = plt.subplots(1, len(metrics), figsize=(3.6 * len(metrics), 3.4), squeeze=False)
    for ax, m in zip(axes[0], metrics, strict=True):
        part = table[table["metric"] == m]
        top = float(max(part[small].max(), part["hi"].max(), 1e-9)) * 1.15
        line = np.array([0.0, top])
        ax.fill_between(line, line * (1 - tolerance), line * (1 + tolerance), color="grey", alpha=0.25)
        ax.plot(line, line, color="grey", lw=1)
        ax.errorbar(part[small], part[large], yerr=[part[large] - part["lo"], part["hi"] - part[large]], fmt="o", ms=3)
        for _, r in part.iterrows():
            ax.annotate(r["practice"], (r[small], r[large]), fontsize=6, xytext=(2, 2), textcoords="offset points")
        ax.set(xlabel=f"{small} preset", ylabel=f"{large} preset", title=m)
    fig.suptitle(f"M5 Size: {large} against {small} (band: +/- {tolerance:.0%})", fontsize=10)
    return save(fig, path)


def aspiration(curves: pd.DataFrame, path: Path, start: int, length: int) -> Path:
    """Adaptive's exploration intensity (x budget) and realised share per week, with and without the shock."""
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 3.6), sharex=True)
    for config, part in curves.groupby("config", sort=True):
        mean = part.groupby("week")[["relative", "exploration_share"]].mean()
        a.plot(mean.index, mean["relative"], lw=1, label=config)
        b.plot(mean.index, mean["exploration_share"], lw=1, label=config)
    for ax in (a, b):
        ax.axvspan(start, start + length, color="orange", alpha=0.15)
        ax.set_xlabel("week")
    a.set(ylabel="intensity relative to the budget", title="adaptive: planned intensity (mean over seeds)")
    b.set(ylabel="realised exploration share", title="realised share (the budget account)")
    a.legend(fontsize=7, title="demand shock (shaded)", title_fontsize=7)
    return save(fig, path)


def morris(indices: pd.DataFrame, path: Path, label_top: int = 5) -> Path:
    """mu* against sigma per outcome (Morris 1991; Campolongo et al. 2007), the strongest labelled."""
    metrics = list(dict.fromkeys(indices["metric"]))
    cols = min(4, len(metrics))
    rows = int(np.ceil(len(metrics) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(3.8 * cols, 3.4 * rows), squeeze=False)
    for ax, m in zip(axes.flat, metrics, strict=False):
        t = indices[indices["metric"] == m]
        ax.scatter(t["mu_star"], t["sigma"], s=8, color="tab:blue")
        top = max(float(t["mu_star"].max()), float(t["sigma"].max()), 1e-12)
        ax.plot([0, top], [0, top], color="grey", lw=0.6, ls=":")
        for _, r in t.nlargest(label_top, "mu_star").iterrows():
            ax.annotate(r["param"].split(".", 1)[1], (r["mu_star"], r["sigma"]), fontsize=6, xytext=(2, 2),
                        textcoords="offset points")
        ax.set_title(m, fontsize=9)
        ax.set_xlabel("mu*", fontsize=8)
        ax.set_ylabel("sigma", fontsize=8)
    for ax in list(axes.flat)[len(metrics):]:
        ax.set_visible(False)
    fig.suptitle("M7 Morris screen: mu* against sigma (dotted: sigma = mu*)", fontsize=10)
    return save(fig, path)
