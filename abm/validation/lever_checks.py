"""Model check M4 (docs/validation.md, "Model checks"): no inert lever.

Every numeric parameter a user can move in the app (viz/levers.py) and every numeric practice and
management parameter is set low and high (the 10th and 90th percentile of its screening range, or the
range's ends for an integer range of fewer than 10 values), the rest at their defaults, over common seeds;
the change must move at least one headline outcome's 5-year mean beyond its paired 95% interval.
Screening ranges have one definition, the Morris screen's `experiments/morris_screen.yaml` (M7): the
metadata ranges of abm/core/params.py, narrowed to plausible values that are valid in every combination.
A parameter that only one practice uses is tested under that practice, one that acts only when the environment
moves under the environment it needs (ENVIRONMENT_OF), one that acts only when unit managers decide with
`practice.decided_by=units` (EXTRA), and a lever the app offers only with a demand shock under the
pandemic_shock environment.
The full check uses 40 seeds (LEVER_SEEDS): an effect of a third of a standard deviation of the paired
differences (d_z 0.33) is then beyond its interval. With common random numbers a parameter no mechanism reads
gives identical runs, whatever the number of seeds, so a lever not detected at 40 seeds whose runs differ is
run again at 160 (SMALL_EFFECT_FACTOR): that second stage finds small effects and cannot pass an inert lever.
"""

from __future__ import annotations

import dataclasses
from functools import cache
from typing import Any

import pandas as pd

from abm.core.params import GROUPS, ModelParams
from abm.errors import ParamError
from abm.validation.model_checks import model_table, mrow
from abm.validation.model_runs import Batch, composed, paired, run_batch, vary
from abm.validation.parallel import Runner

# The outcomes the research question names: digital maturity, adoption, care and its delivery, learning, and
# the services developed (pilots started and failed), implemented and kept (services live per care unit).
HEADLINE = ("maturity_total", "adoption_share", "care_production", "remote_share", "waiting_list",
            "mandated_progress", "exploration_share", "code_knowledge", "services_live", "pilots_started",
            "pilots_failed")
SCREEN = "morris_screen"
# Switches that exist to dock the model to classic ones (docs/validation.md V1-V4) and are off in the full
# model: listed in the report, never screened.
DOCKING_ONLY = ("learning.p_socialise_each", "adoption.threshold_each", "adoption.seed_neighbourhood",
                "adoption.rule", "adoption.threshold", "adoption.dt", "adoption.step_probability",
                "adoption.p_external", "adoption.q_social", "scenario.*")
# Parameters that only one practice reads (their help text in abm/core/params.py says so).
PRACTICE_OF = {
    "practice.innovation_share": "structural",
    "organisation.n_innovation_units": "structural",
    "organisation.innovation_knowhow_bonus": "structural",
    "practice.period_weeks": "sequential",
    "practice.cross_share": "networked",
    "practice.aspiration_weight": "adaptive",
    "practice.social_aspiration": "adaptive",
    "practice.adaptive_gain": "adaptive",
    "practice.adaptive_step": "adaptive",
    "organisation.demand_innovation": "structural",  # innovation units exist only under structural
}
# Parameters every practice reads but that act only under one (tested there; the Morris screen's check that
# other practices' parameters are inert leaves them out).
TESTED_UNDER = {
    # binds only where a unit's planned share is high: the innovation units (innovation_share 0.8)
    "practice.max_unit_share": "structural",
    # the budget account has something to make up only under adaptive, whose aspiration gaps move the target
    # (elsewhere every week's shares are scaled to spend the week's budget exactly; measured: account 0)
    "practice.carryover_weeks": "adaptive",
    # a re-pilot's head start shortens its work, leaving more of max_pilot_weeks to win users; it decides
    # outcomes where failed pilots ran out of time to win them: under sequential, whose exploit halves stop the
    # work, 5.4 of 9.4 failed pilots a run end for low use (contextual: 2.6 of 9.2; 5 seeds, measured), and
    # under contextual the effect on 5-year outcomes is small (d_z 0.19-0.32 at 40 seeds in the three
    # environments, measured)
    "management.repilot_head_start": "sequential",
}
# Parameters that act only when the environment moves: a routinised service's use falls below any plausible
# low-use bar only after turbulence has made it a poorer fit (in the stable environment its use stays above
# 0.55, measured); tested under turbulent.
# A unit drops a misfit it never judged: a remote service a shock rolled out without a pilot (in the stable
# and turbulent environments no live service falls below the bar, measured).
ENVIRONMENT_OF = {"management.abandon_share": "turbulent", "management.p_misfit_abandon": "pandemic_shock",
                  # how fast exploration follows a shortfall matters when a shock opens one
                  "practice.adaptive_step": "pandemic_shock"}
