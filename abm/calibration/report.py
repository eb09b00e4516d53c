"""The calibration report (`<out>/<name>/report.md`): what was fitted to what, the posterior, which
parameters the patterns identify, the posterior-predictive check of every target, and the cost."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from abm.analysis.markdown import markdown
from abm.calibration.abc import generations_table
from abm.calibration.posterior import correlations
from abm.simulation import stamp
from abm.store.files import write_text
from abm.store.invocations import invocations

if TYPE_CHECKING:
    from abm.calibration.calibrate import Result


def _num(v: float) -> str:
    return f"{v:.4g}"


def write(result: Result, posterior: pd.DataFrame, figures: list[Path]) -> Path:
    cal, out = result.cal, result.report_dir
    gens = generations_table(result.exp_dir / "abc.db")
    evaluated = int(gens["particles_evaluated"].sum())
    sims = result.runs_in_store
    lines = [f"# Calibration `{cal.name}`", "", f"*{stamp()}*", "",
             cal.description.strip() or "", "",
             "```", f"uv run abm calibrate {cal.name}", "```", "",
             f"- Calibration file: `{cal.path.name}`; target table: `{cal.targets_name}` "
             f"(patterns {', '.join(cal.patterns)}; {len(cal.targets)} quantities); preset `{cal.preset}`.",
             f"- ABC-SMC (pyabc): population {cal.population}, {cal.seeds_per_particle} seeds per particle "
             f"(fresh seeds for every particle), epsilon the {cal.alpha:g}-quantile of the last generation's "
             f"distances, stopped after {result.abc.generations} generations: {result.abc.reason}.",
             f"- {evaluated:,} particles evaluated; {sims:,} runs in the store (ABC and the posterior-predictive "
             "check)."]
    calls = invocations(result.exp_dir)
    total = sum(float(c["wall_seconds"]) for c in calls)
    launched = sum(int(c["runs_launched"]) for c in calls)
    abc_s = sum(float(c.get("abc_seconds", 0.0)) for c in calls)
    each = ", ".join(f"{float(c['wall_seconds']):,.0f} s" for c in calls)
    lines += [f"- Wall time on this machine: {total:,.0f} s in {len(calls)} invocation(s) of the command ({each}); "
              f"ABC-SMC ran {launched:,} runs in {abc_s:,.0f} s, {launched / max(abc_s, 1e-9):.2f} runs per second.",
              ""]
    shown = gens.assign(epsilon=[_num(e) for e in gens["epsilon"]])
    lines += ["## Generations", "", markdown(shown), ""]
    s = result.summary.copy()
    s["prior"] = [f"[{a:g}, {b:g}]" for a, b in zip(s["prior_low"], s["prior_high"], strict=True)]
    s["posterior median [90%]"] = [f"{m:.4g} [{lo:.4g}, {hi:.4g}]" for m, lo, hi in
                                   zip(s["median"], s["low"], s["high"], strict=True)]
    s["interval / prior"] = [f"{v:.0%}" for v in s["interval_share_of_prior"]]
    lines += ["## Posterior: which parameters the patterns identify", "",
              "A parameter is *identified* when its 90% interval spans at most half its prior range, *narrowed* "
              "at most 80%, else it *stays wide*: the patterns cannot tell its values apart.", "",
              markdown(s[["parameter", "prior", "posterior median [90%]", "interval / prior", "verdict"]]), ""]
    corr = correlations(posterior, list(cal.params))
    strong = corr[corr["r"].abs() >= 0.5]
    lines += ["Posterior correlations with |r| >= 0.5 (trade-offs the patterns leave open): "
              + ("none." if strong.empty else "; ".join(f"{a} / {b}: r = {r:.2f}" for a, b, r in
                                                         strong.itertuples(index=False))), ""]
    p = result.predictive.copy()
    p["draws: median [5%, 95%]"] = [f"{m:.4g} [{a:.4g}, {b:.4g}]" for m, a, b in
                                    zip(p["median"], p["q05"], p["q95"], strict=True)]
    p["draws inside"] = [f"{v:.0%}" for v in p["share_inside"]]
    p["distance outside"] = [f"{v:.3g}" for v in p["mean_distance_outside"]]
    p["calibrated point"] = [f"{a} of {b}" for a, b in zip(p["point_inside"], p["point_runs"], strict=True)]
    lines += ["## Posterior-predictive check", "",
              f"{cal.predictive_draws} posterior draws, one fresh seed each, and the calibrated point (the posterior "
              "medians, the preset below) at 10 seeds; each run judged on its own. *Distance outside*: the mean, "
              "over runs outside the range, of how far outside in units of the target's scale.", "",
              markdown(p[["target", "range", "draws: median [5%, 95%]", "draws inside", "distance outside",
                          "calibrated point"]]), ""]
    v = result.verdicts
    rows = []
    for pattern in cal.patterns:
        d = v[(v["pattern"] == pattern) & (v["source"] == "draw")]
        q = v[(v["pattern"] == pattern) & (v["source"] == "point")]
        rows.append({"pattern": pattern, "draws' runs with every quantity inside":
                     f"{int(d['runs_inside'].sum())} of {int(d['runs'].sum())}",
                     "calibrated point": f"{int(q['runs_inside'].sum())} of {int(q['runs'].sum())} seeds"})
    lines += ["Per pattern:", "", markdown(pd.DataFrame(rows)), ""]
    lines += ["## Calibrated preset", "",
              f"`configs/preset/{cal.name}.yaml` (the posterior medians on top of `{cal.preset}`):", "",
              "```", f"uv run abm run preset={cal.name}", "```", "",
              f"The posterior for experiments (`posterior: {cal.name}` in an experiment file): "
              f"`configs/posterior/{cal.name}.parquet`.", ""]
    lines += ["## Figures", ""] + [f"![{f.stem}]({f.name})" for f in figures if f.suffix == ".png"] + [""]
    lines += ["## Targets", "", markdown(pd.DataFrame(
        [{"target": t.key, "range": t.range_text(), "observed": t.statement,
          "source": f"{t.source} ({t.year}) {t.link}"} for t in cal.targets])), ""]
    path = out / "report.md"
    write_text(path, "\n".join(lines))
    return path
