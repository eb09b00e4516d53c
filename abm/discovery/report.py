"""The discovery report (`<out>/<name>/report.md`): the question, the uncertain factors, how often B wins
(with its interval), PRIM's peeling trajectory, the headline box in plain words, figures, and the command."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd

from abm.analysis.markdown import markdown
from abm.discovery.prim import HEADLINE_COVERAGE, LEVEL, SIGNIFICANT, PrimResult, box_stats
from abm.discovery.spec import Discovery, Factor
from abm.simulation import stamp
from abm.store.files import write_text


def number(v: float, integer: bool = False, side: str = "") -> str:
    """A value as text; an integer factor's box limit to the whole number inside the box (PRIM pastes it to
    a half-way point): a low limit up, a high limit down."""
    if integer:
        whole = math.ceil(v - 1e-9) if side == "low" else math.floor(v + 1e-9) if side == "high" else round(v)
        return f"{whole:d}"
    return f"{v:.4g}"


def qp_text(qp: float) -> str:
    return "–" if qp is None or math.isnan(qp) else f"{qp:.2g}"


def limit_words(r: object, factor: Factor) -> str:
    """One restricted factor of a box in words: `x <= 0.3`, `x >= 0.1`, or `0.1 <= x <= 0.3`."""
    lo = number(r.low, factor.integer, "low")  # type: ignore[attr-defined]
    hi = number(r.high, factor.integer, "high")  # type: ignore[attr-defined]
    low_cut, high_cut = r.low_restricted, r.high_restricted  # type: ignore[attr-defined]
    q_lo, q_hi = qp_text(r.qp_low), qp_text(r.qp_high)  # type: ignore[attr-defined]
    if low_cut and high_cut:
        return f"`{factor.key}` between {lo} and {hi} (quasi-p {q_lo} and {q_hi})"
    if low_cut:
        return f"`{factor.key}` at least {lo} (quasi-p {q_lo})"
    return f"`{factor.key}` at most {hi} (quasi-p {q_hi})"


def limits_table(limits: pd.DataFrame, factors: dict[str, Factor]) -> pd.DataFrame:
    rows = []
    for r in limits.itertuples(index=False):
        f = factors[r.factor]
        rows.append({"factor": r.factor, "low": number(r.low, f.integer, "low"),
                     "high": number(r.high, f.integer, "high"),
                     "quasi-p low": qp_text(r.qp_low), "quasi-p high": qp_text(r.qp_high),
                     "file's range": f"[{number(f.low, f.integer)}, {number(f.high, f.integer)}]"})
    return pd.DataFrame(rows)


def simplified(disc: Discovery, table: pd.DataFrame, result: PrimResult, factors: dict[str, Factor]) -> list[str]:
    """The headline box with only its limits of quasi-p below SIGNIFICANT, and what it covers in the sample."""
    kept = result.significant_limits()
    head = f"**The box with only the limits of quasi-p below {SIGNIFICANT:g}**"
    if kept.empty:
        return [f"{head}: none of its limits has a quasi-p-value below {SIGNIFICANT:g}; the box may be chance.", ""]
    stats = box_stats(table[list(factors)], table["b_wins"].to_numpy(), kept)
    words = [limit_words(r, factors[r.factor]) for r in kept.itertuples(index=False)]
    return [f"{head} (the others dropped, Bryant & Lempert 2010): {disc.b} beats {disc.a} where "
            + "; and ".join(words) + f". In the sample it covers {stats['coverage']:.2f} of B's wins at density "
            f"{stats['density']:.2f}, mass {stats['mass']:.2f} ({stats['n']} scenarios, {stats['wins']} wins).", ""]


def question(disc: Discovery) -> str:
    better = "higher" if disc.better == "higher" else "lower"
    margin = f" by more than {disc.margin:g}" if disc.margin > 0 else ""
    return (f"In which region of the uncertainty space does **{disc.b}** beat **{disc.a}** on "
            f"`{disc.outcome.name}` ({disc.outcome.label}; {better} is better){margin}?")


def cost(calls: list[dict[str, Any]]) -> str:
    """The whole cost over every invocation of the discovery."""
    total = sum(float(c["wall_seconds"]) for c in calls)
    launched = sum(int(c["runs_launched"]) for c in calls)
    seconds = sum(float(c["run_seconds"]) for c in calls)
    each = ", ".join(f"{float(c['wall_seconds']):,.0f} s ({int(c['runs_launched'])} runs, {c['workers']} "
                     "worker(s))" for c in calls)
    runs = (f"the {launched:,} runs took {seconds:,.0f} s, {launched / max(seconds, 1e-9):.2f} runs per second"
            if launched else "no run was needed (the runs were in the store)")
    return f"- Wall time on this machine: {total:,.0f} s in {len(calls)} invocation(s) of the command ({each}); {runs}."


def write(disc: Discovery, out: Path, table: pd.DataFrame, result: PrimResult, rate: tuple[float, float, float],
          figures: list[Path], calls: list[dict[str, Any]], runs: int) -> Path:
    factors = {f.key: f for f in disc.factors}
    p, lo, hi = rate
    wins = int(table["b_wins"].sum())
    lines = [f"# Scenario discovery `{disc.name}`", "", f"*{stamp()}*", "", disc.description.strip(), "",
             question(disc), "", "```", f"uv run abm discover {disc.name}", "```", "",
             f"- Discovery file: `{disc.path.name}`. Every run: `{' '.join(disc.base) or '(defaults)'}`; "
             + "; ".join(f"design {'AB'[k]} `{d}`: `{' '.join(o)}`" for k, (d, o) in enumerate(disc.designs.items()))
             + ".",
             f"- {disc.scenarios} scenarios, a Latin hypercube sample (seed {disc.seed}) of {len(disc.factors)} "
             f"uncertain factors; {disc.seeds} seed(s) per design per scenario, the same seeds for both designs "
             f"(common random numbers): {runs:,} runs.",
             f"- B wins a scenario when its seed-mean `{disc.outcome.name}` is better than A's by more than "
             f"{disc.margin:g}.",
             cost(calls), ""]
    lines += ["## Uncertain factors", "", markdown(pd.DataFrame(
        [{"factor": f.key, "range": f"[{number(f.low, f.integer)}, {number(f.high, f.integer)}]",
          "kind": "integer" if f.integer else "float"} for f in disc.factors])), ""]
    lines += ["## How often B wins", "",
              f"**{disc.b}** beats **{disc.a}** in {wins} of {len(table)} scenarios: base rate {p:.1%} "
              f"({LEVEL:.0%} Wilson interval {lo:.1%} to {hi:.1%}). The seed-mean difference "
              f"({disc.b} minus {disc.a}{'' if disc.better == 'higher' else ', sign flipped: lower is better'}) "
              f"has median {table['difference'].median():.4g}, range {table['difference'].min():.4g} to "
              f"{table['difference'].max():.4g}.", ""]
    if result.headline is None:
        lines += ["## PRIM", "", f"PRIM has nothing to find: {result.reason}.", ""]
    else:
        t = result.trajectory.copy()
        for c in ("coverage", "density", "mass"):
            t[c] = [f"{v:.3f}" for v in t[c]]
        t["restricted"] = [r or "–" for r in t["restricted"]]
        t.insert(0, "", ["**headline**" if i == result.headline else "" for i in t["box"]])
        row = result.trajectory.loc[result.headline]
        meets = "meets" if result.meets_threshold else "does not meet"
        limits = result.headline_limits()
        words = [limit_words(r, factors[r.factor]) for r in limits.itertuples(index=False)]
        lines += ["## PRIM peeling trajectory", "",
                  f"PRIM (Friedman & Fisher 1999; EMA Workbench, Kwakkel 2017) with peel_alpha "
                  f"{disc.prim['peel_alpha']:g} and mass_min {disc.prim['mass_min']:g}, one box. *Coverage*: the "
                  "share of all of B's wins inside the box; *density*: the share of the box's scenarios where B "
                  "wins; *mass*: the share of all scenarios inside the box.", "",
                  markdown(t[["", "box", "coverage", "density", "mass", "n", "wins", "res_dim", "restricted"]]), ""]
        lines += ["## The headline box", "",
                  f"The headline is the box with the highest density that keeps coverage at least "
                  f"{HEADLINE_COVERAGE:g} (it holds at least half of B's wins): **box {result.headline}**, coverage "
                  f"{row['coverage']:.2f}, density {row['density']:.2f} (against the base rate {p:.2f}), mass "
                  f"{row['mass']:.2f} ({int(row['n'])} scenarios, {int(row['wins'])} wins). It {meets} the "
                  f"threshold density {result.threshold:g}.", ""]
        if words:
            lines += [f"{disc.b} tends to beat {disc.a} where " + "; and ".join(words) + ".", "",
                      "A quasi-p-value is PRIM's one-sided binomial test of the box against the same box without "
                      "that limit (Bryant & Lempert 2010): below 0.05, the limit is unlikely to be chance.", "",
                      markdown(limits_table(limits, factors)), ""]
            lines += simplified(disc, table, result, factors)
        else:
            lines += ["The headline box restricts no factor: no region of the sampled space is denser in B's wins "
                      "than the whole.", ""]
    lines += ["## Figures", ""] + [f"![{f.stem}]({f.name})" for f in figures] + [""]
    lines += ["## Files", "", "- `scenarios.csv`: each scenario's factor values, both designs' seed-mean outcome, "
              "the difference and whether B wins (also `scenarios.parquet` in the store).",
              "- `runs.csv`: each run's outcome (scenario, design, seed).",
              "- `prim_trajectory.csv`, `prim_limits.csv`: every box of the trajectory and its limits.", ""]
    path = out / "report.md"
    write_text(path, "\n".join(lines))
    return path
