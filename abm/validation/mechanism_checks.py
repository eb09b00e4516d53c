"""Model check M6 (docs/validation.md, "Model checks"): the second model's mechanisms do what their anchors
say, each shown by a paired change over common seeds (or by the runs of the other checks):

- learning from contacts (Fang, Lee & Schilling 2010): under `networked`, cross-unit ties (cross_share 0.2
  against 0) change what staff believe and the unit codes' knowledge;
- aspiration (Cyert & March 1963; Greve 1998): under `adaptive`, a demand shock raises exploration;
- re-piloting (Zollo & Winter 2002): a failed pilot is piloted again in some runs;
- judgement (March 1991, code knowledge): a unit with a better code judges pilots better;
- experience (Zollo & Winter 2002; Argote 1999): management's response times shorten as it scales services.

The aspiration, judgement and experience checks read model state through abm.validation.state_probes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pandas as pd

from abm.core.params import PRACTICES, ModelParams
from abm.validation import state_probes
from abm.validation.model_checks import ENVIRONMENTS, grid, model_table, mrow
from abm.validation.model_runs import composed, interval, paired, run_batch, vary
from abm.validation.parallel import Runner, serial

SHOCK = {"environment.shock_week": 104, "environment.shock_weeks": 26, "environment.shock_multiplier": 1.5}


def base(practice: str, preset: str, weeks: int) -> ModelParams:
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


def probe(fn: Callable[..., pd.DataFrame], configs: dict[str, ModelParams], seeds: int,
          runner: Runner | None, desc: str) -> dict[tuple[str, int], pd.DataFrame]:
    """fn(params) for every configuration and seed 0..seeds-1, on the runner's processes."""
    keys = [(name, s) for name in configs for s in range(seeds)]
    tasks = [(dataclasses.replace(configs[name], seed=s),) for name, s in keys]
    return dict(zip(keys, (runner or serial()).map(fn, tasks, desc=desc), strict=True))


def window_mean(trace: pd.DataFrame, column: str, start: int, length: int) -> float:
    inside = trace[(trace["week"] >= start) & (trace["week"] < start + length)]
    return float(inside[column].mean())


def check_aspiration(seeds: int = 10, weeks: int = 260, preset: str = "default",
                     runner: Runner | None = None) -> pd.DataFrame:
    """Under `adaptive`, a demand shock (x1.5 for 26 weeks from week 104) widens the units' shortfall from
    aspiration and raises their exploration intensity (adaptive's share relative to the budget, staff-weighted,
    before the budget account rescales the region's total to the budget) during the shock, beyond its paired
    95% interval. The realised region share is shown beside it, unasserted: the account holds it to the
    budget over the run."""
    start, length = SHOCK["environment.shock_week"], SHOCK["environment.shock_weeks"]
    params = base("adaptive", preset, max(weeks, start + length + 1))
    configs = {"none": params, "shock": vary(params, **SHOCK)}
    traces = probe(state_probes.adaptive_trace, configs, seeds, runner, "aspiration")
    window = {(name, col): pd.Series({s: window_mean(traces[(name, s)], col, start, length) for s in range(seeds)})
              for name in configs for col in ("relative", "shortfall", "exploration_share")}
    d = {col: paired(window[("none", col)], window[("shock", col)])
         for col in ("relative", "shortfall", "exploration_share")}
    where = f"adaptive, demand x1.5 in weeks {start}-{start + length - 1}, {preset}, {seeds} seeds"
    rows = [mrow("aspiration_shock_widens_shortfall", where, d["shortfall"].diff, 0, 0,
                 d["shortfall"].diff > 0 and d["shortfall"].beyond,
                 f"paired rise of the mean relative shortfall from aspiration during the shock, above 0 beyond its "
                 f"95% interval {d['shortfall'].text()}", d["shortfall"].lo, d["shortfall"].hi),
            mrow("aspiration_shock_raises_exploration", where, d["relative"].diff, 0, 0,
                 d["relative"].diff > 0 and d["relative"].beyond,
                 f"paired rise of adaptive's exploration intensity (x budget) during the shock, above 0 beyond its "
                 f"95% interval {d['relative'].text()}; realised share {d['exploration_share'].text()}",
                 d["relative"].lo, d["relative"].hi)]
    curves = pd.concat([t.assign(config=name, seed=s) for (name, s), t in traces.items()], ignore_index=True)
    sentence = (f"A demand shock {'raises' if rows[1]['passed'] else 'does not raise'} adaptive exploration: intensity "
                f"{d['relative'].diff:+.3f} x budget during the shock (shortfall {d['shortfall'].diff:+.3f}; realised "
                f"share {d['exploration_share'].diff:+.4f}, as the budget account spreads it).")
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


