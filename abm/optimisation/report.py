"""The optimisation report (`<out>/<name>/report.md`): the question, the front with intervals, the regret
of every named practice, how the front fares in each future, and the cost."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from abm.analysis.markdown import fmt, markdown
from abm.optimisation.designs import paired_difference, units
from abm.simulation import stamp
from abm.store.files import write_text
from abm.store.invocations import invocations

if TYPE_CHECKING:
    from abm.optimisation.optimise import Result


def interval(mean: float, lo: float, hi: float) -> str:
    return f"{fmt(mean)} [{fmt(lo)}, {fmt(hi)}]"


def design_text(row: pd.Series, keys: list[str]) -> str:
    """A design in words of its values: `practice=structural, practice.budget=0.12, ...`."""
    parts = []
    for k in keys:
        v = row[k]
        if v is None or (isinstance(v, float) and pd.isna(v)):
            continue
        parts.append(f"{k}={fmt(v) if isinstance(v, float) else v}")
    return ", ".join(parts)


def objective_columns(result: Result, rows: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame({"design": rows["design"]})
    for o in result.opt.objectives:
        out[f"{o.name} [95%]"] = [interval(m, lo, hi) for m, lo, hi in
                                  zip(rows[o.name], rows[f"{o.name}_lo"], rows[f"{o.name}_hi"], strict=True)]
    return out


def paired_rows(result: Result, pairs: list[tuple[str, str]]) -> pd.DataFrame:
    """One row per (design, against): each objective's paired difference with its interval and sign count."""
    opt = result.opt
    draws = units(opt)
    n = len(draws) if opt.posterior else len(opt.seeds)
    rows = []
    for design, against in pairs:
        d = paired_difference(opt, result.design_runs, design, against, draws)
        row = {"design": design, "minus": against}
        for o in opt.objectives:
            mean, lo, hi, same = d[o.name]
            row[f"{o.name} [95%]"] = f"{mean:+.3g} [{lo:+.3g}, {hi:+.3g}]"
            row[f"{o.name}: same sign"] = f"{same}/{n}"
        rows.append(row)
    return pd.DataFrame(rows)


def cost_lines(result: Result) -> list[str]:
    calls = invocations(result.exp_dir)
    total = sum(float(c["wall_seconds"]) for c in calls)
    launched = sum(int(c["runs_launched"]) for c in calls)
    run_s = sum(float(c.get("run_seconds", 0.0)) for c in calls)
    each = ", ".join(f"{float(c['wall_seconds']):,.0f} s" for c in calls)
    over = (total - run_s) / max(launched, 1)
    return [f"- Wall time on this machine: {total:,.0f} s in {len(calls)} invocation(s) ({each}); "
            f"{result.trials / max(total, 1e-9):.3f} trials per second; {launched:,} runs launched in {run_s:,.0f} s "
            f"of executor time ({launched / max(run_s, 1e-9):.2f} runs per second).",
            f"- Overhead outside the runs (composing configs, optuna, reading the runs back, the report): "
            f"{total - run_s:,.0f} s, {over:.3f} s per run launched "
            f"({over / max(run_s / max(launched, 1), 1e-9):.0%} of a run's wall time in the executor)."]


