"""Global sensitivity analysis with SALib: Morris and Sobol designs become ordinary sweeps of the store.

An experiment's `sensitivity:` block names the method, its size and the parameters with their ranges. The
design (regenerated deterministically from its seed) gives one configuration per point; every point runs
the experiment's seeds (common random numbers) and the analysis uses each point's mean over seeds.
Morris (1991) elementary effects with mu* (Campolongo, Cariboni & Saltelli 2007) screen parameters;
Sobol indices S1 and ST (Saltelli et al. 2010) apportion output variance. `abm sensitivity NAME` writes
index tables (CSV, Markdown) and a bar plot (PNG, SVG).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from abm.errors import UserError

METHODS = ("morris", "sobol")
KEYS = ("method", "params", "trajectories", "levels", "samples", "seed")


def check_sensitivity(data: Any, path: Path) -> dict[str, Any]:
    """Validate a `sensitivity:` block; one line naming the key on any mistake."""
    if not isinstance(data, dict):
        raise UserError(f"{path}: sensitivity must be a mapping with keys {', '.join(KEYS)}")
    bad = [k for k in data if k not in KEYS]
    if bad:
        raise UserError(f"{path}: sensitivity key {bad[0]!r} is not allowed: one of {', '.join(KEYS)}")
    if data.get("method") not in METHODS:
        raise UserError(f"{path}: sensitivity.method={data.get('method')!r} is not allowed: one of {', '.join(METHODS)}")
    params = data.get("params")
    if not isinstance(params, dict) or len(params) < 2:
        raise UserError(f"{path}: sensitivity.params must map at least two keys to [low, high]")
    for key, rng in params.items():
        ok = isinstance(rng, list) and len(rng) == 2 and all(isinstance(v, int | float) for v in rng)
        if not ok or rng[0] >= rng[1]:
            raise UserError(f"{path}: sensitivity.params.{key}={rng!r} is not allowed: [low, high] with low < high")
    for key, lo in (("trajectories", 2), ("levels", 2), ("samples", 2), ("seed", 0)):
        value = data.get(key)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < lo):
            raise UserError(f"{path}: sensitivity.{key}={value!r} is not allowed: an integer >= {lo}")
    return dict(data)


def problem(sens: dict[str, Any]) -> dict[str, Any]:
    params = sens["params"]
    return {"num_vars": len(params), "names": list(params), "bounds": [list(map(float, v)) for v in params.values()]}


def design(sens: dict[str, Any]) -> np.ndarray:
    """The SALib sample (rows = points), rounded as the overrides will carry them."""
    prob = problem(sens)
    seed = int(sens.get("seed", 1))
    if sens["method"] == "morris":
        from SALib.sample import morris as sample

        x = sample.sample(prob, int(sens.get("trajectories", 10)), num_levels=int(sens.get("levels", 4)), seed=seed)
    else:
        from SALib.sample import sobol as sample

        x = sample.sample(prob, int(sens.get("samples", 64)), calc_second_order=False, seed=seed)
    ints = [all(isinstance(v, int) for v in r) for r in sens["params"].values()]
    for j, is_int in enumerate(ints):
        x[:, j] = np.round(x[:, j]) if is_int else [float(f"{v:.6g}") for v in x[:, j]]
    return x


def value_text(v: float, is_int: bool) -> str:
    return str(int(v)) if is_int else f"{v:.6g}"


def design_points(sens: dict[str, Any]) -> list[tuple[list[str], dict[str, str]]]:
    """(overrides, values) per design row, in design order (duplicates kept; the planner merges them)."""
    ints = [all(isinstance(v, int) for v in r) for r in sens["params"].values()]
    points = []
    for row in design(sens):
        values = {k: value_text(v, i) for k, v, i in zip(sens["params"], row, ints, strict=True)}
        points.append(([f"{k}={v}" for k, v in values.items()], values))
    return points


def outputs(experiment: str, metric: str, week: int | None, root: str | Path | None) -> tuple[dict, np.ndarray, np.ndarray, int]:
    """(spec's sensitivity block, design X, Y = per-point mean over seeds of `metric` at `week`, week)."""
    from abm.store import load_region, read_spec

    sens = read_spec(experiment, root).get("sensitivity")
    if not sens:
        raise UserError(f"experiment {experiment!r} has no sensitivity design (a 'sensitivity:' block)")
    region = load_region(experiment, root, metrics=[metric])
    if region.empty:
        raise UserError(f"no finished runs of {experiment!r} to analyse")
    week = int(region["week"].max()) if week is None else week
    final = region[region["week"] == week]
    names = list(sens["params"])
    means = final.groupby(names)[metric].mean()
    points = design_points(sens)
    y = np.array([means.get(tuple(v[n] for n in names), math.nan) for _, v in points])
    missing = int(np.isnan(y).sum())
    if missing:
        raise UserError(f"{experiment}: {missing} of {len(y)} design points have no finished run at week {week}; "
                        f"run `abm experiment {experiment}` again to complete them")
    return sens, design(sens), y, week


def indices(experiment: str, metric: str, week: int | None = None, root: str | Path | None = None) -> pd.DataFrame:
    """Morris (mu*, mu*_conf, sigma) or Sobol (S1, S1_conf, ST, ST_conf) indices per parameter."""
    sens, x, y, _ = outputs(experiment, metric, week, root)
    prob = problem(sens)
    if sens["method"] == "morris":
        from SALib.analyze import morris

        res = morris.analyze(prob, x, y, num_levels=int(sens.get("levels", 4)), seed=1)
        df = pd.DataFrame({"param": prob["names"], "mu_star": res["mu_star"], "mu_star_conf": res["mu_star_conf"],
                           "mu": res["mu"], "sigma": res["sigma"]})
        return df.sort_values("mu_star", ascending=False, ignore_index=True)
    from SALib.analyze import sobol

    res = sobol.analyze(prob, y, calc_second_order=False, seed=1)
    df = pd.DataFrame({"param": prob["names"], "S1": res["S1"], "S1_conf": res["S1_conf"],
                       "ST": res["ST"], "ST_conf": res["ST_conf"]})
    return df.sort_values("ST", ascending=False, ignore_index=True)


def plot(tables: dict[str, pd.DataFrame], method: str, out: Path) -> list[Path]:
    from abm.compare_plots import metric_label, plt, save

    fig, axes = plt.subplots(1, len(tables), figsize=(4.5 * len(tables), 0.45 * max(len(t) for t in tables.values()) + 1.5),
                             squeeze=False)
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


def sensitivity_command(args: Sequence[str]) -> int:
    """`abm sensitivity EXPERIMENT [--metric M ...] [--week W] [--root DIR] [--out DIR]`."""
    from abm.compare import markdown
    from abm.experiment import _Parser, results_root
    from abm.results import atomic_write
    from abm.store import read_spec

    ap = _Parser(prog="abm sensitivity", add_help=False)
    ap.add_argument("experiment")
    ap.add_argument("--metric", action="append", default=None)
    ap.add_argument("--week", type=int, default=None)
    ap.add_argument("--root", default=None)
    ap.add_argument("--out", default=None)
    ns = ap.parse_args(list(args))
    spec = read_spec(ns.experiment, ns.root)
    metrics = ns.metric or spec.get("metrics") or ["maturity_total"]
    out = Path(ns.out) if ns.out else results_root(ns.root) / ns.experiment / "sensitivity"
    out.mkdir(parents=True, exist_ok=True)
    tables = {m: indices(ns.experiment, m, ns.week, ns.root) for m in metrics}
    method = (spec.get("sensitivity") or {}).get("method", "morris")
    md = [f"# {method.capitalize()} sensitivity: {ns.experiment}\n", str(spec.get("description") or "") + "\n"]
    for m, t in tables.items():
        print(f"\n{m}:\n{t.to_string(index=False, float_format=lambda v: f'{v:.4g}')}")
        atomic_write(out / f"{method}_{m}.csv", lambda p, d=t: d.to_csv(p, index=False))
        md += [f"\n## {m}\n", markdown(t.round(4))]
    figs = plot(tables, method, out)
    md.append(f"\n![{method} indices]({figs[0].name})\n")
    atomic_write(out / "report.md", lambda p: Path(p).write_text("\n".join(md), encoding="utf-8"))
    print(f"\nreport: {out / 'report.md'}")
    return 0
