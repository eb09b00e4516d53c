"""Helpers shared by the core-model tests."""

from __future__ import annotations

from abm.core.model import RegionModel
from abm.core.params import ModelParams, OrganisationParams, PracticeParams
from tests.helpers.invariants import assert_invariants

SMALL = OrganisationParams(name="small", n_units=5, n_staff=120, n_innovation_units=1)


def small_params(practice: str = "contextual", weeks: int = 52, seed: int = 0, **practice_kw: object) -> ModelParams:
    """The small region (5 units, 120 staff) under `practice`; exploit_only gets its budget 0 unless told."""
    if practice == "exploit_only":
        practice_kw.setdefault("budget", 0.0)
    return ModelParams(
        seed=seed, weeks=weeks, organisation=SMALL, practice=PracticeParams(name=practice, **practice_kw)
    )


def run_checked(params: ModelParams) -> RegionModel:
    """Run to the horizon, checking every invariant after every step."""
    model = RegionModel(params)
    assert_invariants(model)
    for _ in range(params.weeks):
        model.step()
        assert_invariants(model)
    return model