# what else the parameter needs: slack acts only where unit managers decide
EXTRA = {"practice.slack_sensitivity": ("practice.decided_by=units",)}
DEFAULT_PRACTICE = "contextual"
LEVER_SEEDS = 40
SMALL_EFFECT_FACTOR = 4  # a lever not detected at LEVER_SEEDS is run again at 4 times the seeds (d_z 0.16)


@cache
def screen_ranges(name: str = SCREEN) -> dict[str, tuple[float, float, bool]]:
    """key -> (low, high, is integer) of the Morris screen's parameters."""
    from abm.experiments.spec import load_spec

    params = load_spec(name).sensitivity["params"]  # type: ignore[index]
    return {k: (v[0], v[1], all(isinstance(x, int) for x in v)) for k, v in params.items()}


def low_high(lo: float, hi: float, is_int: bool) -> tuple[float, float]:
    """The 10th and 90th percentile of [lo, hi] (whole numbers for an integer range; its ends if it spans
    fewer than 10 values)."""
    if is_int:
        if hi - lo < 9:
            return int(lo), int(hi)
        return int(round(lo + 0.1 * (hi - lo))), int(round(lo + 0.9 * (hi - lo)))
    return lo + 0.1 * (hi - lo), lo + 0.9 * (hi - lo)


def numeric_keys(group: str) -> list[str]:
    return [f"{group}.{f.name}" for f in dataclasses.fields(GROUPS[group]) if "range" in f.metadata]


def app_levers() -> dict[str, object]:
    """Override key -> lever of every numeric lever the app's Live and Compare pages offer (a choice, such as
    who decides, is a switch between designs, not a lever with a range)."""
    from viz.levers import LEVERS

    return {lv.key: lv for lv in LEVERS if lv.kind != "choice"}


def app_lever_keys() -> list[str]:
    return list(app_levers())


def shock_only() -> set[str]:
    """Levers the app uses only in an environment with a demand shock (tested under pandemic_shock)."""
    return {key for key, lv in app_levers().items() if getattr(lv, "shock", False)}


def tested_keys() -> list[str]:
    """The app's levers, then every numeric practice and management parameter (each once)."""
    return list(dict.fromkeys([*app_lever_keys(), *numeric_keys("practice"), *numeric_keys("management")]))


def is_parameter(key: str) -> bool:
    group, _, name = key.partition(".")
    return group in GROUPS and any(f.name == name and "range" in f.metadata for f in dataclasses.fields(GROUPS[group]))


def setting(key: str, weeks: int, preset: str) -> tuple[str, ModelParams]:
    """(where: practice and environment, base parameters) a parameter is tested under."""
    practice = PRACTICE_OF.get(key, TESTED_UNDER.get(key, DEFAULT_PRACTICE))
    environment = "pandemic_shock" if key in shock_only() else ENVIRONMENT_OF.get(key, "stable")
    base = (f"practice={practice}", f"environment={environment}", f"organisation={preset}", f"weeks={weeks}",
            *EXTRA.get(key, ()))
    return practice if environment == "stable" else f"{practice}, {environment}", composed(base)


def judge(key: str, batch: Batch) -> dict[str, Any]:
    """A lever's paired differences, low vs high, on every headline outcome of `batch`: the strongest (by
    |d_z|), the outcomes moved beyond their interval, and whether every run is identical."""
    found = {m: paired(batch.values(f"{key}|low", m), batch.values(f"{key}|high", m)) for m in HEADLINE}
    best = max(found, key=lambda m: abs(found[m].d_z))
    same = all((batch.values(f"{key}|low", m) - batch.values(f"{key}|high", m)).abs().max() < 1e-12
               for m in HEADLINE)
    return {"d": found[best], "best": best, "moved": [m for m, d in found.items() if d.beyond], "same": same,
            "ref": batch.values(f"{key}|low", best).mean()}