def censored_lag(lags: pd.DataFrame, weeks: int) -> float:
    """Mean weeks from arrival to half the care units over the non-mandated services that arrived, a service
    that never got there counting as arriving-to-horizon + 1 (censored, so that a faster region is not
    penalised for bringing more services there, as the mean over finished services dc_weeks_to_half is)."""
    free = lags[~lags["mandated"] & (lags["arrival"] <= weeks)]
    return float((free["half"].fillna(weeks + 1) - free["arrival"]).mean())


def check_experience(seeds: int = 10, weeks: int = 260, preset: str = "default",
                     runner: Runner | None = None) -> pd.DataFrame:
    """Management's response times shorten with experience (under `contextual`): its scaling capacity grows as
    it scales services (the last round's above the first's in every run), and with that
    learning (the default management.scaling_learning against 0) the censored weeks from a non-mandated
    service's arrival to half the care units fall beyond their paired 95% interval."""
    params = base("contextual", preset, weeks)
    configs = {"none": vary(params, **{"management.scaling_learning": 0.0}), "default": params}
    lags = probe(state_probes.service_lags, configs, seeds, runner, "experience")
    traces = probe(state_probes.scaling_trace, {"default": params}, seeds, runner, "scaling")
    growth = pd.Series({s: t["capacity"].iloc[-1] / t["capacity"].iloc[0] for (_, s), t in traces.items() if len(t)})
    mean, lo, hi = interval(growth)
    d = paired(*(pd.Series({s: censored_lag(lags[(name, s)], weeks) for s in range(seeds)}) for name in configs))
    learning = params.management.scaling_learning
    where = f"contextual, {preset}, {seeds} seeds, {weeks} weeks"
    rows = [mrow("experience_grows_scaling_capacity", f"{where}, scaling_learning {learning:g}", growth.min(), 1, 0,
                 bool(growth.min() > 1), "smallest ratio over runs of the last round's scaling capacity to the "
                 f"first's, above 1 (it grew in every run; mean {mean:.3f})", lo, hi),
            mrow("experience_shortens_response", f"{where}, scaling_learning 0 -> {learning:g}", d.diff, 0, 0,
                 d.diff < 0 and d.beyond, "paired change of the censored mean weeks to half the care units "
                 f"(non-mandated services), below 0 beyond its 95% interval {d.text()}", d.lo, d.hi)]
    sentence = (f"Management's scaling capacity grows {mean:.2f}-fold with experience; learning from it "
                f"{'shortens' if rows[1]['passed'] else 'does not measurably shorten'} the response "
                f"({d.diff:+.1f} weeks to half the care units).")
    return model_table(rows, sentence)


def check_judgement(seeds: int = 10, preset: str = "default", runner: Runner | None = None) -> pd.DataFrame:
    """A unit with a better code judges pilots better: in weeks 4-52 of `contextual` runs, units above the
    median code knowledge misjudge services' benefit (|judged by the code - true|, noise aside) by less than
    units below it; the mean difference over runs lies below 0 beyond its 95% interval."""
    params = base("contextual", preset, max(state_probes.JUDGEMENT_WEEKS))
    traces = probe(state_probes.judgement_errors, {"contextual": params}, seeds, runner, "judgement")
    gaps = pd.Series({s: float((t["better"] - t["worse"]).mean()) for (_, s), t in traces.items() if len(t)})
    mean, lo, hi = interval(gaps) if len(gaps) else (float("nan"),) * 3
    weeks = state_probes.JUDGEMENT_WEEKS
    rows = [mrow("better_code_judges_better", f"contextual, weeks {weeks[0]}-{weeks[-1]}, {preset}, {seeds} seeds",
                 mean, 0, 0, bool(hi < 0), "mean |judgement error| of better-code units minus worse-code units, "
                 f"below 0 with its 95% interval ({len(gaps)} runs with both halves)", lo, hi)]
    sentence = (f"Units with better codes {'judge' if rows[0]['passed'] else 'do not judge'} pilots better: their mean "
                f"error in a service's benefit is {mean:+.4f} against worse-code units'.")
    return model_table(rows, sentence)
