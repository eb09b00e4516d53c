"""Model check M6 (docs/validation.md, "Model checks"): the second model's mechanisms do what their anchors
say, each shown by a paired change over common seeds (or by the runs of the other checks):

- learning from contacts (Fang, Lee & Schilling 2010): under `networked`, cross-unit ties (cross_share 0.2
  against 0) change what staff believe and the unit codes' knowledge;
- aspiration (Cyert & March 1963; Greve 1998): under `adaptive`, a demand shock raises exploration;
- re-piloting (Zollo & Winter 2002): a failed pilot is piloted again in some runs;
- judgement (March 1991, code knowledge): a unit with a better code judges pilots better;
- experience (Zollo & Winter 2002; Argote 1999): management's response times shorten as it scales services.
"""

from __future__ import annotations

import pandas as pd

from abm.core.params import PRACTICES
from abm.validation.model_checks import ENVIRONMENTS, grid, model_table, mrow
from abm.validation.model_runs import composed, paired, run_batch, vary
from abm.validation.parallel import Runner

SHOCK = {"environment.shock_week": 104, "environment.shock_weeks": 26, "environment.shock_multiplier": 1.5}


def base(practice: str, preset: str, weeks: int) -> object:
    return composed((f"practice={practice}", "environment=stable", f"organisation={preset}", f"weeks={weeks}"))


def check_contacts(seeds: int = 10, weeks: int = 260, preset: str = "default",
                   runner: Runner | None = None) -> pd.DataFrame:
    """Under `networked`, cross_share 0.2 against 0 moves the 5-year mean code knowledge and belief
    knowledge (the mean agreement of staff beliefs with reality) beyond their paired 95% intervals."""
    params = base("networked", preset, weeks)
    configs = {"closed": vary(params, **{"practice.cross_share": 0.0}),
               "open": vary(params, **{"practice.cross_share": 0.2})}
    batch = run_batch(configs, seeds, runner, desc="contacts")
    rows = []
    for m in ("code_knowledge", "belief_knowledge"):
        d = paired(batch.values("closed", m), batch.values("open", m))
        rows.append(mrow(f"contacts_change_{m}", f"networked, cross_share 0 -> 0.2, {preset}, {seeds} seeds, "
                         f"{weeks} weeks", d.diff, 0, 0, d.beyond,
                         f"paired difference of the 5-year mean {m} beyond its 95% interval {d.text()}", d.lo, d.hi))
    moved = [r["check"].removeprefix("contacts_change_") for r in rows if r["passed"]]
    sentence = (f"Cross-unit ties {'change' if len(moved) == 2 else 'do not change both'} what staff believe and "
                f"what the codes know (moved: {', '.join(moved) or 'neither'}).")
    return model_table(rows, sentence)


def shock_window(series: pd.DataFrame, metric: str, start: int, weeks: int) -> float:
    inside = series[(series["week"] >= start) & (series["week"] < start + weeks)]
    return float(inside[metric].mean())


def check_aspiration(seeds: int = 10, weeks: int = 260, preset: str = "default",
                     runner: Runner | None = None) -> pd.DataFrame:
    """Under `adaptive`, a demand shock (x1.5 for 26 weeks from week 104) raises the realised exploration
    share during the shock beyond its paired 95% interval; `contextual` is shown beside it, unasserted."""
    start, length = SHOCK["environment.shock_week"], SHOCK["environment.shock_weeks"]
    configs = {}
    for practice in ("adaptive", "contextual"):
        params = base(practice, preset, max(weeks, start + length + 1))
        configs[f"{practice}|none"] = params
        configs[f"{practice}|shock"] = vary(params, **SHOCK)
    batch = run_batch(configs, seeds, runner, series=("exploration_share",), desc="aspiration")
    window = {name: pd.Series({s: shock_window(batch.series[(name, s)], "exploration_share", start, length)
                               for s in range(seeds)}) for name in configs}
    d = paired(window["adaptive|none"], window["adaptive|shock"])
    ctx = paired(window["contextual|none"], window["contextual|shock"])
    rows = [mrow("aspiration_shock_raises_exploration",
                 f"adaptive, demand x1.5 in weeks {start}-{start + length - 1}, {preset}, {seeds} seeds", d.diff, 0, 0,
                 d.diff > 0 and d.beyond,
                 f"paired rise of the mean exploration share during the shock above 0 beyond its 95% interval "
                 f"{d.text()} (contextual: {ctx.text()})", d.lo, d.hi)]
    curves = pd.concat([batch.series[(name, s)].assign(config=name, seed=s) for name in configs
                        for s in range(seeds)], ignore_index=True)
    sentence = (f"A demand shock {'raises' if rows[0]['passed'] else 'does not raise'} adaptive exploration: "
                f"{d.diff:+.4f} of working time during the shock (contextual {ctx.diff:+.4f}).")
    return model_table(rows, sentence, curves=curves)


def check_repilots(seeds: int = 10, weeks: int = 260, preset: str = "default",
                   runner: Runner | None = None) -> pd.DataFrame:
    """A failed pilot can be piloted again: cumulative repilots at the horizon above 0 in some runs of the
    practice-by-environment grid (the runs of M2 and M3)."""
    configs = grid(PRACTICES, ENVIRONMENTS, (preset,), weeks)
    batch = run_batch(configs, seeds, runner, desc="repilots")
    finals = batch.finals
    n_runs, with_repilot = len(finals), int((finals["repilots"] > 0).sum())
    failed = int((finals["pilots_failed"] > 0).sum())
    rows = [mrow("failed_pilots_are_repiloted", f"6 practices x 3 environments, {preset}, {seeds} seeds, {weeks} weeks",
                 with_repilot, 1, 0, with_repilot >= 1,
                 f"runs with repilots > 0 at the horizon, at least 1 (of {n_runs}; {failed} with a failed pilot; "
                 f"mean repilots {finals['repilots'].mean():.2f})")]
    sentence = (f"Failed pilots are {'re-piloted' if with_repilot else 'never re-piloted'}: {with_repilot} of {n_runs} "
                f"runs re-pilot a service ({failed} have a failed pilot).")
    return model_table(rows, sentence)


def check_experience(seeds: int = 10, weeks: int = 260, preset: str = "default",
                     runner: Runner | None = None) -> pd.DataFrame:
    """Management's response times shorten with experience: with scaling learning (the default) against
    without (management.scaling_learning 0), the mean weeks from a service's arrival to half the care units
    implementing it (dc_weeks_to_half) fall beyond their paired 95% interval, under `contextual`."""
    params = base("contextual", preset, weeks)
    configs = {"none": vary(params, **{"management.scaling_learning": 0.0}), "default": params}
    batch = run_batch(configs, seeds, runner, desc="experience")
    d = paired(batch.values("none", "dc_weeks_to_half", final=True),
               batch.values("default", "dc_weeks_to_half", final=True))
    rows = [mrow("experience_shortens_response",
                 f"contextual, scaling_learning 0 -> {params.management.scaling_learning:g}, {preset}, {seeds} seeds, "
                 f"{weeks} weeks", d.diff, 0, 0, d.diff < 0 and d.beyond,
                 f"paired change of dc_weeks_to_half at the horizon below 0 beyond its 95% interval {d.text()}",
                 d.lo, d.hi)]
    sentence = (f"Scaling experience {'shortens' if rows[0]['passed'] else 'does not shorten'} management's response: "
                f"{d.diff:+.2f} weeks to half the care units.")
    return model_table(rows, sentence)
