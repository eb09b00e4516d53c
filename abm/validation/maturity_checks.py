"""Check of docs/validation.md V5: maturity invariants on every step of full-model runs (HIMSS EMRAM and
Digital Health Indicator conventions): scores in range, and stages cumulative."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from abm.core.mechanisms import maturity
from abm.core.model import RegionModel
from abm.core.params import PRACTICES
from abm.core.state import ServiceState
from abm.validation.table import row, tidy


def violations(model: RegionModel) -> tuple[int, int]:
    """(score violations, stage violations) in the model's current state."""
    u = model.units
    total = u.maturity.sum(axis=1)
    bad_score = int(((u.maturity < 0) | (u.maturity > 100)).any(axis=1).sum() + ((total < 0) | (total > 400)).sum())
    routinised = (u.service_state == ServiceState.ROUTINISED).sum(axis=1)
    met = maturity.criteria(u.maturity, routinised, model.params.maturity)
    below = np.arange(met.shape[1])[None, :] < u.stage[:, None]
    bad_stage = int((below & ~met).any(axis=1).sum())
    return bad_score, bad_stage


def check_maturity_invariants(weeks: int = 260, seeds: tuple[int, ...] = (0, 1)) -> pd.DataFrame:
    """Every step of a full-model run of every practice (small region): each dimension in [0, 100], the
    total in [0, 400], and no unit at stage s while failing a criterion of a stage below s."""
    from abm.validation.scenarios import scenario_params

    base = dataclasses.replace(scenario_params("full"), weeks=weeks)
    base = dataclasses.replace(base, organisation=dataclasses.replace(
        base.organisation, name="small", n_units=5, n_staff=120, n_innovation_units=1))
    score = stage = steps = 0
    for practice in PRACTICES:
        for seed in seeds:
            budget = 0.0 if practice == "exploit_only" else base.practice.budget
            practice_params = dataclasses.replace(base.practice, name=practice, budget=budget)
            params = dataclasses.replace(base, seed=seed, practice=practice_params)
            model = RegionModel(params, collect=False)
            for _ in range(weeks):
                model.step()
                model.update_maturity()
                a, b = violations(model)
                score, stage, steps = score + a, stage + b, steps + 1
    params = f"small region, every practice, seeds {seeds}, {weeks} weeks ({steps} steps)"
    return tidy([
        row("maturity_scores_in_range", params, score, 0, 0, score == 0, "no unit-step outside [0, 100] / [0, 400]"),
        row("maturity_stages_cumulative", params, stage, 0, 0, stage == 0,
            "no unit-step at stage s failing a lower stage's criterion"),
    ])
