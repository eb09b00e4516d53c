"""The idiomatic-Mesa reference (benchmarks/mesa_reference.py) behaves like the model, so the speed
ratio compares like with like: on a small organisation, means over seeds of the main outcomes (at the
end and averaged over the run: know-how, code and belief knowledge, adoption, care delivered, the waiting
list) agree within their confidence intervals; a reference with one mechanism changed is told apart by the
same check (so the check has power)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from abm.api import compose
from abm.core.model import RegionModel
from abm.core.params import ModelParams
from benchmarks.mesa_reference import MesaReference

OUTCOMES = ("mean_knowhow", "code_knowledge", "belief_knowledge", "adoption_share", "care_production",
            "waiting_list")
SEEDS = range(8)
WEEKS = 104
Z = 3.0  # two-sided, about 99.7 %: twelve comparisons must not fail by chance


def params(seed: int) -> ModelParams:
    return compose(["organisation=small", f"weeks={WEEKS}", f"seed={seed}", "scenario.management=false"])


def model_outcomes(p: ModelParams) -> np.ndarray:
    model = RegionModel(p)
    model.run()
    region = model.collector.region_frame()
    return np.array([[region[k].iloc[-1], region[k].iloc[1:].mean()] for k in OUTCOMES])


def reference_outcomes(p: ModelParams) -> np.ndarray:
    ref = MesaReference(p)
    for _ in range(p.weeks):
        ref.step()
    table = ref.datacollector.get_model_vars_dataframe()
    return np.array([[table[k].iloc[-1], table[k].iloc[1:].mean()] for k in OUTCOMES])


def disagreements(a: np.ndarray, b: np.ndarray) -> list[str]:
    """Outcomes whose means over seeds differ by more than Z standard errors of the difference."""
    diff = a.mean(axis=0) - b.mean(axis=0)
    se = np.sqrt(a.var(axis=0, ddof=1) / len(a) + b.var(axis=0, ddof=1) / len(b))
    bad = np.abs(diff) > Z * np.maximum(se, 1e-6)
    return [f"{OUTCOMES[i]} ({'final' if j == 0 else 'run mean'}): {a.mean(axis=0)[i, j]:.4f} vs "
            f"{b.mean(axis=0)[i, j]:.4f} (se {se[i, j]:.4f})" for i, j in zip(*np.nonzero(bad), strict=True)]


@pytest.fixture(scope="module")
def model_runs() -> np.ndarray:
    return np.array([model_outcomes(params(s)) for s in SEEDS])


@pytest.mark.slow
def test_mesa_reference_matches_the_model_in_distribution(model_runs: np.ndarray) -> None:
    reference = np.array([reference_outcomes(params(s)) for s in SEEDS])
    assert not disagreements(model_runs, reference), disagreements(model_runs, reference)


def changed(seed: int, group: str, **values: float) -> ModelParams:
    p = params(seed)
    return replace(p, **{group: replace(getattr(p, group), **values)})


@pytest.mark.slow
@pytest.mark.parametrize(("group", "values", "outcome"), [
    ("learning", {"p_socialise": 0.02}, "belief_knowledge"),  # socialisation five times slower
    ("learning", {"rate_peer": 0.05}, "mean_knowhow"),  # know-how from colleagues five times faster
])
def test_the_check_tells_a_changed_mechanism_apart(model_runs: np.ndarray, group: str, values: dict,
                                                    outcome: str) -> None:
    """With one mechanism changed the reference must fail the same check, on the outcome it moves."""
    reference = np.array([reference_outcomes(changed(s, group, **values)) for s in SEEDS])
    found = " ".join(disagreements(model_runs, reference))
    assert f"{outcome} (final)" in found and f"{outcome} (run mean)" in found, found
