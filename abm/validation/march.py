"""March (1991) mutual learning through the full model (docs/validation.md V1).

Every run is `abm.core.model.RegionModel` in the `march1991` scenario (configs/scenario/march1991.yaml):
one unit, no services, management or know-how; the rules are the model's own (abm/core/mechanisms/march.py,
Christensen 2015's completion of March's description).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from abm.core.metrics import code_knowledge
from abm.core.model import RegionModel
from abm.core.params import ModelParams
from abm.errors import UserError
from abm.validation.parallel import Runner, chunks, run_seeds, serial
from abm.validation.scenarios import scenario_params, vary

MAX_PERIODS = 5_000  # cap for runs to equilibrium; runs that hit it are counted as unfinished


@dataclass(frozen=True)
class MarchRuns:
    """Per-run knowledge (at equilibrium or after `periods`), with runs that never reached equilibrium."""

    knowledge: np.ndarray
    unfinished: int

    @property
    def mean(self) -> float:
        return float(self.knowledge.mean())

    @property
    def se(self) -> float:
        return (
            float(self.knowledge.std(ddof=1) / np.sqrt(self.knowledge.size))
            if self.knowledge.size > 1
            else float("nan")
        )


def march_params(
    p1: float,
    p2: float,
    p3: float = 0.0,
    p4: float = 0.0,
    n_staff: int = 50,
    n_dims: int = 30,
    periods: int | None = None,
    p1_mix: Sequence[float] | None = None,
) -> ModelParams:
    """The `march1991` scenario with March's rates and sizes; equilibrium stops only when p3 = p4 = 0."""
    if p1_mix is not None and len(p1_mix) != n_staff:
        raise UserError(f"p1_mix has {len(p1_mix)} rates: give exactly n_staff ({n_staff})")
    to_equilibrium = periods is None
    if to_equilibrium and (p3 > 0 or p4 > 0):
        raise UserError("with turnover (p3) or turbulence (p4) there is no equilibrium: give periods")
    base = scenario_params("march1991")
    return vary(
        base,
        weeks=MAX_PERIODS if to_equilibrium else periods,
        organisation={"n_staff": n_staff, "n_dims": n_dims},
        learning={
            "p_socialise": p1,
            "p_code_learning": p2,
            "p_turnover": p3,
            "p_socialise_each": tuple(float(x) for x in p1_mix) if p1_mix is not None else (),
        },
        environment={"p_turbulence": p4},
        scenario={"stop_at_equilibrium": to_equilibrium},
    )


def knowledge_runs(params: ModelParams, seeds: Sequence[int]) -> tuple[np.ndarray, int]:
    """(code knowledge of each run at its end, runs that hit the cap before equilibrium): one task."""
    out = np.empty(len(seeds))
    unfinished = 0
    for i, seed in enumerate(seeds):
        model = RegionModel(_with_seed(params, seed), collect=False)
        model.run()
        out[i] = code_knowledge(model)
        unfinished += int(params.scenario.stop_at_equilibrium and model.running)
    return out, unfinished


def trajectory_runs(params: ModelParams, seeds: Sequence[int]) -> np.ndarray:
    """(runs, periods + 1) code knowledge after each period: one task."""
    out = np.empty((len(seeds), params.weeks + 1))
    for i, seed in enumerate(seeds):
        model = RegionModel(_with_seed(params, seed), collect=False)
        out[i, 0] = code_knowledge(model)
        for t in range(1, params.weeks + 1):
            model.step()
            out[i, t] = code_knowledge(model)
    return out


def _with_seed(params: ModelParams, seed: int) -> ModelParams:
    import dataclasses

    return dataclasses.replace(params, seed=seed)


def march_runs(
    params: ModelParams, runs: int, seed: int = 0, runner: Runner | None = None, desc: str = "march"
) -> MarchRuns:
    """Knowledge of `runs` runs of `params`, seeds from (seed, run index)."""
    runner = runner or serial()
    parts = runner.map(knowledge_runs, [(params, c) for c in chunks(run_seeds(seed, runs))], desc=desc)
    return MarchRuns(np.concatenate([k for k, _ in parts]), sum(u for _, u in parts))


def march_trajectory(
    params: ModelParams, runs: int, seed: int = 0, runner: Runner | None = None, desc: str = "march"
) -> np.ndarray:
    """Mean code knowledge after each period 0..params.weeks over `runs` runs."""
    runner = runner or serial()
    parts = runner.map(trajectory_runs, [(params, c) for c in chunks(run_seeds(seed, runs))], desc=desc)
    return np.concatenate(parts).mean(axis=0)


def march1991_knowledge(
    p1: float,
    p2: float,
    p3: float = 0.0,
    p4: float = 0.0,
    n_staff: int = 50,
    n_dims: int = 30,
    runs: int = 2000,
    seed: int = 0,
    periods: int | None = None,
    p1_mix: Sequence[float] | None = None,
    *,
    runner: Runner | None = None,
) -> float:
    """Mean code knowledge (code x reality / m) at equilibrium, or after `periods` periods when given.

    March (1991), Organization Science 2(1): p1 socialisation, p2 code learning, p3 turnover,
    p4 turbulence; `p1_mix` (one rate per person) overrides p1 for heterogeneous populations (Fig. 2).
    With p3 or p4 > 0 there is no equilibrium, so `periods` is required.
    """
    params = march_params(p1, p2, p3, p4, n_staff, n_dims, periods, p1_mix)
    return march_runs(params, runs, seed, runner).mean
