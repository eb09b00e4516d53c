"""Probes that step a model and read its state (abm.core.model.RegionModel's attributes), for the mechanism
checks whose quantity is not a region metric. Each is a module-level function of the parameters (it runs
in a worker process of abm.validation.parallel) and returns a small table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from abm.core.mechanisms import fit, transforming
from abm.core.params import ModelParams

JUDGEMENT_WEEKS = (4, 8, 13, 26, 39, 52)  # early weeks, while the units' codes still differ


def adaptive_trace(params: ModelParams) -> pd.DataFrame:
    """Per week: adaptive's staff-weighted intensity relative to the budget (before the budget account
    rescales the region's total), the mean relative shortfall from aspiration, and the realised share."""
    from abm.core.model import RegionModel

    model = RegionModel(params, collect=False)
    rows = []
    for _ in range(params.weeks):
        model.step()
        u = model.units
        weights = u.size / max(u.size.sum(), 1)
        shortfall = (u.aspiration - u.productivity) / np.maximum(u.aspiration, 1e-9)
        rows.append({"week": model.week, "relative": float(model.relative @ weights),
                     "shortfall": float(shortfall @ weights), "exploration_share": float(u.explore_share @ weights)})
    return pd.DataFrame(rows)


def judgement_errors(params: ModelParams, weeks: tuple[int, ...] = JUDGEMENT_WEEKS) -> pd.DataFrame:
    """At each of `weeks`: units split at the median of their code knowledge (code x reality / m), and the
    mean over units and services of |benefit judged by the unit's code - benefit under reality| in each half
    (the judgement noise is added on top, independently of the code, so it is left out)."""
    from abm.core.model import RegionModel

    model = RegionModel(params, collect=False)
    fw = params.services.fit_weight
    rows = []
    for _ in range(max(weeks)):
        model.step()
        if model.week not in weeks:
            continue
        true = fit.benefit(model.advantage, model.cost, fit.fit(model.required, model.reality), fw)
        judged = fit.benefit(model.advantage, model.cost, fit.fit(model.required, model.units.code), fw)
        error = np.abs(judged - true[None, :]).mean(axis=1)
        knowledge = model.units.code.astype(float) @ model.reality / model.reality.size
        median = np.median(knowledge)
        better, worse = knowledge > median, knowledge < median
        if better.any() and worse.any():
            rows.append({"week": model.week, "better": float(error[better].mean()), "worse": float(error[worse].mean()),
                         "knowledge_better": float(knowledge[better].mean()),
                         "knowledge_worse": float(knowledge[worse].mean())})
    return pd.DataFrame(rows, columns=["week", "better", "worse", "knowledge_better", "knowledge_worse"])


def scaling_trace(params: ModelParams) -> pd.DataFrame:
    """Per scaling round: management's scaling capacity (staff) and the unit-services scaled before it."""
    from abm.core.model import RegionModel

    model = RegionModel(params, collect=False)
    mp = params.management
    rows = []
    for _ in range(params.weeks):
        model.step()
        if model.week % mp.scaling_interval == 0:
            capacity = transforming.scaling_capacity(mp.scaling_capacity, model.staff.n, mp.scaling_learning,
                                                     model.record.scaled_units)
            rows.append({"week": model.week, "capacity": float(capacity), "scaled": int(model.record.scaled_units)})
    return pd.DataFrame(rows, columns=["week", "capacity", "scaled"])


def service_lags(params: ModelParams) -> pd.DataFrame:
    """At the horizon, per service: its arrival week, the first week half the care units had it live (NaN:
    never), whether it is mandated, and the unit-services management scaled to in the run."""
    from abm.core.model import RegionModel

    model = RegionModel(params, collect=False)
    model.run()
    return pd.DataFrame({"service": model.catalogue_names,
                         "arrival": model.events.available, "half": model.record.half_units,
                         "mandated": model.mandated, "scaled_units": int(model.record.scaled_units)})
