"""Global sensitivity indices over a sensitivity experiment's stored runs (SALib).

The analysis uses each design point's mean over seeds at one week. Morris (1991) elementary effects with
mu* (Campolongo, Cariboni & Saltelli 2007) screen parameters; Sobol indices S1 and ST (Saltelli et al.
2010) apportion output variance. `abm sensitivity NAME` writes the tables and a bar plot.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from abm.analysis.plots import metric_label, plt, save
from abm.errors import UserError
from abm.experiments.design import design, design_points, problem
from abm.store.reader import load_region, read_spec


def outputs(experiment: str, metric: str, week: int | None,
            root: str | Path | None) -> tuple[dict, np.ndarray, np.ndarray, int, int]:
    """(spec's sensitivity block, design X, Y = per-point mean over seeds of `metric` at `week`, the week,
    the last week stored)."""
    sens = read_spec(experiment, root).get("sensitivity")
    if not sens:
        raise UserError(f"experiment {experiment!r} has no sensitivity design (a 'sensitivity:' block)")
    region = load_region(experiment, root, metrics=[metric])
    if region.empty:
        raise UserError(f"no finished runs of {experiment!r} to analyse")
    last = int(region["week"].max())
    week = last if week is None else week
    final = region[region["week"] == week]
    names = list(sens["params"])
    means = final.groupby(names)[metric].mean()
    points = design_points(sens)
    y = np.array([means.get(tuple(v[n] for n in names), math.nan) for _, v in points])
    missing = int(np.isnan(y).sum())
    if missing:
        raise UserError(f"{experiment}: {missing} of {len(y)} design points have no finished run at week {week}; "
                        f"run `abm experiment {experiment}` again to complete them")
    return sens, design(sens), y, week, last


def indices(experiment: str, metric: str, week: int | None = None, root: str | Path | None = None) -> pd.DataFrame:
    """Morris (mu*, mu*_conf, sigma) or Sobol (S1, S1_conf, ST, ST_conf) indices per parameter."""
    sens, x, y, week, last = outputs(experiment, metric, week, root)
    prob = problem(sens)
    if sens["method"] == "morris":
        from SALib.analyze import morris

        res = morris.analyze(prob, x, y, num_levels=int(sens.get("levels", 4)), seed=1)
        df = pd.DataFrame({"param": prob["names"], "mu_star": res["mu_star"], "mu_star_conf": res["mu_star_conf"],
                           "mu": res["mu"], "sigma": res["sigma"]})
        return at_week(df.sort_values("mu_star", ascending=False, ignore_index=True), week, last)
    from SALib.analyze import sobol

    res = sobol.analyze(prob, y, calc_second_order=False, seed=1)
    df = pd.DataFrame({"param": prob["names"], "S1": res["S1"], "S1_conf": res["S1_conf"],
                       "ST": res["ST"], "ST_conf": res["ST_conf"]})
    return at_week(df.sort_values("ST", ascending=False, ignore_index=True), week, last)


def at_week(df: pd.DataFrame, week: int, last: int) -> pd.DataFrame:
    """The index table with the week it describes (and the last week stored) in its attrs."""
    df.attrs.update(week=week, last_week=last)
    return df


def plot(tables: dict[str, pd.DataFrame], method: str, out: Path) -> list[Path]:
    fig, axes = plt.subplots(
        1, len(tables), figsize=(4.5 * len(tables), 0.45 * max(len(t) for t in tables.values()) + 1.5), squeeze=False
    )
    for ax, (metric, t) in zip(axes[0], tables.items(), strict=True):
        t = t.iloc[::-1]
        pos = np.arange(len(t))
        if method == "morris":
            ax.barh(pos, t["mu_star"], xerr=t["mu_star_conf"], color="C0")
            ax.set_xlabel("mu* (mean |elementary effect|)")
        else:
            ax.barh(pos + 0.2, t["ST"], height=0.4, xerr=t["ST_conf"], color="C1", label="ST (total)")
            ax.barh(pos - 0.2, t["S1"], height=0.4, xerr=t["S1_conf"], color="C0", label="S1 (first order)")
            ax.set_xlabel("Sobol index")
            ax.legend(fontsize=7)
        ax.set_yticks(pos)
        ax.set_yticklabels(t["param"], fontsize=8)
        ax.set_title(metric_label(metric), fontsize=9)
    fig.tight_layout()
    return save(fig, out, f"{method}_indices")