def write(result: Result, figures: list[Path]) -> Path:
    opt, t = result.opt, result.designs
    keys = [d.key for d in opt.space]
    n_draws = opt.draws if opt.posterior else None
    futures = (f"{len(opt.environments)} environments ({', '.join(opt.environments)})"
               + (f" x {n_draws} draws of posterior `{opt.posterior}`" if opt.posterior else "")
               + f" x {len(opt.seeds)} seed(s)")
    directions = ", ".join(f"{o.name} ({d})" for o, d in zip(opt.objectives, opt.directions, strict=True))
    lines = [f"# Optimisation `{opt.name}`", "", f"*{stamp()}*", "", opt.description.strip(), "",
             "```", f"uv run abm optimise {opt.name}", "```", "",
             f"- Objectives: {directions}; each a design's mean over {futures}, the same futures for every "
             "design (common random numbers). Intervals: 95%, over the per-draw means (draws are the units; "
             "each draw's mean is over its environments and seeds)." if opt.posterior else
             f"- Objectives: {directions}; each a design's mean over {futures}, the same for every design. "
             "Intervals: 95%, t over the seed means.",
             f"- Search: optuna NSGA-II, population {opt.population}, {result.trials} trials told "
             f"({result.trials // opt.population} generations), seed {opt.seed}; design space: "
             + "; ".join(f"{d.key} {d.as_data()}" for d in opt.space) + ".",
             f"- Base: {' '.join(opt.base) or '(defaults)'}; named practices: {', '.join(opt.named) or 'none'}.",
             *cost_lines(result), ""]
    front = t[t["on_front"]].copy()
    sign = opt.signs[0]
    front = front.sort_values(opt.objectives[0].name, ascending=sign < 0)
    ft = objective_columns(result, front)
    ft.insert(1, "values", [design_text(r, keys) for _, r in front.iterrows()])
    lines += [f"## The front: {len(front)} of {len(t)} designs no other design beats on every objective", "",
              f"Sorted by {opt.objectives[0].name}. A named practice on the front is listed by its name.", "",
              markdown(ft), ""]
    if not result.regret.empty:
        r = result.regret.copy()
        show = pd.DataFrame({"practice": r["practice"], "on the front": r["on_front"].map({True: "yes", False: "no"}),
                             "regret (share of each objective's range)": [f"{v:.1%}" for v in r["regret"]],
                             "front design that beats it on every objective": r["closest_front_design"]})
        for o in opt.objectives:
            show[f"gain in {o.name}"] = [fmt(v) for v in r[f"gain_{o.name}"]]
        named = t[t["kind"] == "named"]
        paired = paired_rows(result, [(f, p) for p, f in zip(r["practice"], r["closest_front_design"], strict=True)
                                      if f != p])
        lines += ["## Regret of the named practices", "",
                  "Regret: the most by which one front design beats the practice on every objective at once, in "
                  "shares of each objective's range over all designs (Zitzler et al. 2003's additive epsilon "
                  "indicator); 0 when none does. The gains are that design's, in each objective's units.", "",
                  markdown(show), ""]
        if not paired.empty:
            lines += ["Those gains paired on the same futures (environment, draw, seed), with 95% intervals over the "
                      "draws and the number of draws in which the gain has the same sign:", "", markdown(paired), ""]
        lines += ["The named practices' values:", "", markdown(objective_columns(result, named)), ""]
    reference = opt.named[0] if opt.named else None
    if reference is not None:
        others = [d for d in front["design"] if d != reference]
        table = paired_rows(result, [(d, reference) for d in others])
        if not table.empty:
            lines += [f"## The front against {reference}", "",
                      f"Each front design minus `{reference}`, paired on the same futures: what a design on the front "
                      "gains and what it costs, with 95% intervals over the draws (and in how many draws the "
                      "difference has that sign).", "", markdown(table), ""]
    env = result.design_runs.groupby(["design", "environment"], sort=False)[[o.name for o in opt.objectives]].mean()
    shown = sorted(set(front["design"]) | set(t.loc[t["kind"] == "named", "design"]), key=str)
    if len(opt.environments) > 1:
        rows = []
        for o, s in zip(opt.objectives, opt.signs, strict=True):
            for e in opt.environments:
                col = env.xs(e, level="environment")[o.name]
                col = col[col.index.isin(shown)]
                best = (col * s).idxmax()
                rows.append({"objective": o.name, "environment": e, "best of front and named": best,
                             "its value": fmt(col[best])})
        lines += ["## In each future", "",
                  "Which of the front's designs and the named practices is best on each objective in each "
                  "environment alone (means over draws and seeds): where the ranking changes with the future.", "",
                  markdown(pd.DataFrame(rows)), ""]
    lines += ["## Figures", ""] + [f"![{f.stem}]({f.name})" for f in figures if f.suffix == ".png"] + [""]
    lines += ["Tables: `designs.csv` (every design), `front.csv`, `regret.csv`, `by_environment.csv` (every design's "
              "mean per environment).", ""]
    path = result.report_dir / "report.md"
    write_text(path, "\n".join(lines))
    return path
