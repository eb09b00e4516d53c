"""Model check M7 (docs/validation.md, "Model checks"): the Morris screen of every numeric parameter.

The screen is the experiment file `experiments/morris_screen.yaml`, run through the same path as
`abm experiment morris_screen` (plan, store, executors) and analysed as `abm sensitivity morris_screen`
does (abm.analysis.sensitivity.indices), so the two commands and this check share one store: whichever
runs first does the work, the other finds the runs done. A smaller screen (fewer trajectories,
parameters, weeks or another preset) gets its own experiment name, `morris_screen_small`, so it never
mixes with the full plan.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from abm.validation.lever_checks import PRACTICE_OF, SCREEN
from abm.validation.model_checks import model_table, mrow

if TYPE_CHECKING:
    from abm.experiments.spec import Spec

# The maturity stage thresholds define the stage a unit is counted at (the metric mean_stage) and nothing
# else: they move no headline outcome by design.
REPORTING_ONLY_PREFIX = ("maturity.stage",)


def screen_spec(trajectories: int | None = None, params: int | tuple[str, ...] | None = None,
                weeks: int | None = None, preset: str | None = None, seeds: int | None = None) -> Spec:
    """The screen's Spec, reduced as asked (then named morris_screen_small)."""
    from abm.experiments.spec import apply_cli_overrides, load_spec

    spec = load_spec(SCREEN)
    sens = dict(spec.sensitivity or {})
    reduced = False
    if trajectories is not None and trajectories != sens.get("trajectories"):
        sens["trajectories"], reduced = trajectories, True
    if params is not None:
        keys = list(sens["params"])[:params] if isinstance(params, int) else list(params)
        sens["params"], reduced = {k: sens["params"][k] for k in keys}, True
    spec.sensitivity = sens
    extra = [f"weeks={weeks}"] if weeks is not None else []
    extra += [f"organisation={preset}"] if preset is not None else []
    if extra:
        spec, reduced = apply_cli_overrides(spec, extra), True
    if seeds is not None and seeds != len(spec.seeds):
        spec.seeds, reduced = list(range(seeds)), True
    if reduced:
        spec.name = f"{SCREEN}_small"
    return spec


def screen_practice(base: list[str]) -> str:
    return next((o.split("=", 1)[1] for o in base if o.startswith("practice=")), "contextual")


def check_morris_screen(trajectories: int | None = None, params: int | tuple[str, ...] | None = None,
                        weeks: int | None = None, preset: str | None = None, seeds: int | None = None,
                        root: str | Path | None = None, workers: int = 1, progress: bool = False) -> pd.DataFrame:
    """M7: run the screen (resuming whatever the store already holds), compute mu* and sigma per outcome,
    and assert that every design point finished, that the parameters of other practices are exactly inert
    (mu* = 0: common random numbers), and that every other parameter (but the stage thresholds, which
    only define the stage) has mu* > 0 on some headline outcome."""
    from abm.analysis.sensitivity import indices
    from abm.experiments.launch import run_experiment
    from abm.experiments.spec import plan
    from abm.store.layout import results_root

    spec = screen_spec(trajectories, params, weeks, preset, seeds)
    store = results_root(root)
    outcome = run_experiment(spec, plan(spec), store, workers=workers, progress=progress)
    sens = spec.sensitivity or {}
    k, r = len(sens["params"]), int(sens.get("trajectories", 10))
    size = f"{spec.name}: {r} trajectories x ({k} + 1) points x {len(spec.seeds)} seed(s), {' '.join(spec.base)}"
    done = sum(v == "ok" for v in outcome.status.values())
    rows = [mrow("morris_design_complete", size, done, len(outcome.status), 0, outcome.complete,
                 f"every design point finished in {store / spec.name}")]
    if not outcome.complete:
        return model_table(rows, f"The Morris screen did not finish ({done} of {len(outcome.status)} runs).")
    tables = {m: indices(spec.name, m, root=store) for m in spec.metrics}
    mu = pd.DataFrame({m: t.set_index("param")["mu_star"] for m, t in tables.items()})
    practice = screen_practice(spec.base)
    inert = [p for p in mu.index if PRACTICE_OF.get(p, practice) != practice]
    reporting = [p for p in mu.index if p.startswith(REPORTING_ONLY_PREFIX)]
    active = [p for p in mu.index if p not in inert and p not in reporting]
    top = float(mu.loc[inert].to_numpy().max()) if inert else math.nan
    silent = [p for p in active if not (mu.loc[p] > 0).any()]
    rows.append(mrow("morris_other_practices_inert", f"{', '.join(inert) or '(none screened)'} under {practice}",
                     0.0 if math.isnan(top) else top, 0, 0, not inert or top == 0,
                     "largest mu* of a parameter another practice reads, exactly 0"))
    rows.append(mrow("morris_every_parameter_acts", f"{len(active)} parameters", len(active) - len(silent),
                     len(active), 0, not silent,
                     "parameters with mu* > 0 on some headline outcome, all"
                     + (f"; none on: {', '.join(silent)}" if silent else "")))
    ranking = (mu / mu.max().where(mu.max() > 0)).mean(axis=1).sort_values(ascending=False)
    ok = all(row["passed"] for row in rows)
    sentence = (f"The screen of {k} parameters {'finds' if ok else 'does not find'} the expected pattern; strongest "
                f"(mean normalised mu*): {', '.join(ranking.index[:5])}.")
    long = pd.concat([t.assign(metric=m) for m, t in tables.items()], ignore_index=True)
    return model_table(rows, sentence, indices=long, ranking=ranking.rename("mean_normalised_mu_star").reset_index())