def check_no_inert_lever(seeds: int = LEVER_SEEDS, weeks: int = 260, preset: str = "default",
                         only: tuple[str, ...] = (), runner: Runner | None = None) -> pd.DataFrame:
    """M4: each tested parameter, low vs high over common seeds, moves some headline outcome beyond its
    paired 95% interval. `only` restricts the parameters (the CI test runs a few)."""
    keys = [k for k in tested_keys() if not only or k in only]
    ranges = screen_ranges()
    configs, rows, problems = {}, [], {}
    for key in keys:
        if not is_parameter(key):
            problems[key] = "not a numeric field of abm/core/params.py"
        elif key not in ranges:
            problems[key] = f"no screening range in experiments/{SCREEN}.yaml"
        else:
            practice, base = setting(key, weeks, preset)
            try:
                for end, value in zip(("low", "high"), low_high(*ranges[key]), strict=True):
                    configs[f"{key}|{end}"] = vary(base, **{key: value})
            except ParamError as err:
                problems[key] = f"an invalid combination: {err}"
    batch = run_batch(configs, seeds, runner, desc="levers")
    judged = {key: judge(key, batch) for key in keys if key not in problems}
    # Second stage: a lever not detected at `seeds` (and not giving identical runs) is run again at
    # SMALL_EFFECT_FACTOR times the seeds; an inert lever gives identical runs at any number of seeds, so this
    # can only find small effects, which the table reports with their d_z and relative size.
    again = [k for k, v in judged.items() if not v["moved"] and not v["same"]]
    larger = seeds * SMALL_EFFECT_FACTOR
    if again and SMALL_EFFECT_FACTOR > 1:
        more = run_batch({c: v for c, v in configs.items() if c.split("|")[0] in again}, larger, runner,
                         desc="levers, small effects")
        judged.update({key: judge(key, more) for key in again})
    effects = []
    for key in keys:
        if key in problems:
            rows.append(mrow("no_inert_lever", key, float("nan"), 1, 0, False, f"not tested: {problems[key]}"))
            continue
        practice, _ = setting(key, weeks, preset)
        low, high = low_high(*ranges[key])
        v = judged[key]
        d, best, moved, same = v["d"], v["best"], v["moved"], v["same"]
        n_seeds = larger if key in again else seeds
        verdict = ("moves" if key not in again else "moves (a small effect)") if moved else (
            "INERT: identical runs" if same else "INERT: not detected")
        effects.append({"parameter": key, "practice": practice, "low": low, "high": high, "outcome": best,
                        "diff": d.diff, "lo": d.lo, "hi": d.hi, "d_z": d.d_z,
                        "relative": d.diff / v["ref"] if v["ref"] else float("nan"), "outcomes_moved": len(moved),
                        "app_lever": key in app_lever_keys(), "seeds": n_seeds, "verdict": verdict})
        stage = f" (not detected at {seeds})" if key in again else ""
        rows.append(mrow("no_inert_lever",
                         f"{key} {low:g} -> {high:g} under {practice}, {n_seeds} seeds{stage}, {weeks} weeks",
                         len(moved), 1, 0, bool(moved),
                         f"headline outcomes moved beyond their paired 95% interval, at least 1; strongest: {best} "
                         f"{d.text()} (d_z {d.d_z:.3g}){'; every run identical' if same else ''}", d.lo, d.hi))
    inert = [r["parameters"].split()[0] for r in rows if not r["passed"]]
    identical = [e["parameter"] for e in effects if e["verdict"] == "INERT: identical runs"]
    sentence = (f"{len(rows) - len(inert)} of {len(rows)} parameters move a headline outcome beyond its paired 95% "
                f"interval{'' if not inert else '; not: ' + ', '.join(inert)}"
                f"{'' if not identical else ' (identical runs at low and high: ' + ', '.join(identical) + ')'}.")
    listed = pd.DataFrame({"parameter": list(DOCKING_ONLY), "why": "docking-only switch (off in the full model)"})
    return model_table(rows, sentence, effects=pd.DataFrame(effects), docking_only=listed)
