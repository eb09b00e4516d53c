"""Model checks of the full model's behaviour (docs/validation.md, "Model checks", M1-M3 and M5): equal
budgets, the environment matters, mandates reach every practice, size does not change the answers.

Every check runs the shipped presets (configs/practice, environment, organisation) over common seeds
(abm.validation.model_runs) and returns a tidy table (one row per assertion, with the 95% interval of what
it measured in `lo`, `hi`) whose `attrs["sentence"]` says in one sentence what was found. 5-year means are
means over weeks 1..260 of the region table.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from abm.core.params import PRACTICES, ModelParams
from abm.validation.model_runs import Batch, composed, interval, paired, run_batch
from abm.validation.parallel import Runner
from abm.validation.table import COLUMNS

MODEL_COLUMNS = (*COLUMNS, "lo", "hi")
ENVIRONMENTS = ("stable", "turbulent", "pandemic_shock")
EXPLORING = tuple(p for p in PRACTICES if p != "exploit_only")
ENV_OUTCOMES = ("maturity_total", "care_production", "adoption_share", "remote_share")
SIZE_OUTCOMES = ("maturity_total", "adoption_share", "remote_share")
BUDGET_TOLERANCE = 0.10  # relative: realised exploration within 10% of the budget
SIZE_TOLERANCE = 0.20  # relative: the region preset within 20% of the default preset


def mrow(check: str, parameters: str, measured: float, expected: float, tolerance: float, passed: bool,
         criterion: str, lo: float = float("nan"), hi: float = float("nan")) -> dict[str, Any]:
    """One assertion with the 95% interval of what it measured (NaN where none applies)."""
    return {"check": check, "parameters": parameters, "measured": float(measured), "expected": float(expected),
            "tolerance": float(tolerance), "passed": bool(passed), "criterion": criterion, "lo": float(lo),
            "hi": float(hi)}


def model_table(rows: list[dict[str, Any]], sentence: str, **data: pd.DataFrame) -> pd.DataFrame:
    table = pd.DataFrame(rows, columns=list(MODEL_COLUMNS))
    table.attrs.update(data, sentence=sentence)
    return table


def label(practice: str, environment: str, preset: str) -> str:
    return f"{practice}|{environment}|{preset}"


def grid(practices: tuple[str, ...], environments: tuple[str, ...], presets: tuple[str, ...],
         weeks: int) -> dict[str, ModelParams]:
    """The shipped presets, composed once each, at horizon `weeks`."""
    return {label(p, e, o): composed((f"practice={p}", f"environment={e}", f"organisation={o}", f"weeks={weeks}"))
            for p in practices for e in environments for o in presets}


def sizes(seeds: int, weeks: int) -> str:
    return f"{seeds} seeds, {weeks} weeks"


def check_equal_budget(seeds: int = 10, weeks: int = 260, presets: tuple[str, ...] = ("default", "region"),
                       runner: Runner | None = None) -> pd.DataFrame:
    """M1: each exploring practice's realised mean exploration share (staff-weighted, weeks 1..horizon) lies
    within 10% of its practice.budget, at every organisation preset."""
    configs = grid(EXPLORING, ("stable",), presets, weeks)
    batch = run_batch(configs, seeds, runner, desc="equal budget")
    rows, shares = [], []
    for name, params in configs.items():
        practice, _, preset = name.split("|")
        budget = params.practice.budget
        mean, lo, hi = interval(batch.values(name, "exploration_share"))
        rows.append(mrow("equal_budget", f"{practice}, {preset}, stable, {sizes(seeds, weeks)}", mean, budget,
                         BUDGET_TOLERANCE * budget, abs(mean - budget) <= BUDGET_TOLERANCE * budget + 1e-12,
                         "mean exploration_share over weeks 1..horizon within 10% of practice.budget", lo, hi))
        shares.append({"practice": practice, "preset": preset, "budget": budget, "mean": mean, "lo": lo, "hi": hi})
    table = pd.DataFrame(shares)
    worst = (table["mean"] / table["budget"] - 1).abs().max() if len(table) else float("nan")
    ok = all(r["passed"] for r in rows)
    sentence = (f"{'Every' if ok else 'Not every'} exploring practice spends its budget: realised shares "
                f"{table['mean'].min():.4f}-{table['mean'].max():.4f} against budgets "
                f"{table['budget'].min():g}-{table['budget'].max():g} (largest gap {worst:.1%}).")
    return model_table(rows, sentence, shares=table)


def check_environment_matters(seeds: int = 10, weeks: int = 260, preset: str = "default",
                              runner: Runner | None = None) -> pd.DataFrame:
    """M2: under every practice, the 5-year outcomes are not identical across stable, turbulent and
    pandemic_shock: each other environment differs from stable in some outcome, and at least one
    outcome differs beyond its paired 95% interval."""
    configs = grid(PRACTICES, ENVIRONMENTS, (preset,), weeks)
    batch = run_batch(configs, seeds, runner, desc="environments")
    rows, diffs = [], []
    for practice in PRACTICES:
        base = label(practice, "stable", preset)
        found = []
        for env in ENVIRONMENTS[1:]:
            for m in ENV_OUTCOMES:
                d = paired(batch.values(base, m), batch.values(label(practice, env, preset), m))
                found.append((env, m, d))
                diffs.append({"practice": practice, "environment": env, "metric": m, "diff": d.diff,
                              "lo": d.lo, "hi": d.hi, "d_z": d.d_z, "beyond": d.beyond})
        moved = all(any(d.diff != 0 for e, _, d in found if e == env) for env in ENVIRONMENTS[1:])
        beyond = [f for f in found if f[2].beyond]
        env, m, d = max(found, key=lambda f: abs(f[2].d_z))
        rows.append(mrow("environment_matters", f"{practice}, {preset}, {sizes(seeds, weeks)}", len(beyond), 1, 0,
                         moved and bool(beyond),
                         f"comparisons (environment - stable, 4 outcomes) beyond their paired 95% interval, "
                         f"at least 1; strongest: {m} under {env} {d.text()}", d.lo, d.hi))
    ok = all(r["passed"] for r in rows)
    table = pd.DataFrame(diffs)
    sentence = (f"{'Every' if ok else 'Not every'} practice's outcomes depend on the environment: "
                f"{int(table['beyond'].sum())} of {len(table)} paired differences to the stable environment lie "
                "beyond their 95% intervals.")
    return model_table(rows, sentence, diffs=table, means=outcome_means(batch, configs, ENV_OUTCOMES))


def outcome_means(batch: Batch, configs: dict[str, ModelParams], metrics: tuple[str, ...]) -> pd.DataFrame:
    """Per configuration and metric: the mean over seeds and its 95% interval (figure data)."""
    out = []
    for name in configs:
        practice, env, preset = name.split("|")
        for m in metrics:
            mean, lo, hi = interval(batch.values(name, m))
            out.append({"practice": practice, "environment": env, "preset": preset, "metric": m, "mean": mean,
                        "lo": lo, "hi": hi})
    return pd.DataFrame(out)


def check_mandates(seeds: int = 10, weeks: int = 260, preset: str = "default",
                   runner: Runner | None = None) -> pd.DataFrame:
    """M3: national mandates reach every practice, exploit_only included: mandated_progress in the last week
    is above 0 in every run (every environment and seed)."""
    configs = grid(PRACTICES, ENVIRONMENTS, (preset,), weeks)
    batch = run_batch(configs, seeds, runner, desc="mandates")
    rows = []
    for practice in PRACTICES:
        values = pd.concat([batch.values(label(practice, e, preset), "mandated_progress", final=True)
                            for e in ENVIRONMENTS], ignore_index=True)
        mean, lo, hi = interval(values)
        rows.append(mrow("mandates_reach_everyone", f"{practice}, {preset}, 3 environments, {sizes(seeds, weeks)}",
                         values.min(), 0, 0, bool(values.min() > 0),
                         f"smallest mandated_progress at week {weeks} over runs above 0 (mean {mean:.3f})", lo, hi))
    ok = all(r["passed"] for r in rows)
    least = min(rows, key=lambda r: r["measured"])
    sentence = (f"Mandated services {'reach' if ok else 'do not reach'} every practice: the smallest share of care "
                f"units implementing or routinised at week {weeks} is {least['measured']:.3f} "
                f"({least['parameters'].split(',')[0]}).")
    return model_table(rows, sentence)


def check_size(seeds: int = 10, weeks: int = 260, runner: Runner | None = None,
               presets: tuple[str, str] = ("default", "region")) -> pd.DataFrame:
    """M5: the region preset's 5-year mean maturity_total, adoption_share and remote_share lie within 20%
    of the default preset's, for every practice (the answers do not depend on the size modelled)."""
    small, large = presets
    configs = grid(PRACTICES, ("stable",), presets, weeks)
    batch = run_batch(configs, seeds, runner, desc="size")
    rows, data = [], []
    for practice in PRACTICES:
        for m in SIZE_OUTCOMES:
            ref, _, _ = interval(batch.values(label(practice, "stable", small), m))
            mean, lo, hi = interval(batch.values(label(practice, "stable", large), m))
            tol = SIZE_TOLERANCE * abs(ref)
            inside = "inside" if lo <= ref <= hi else "outside"
            rows.append(mrow("size_invariance", f"{practice}, {m}, {large} vs {small}, {sizes(seeds, weeks)}", mean,
                             ref, tol, abs(mean - ref) <= tol + 1e-12,
                             f"{large}'s mean within 20% of {small}'s ({small}'s mean is {inside} {large}'s 95% "
                             "interval)", lo, hi))
            data.append({"practice": practice, "metric": m, small: ref, large: mean, "lo": lo, "hi": hi})
    table = pd.DataFrame(data)
    rel = (table[large] / table[small].where(table[small] != 0) - 1).abs()
    ok = all(r["passed"] for r in rows)
    sentence = (f"The {large} preset {'gives' if ok else 'does not give'} the {small} preset's answers within 20%: "
                f"largest relative gap {rel.max():.1%} ({sum(not r['passed'] for r in rows)} of {len(rows)} "
                "outside).")
    return model_table(rows, sentence, sizes=table)
