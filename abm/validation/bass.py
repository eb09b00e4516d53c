"""Bass (1969) diffusion through the full model (docs/validation.md V2), in continuous time and weekly ticks.

The `bass` scenario switches off everything but adoption; the model's hazard p + q F (with the UTAUT
term at rate 0) becomes a per-step probability 1 - exp(-h dt) (continuous time, small dt) or p + q F
(weekly ticks, `adoption.step_probability=linear`). With dt < 1 each model step stands for dt weeks.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from abm.core.model import RegionModel
from abm.core.params import ModelParams
from abm.validation.parallel import Runner, chunks, run_seeds, serial
from abm.validation.scenarios import scenario_params, vary

HORIZON = 30.0  # weeks compared with the analytic curve (docs/validation.md)


def bass_analytic(t: np.ndarray, p: float, q: float) -> np.ndarray:
    """Bass's closed form F(t) = (1 - e^{-(p+q)t}) / (1 + (q/p) e^{-(p+q)t})."""
    e = np.exp(-(p + q) * np.asarray(t, dtype=np.float64))
    return (1.0 - e) / (1.0 + (q / p) * e)


def bass_recursion(weeks: int, p: float, q: float) -> np.ndarray:
    """Discrete-time Bass: F[t+1] = F[t] + (p + q F[t])(1 - F[t]), F[0] = 0, for t = 0..weeks."""
    f = np.zeros(weeks + 1)
    for t in range(weeks):
        f[t + 1] = f[t] + (p + q * f[t]) * (1.0 - f[t])
    return f


def peak_time(p: float, q: float) -> float:
    """Time of the most new adoptions, t* = ln(q/p) / (p + q)."""
    return math.log(q / p) / (p + q)


def bass_params(p: float, q: float, n_staff: int, dt: float | None, horizon: float = HORIZON) -> ModelParams:
    """The `bass` scenario: weekly ticks (probability p + q F) when dt is None, else steps of dt weeks."""
    steps = int(round(horizon / (dt or 1.0)))
    adoption = {"p_external": p, "q_social": q, "dt": dt or 1.0,
                "step_probability": "linear" if dt is None else "exponential"}
    return vary(scenario_params("bass"), weeks=steps, organisation={"n_staff": n_staff}, adoption=adoption)


def bass_runs(params: ModelParams, seeds: Sequence[int]) -> np.ndarray:
    """(runs, steps + 1) adopted share after each step: one task."""
    out = np.zeros((len(seeds), params.weeks + 1))
    for i, seed in enumerate(seeds):
        model = RegionModel(dataclasses.replace(params, seed=seed), collect=False)
        for t in range(1, params.weeks + 1):
            model.step()
            out[i, t] = model.staff.uses[:, 0].mean()
    return out


def bass_curve(
    p: float, q: float, n_staff: int = 10_000, runs: int = 20, seed: int = 0, dt: float | None = None,
    *, runner: Runner | None = None, horizon: float = HORIZON,
) -> pd.Series:
    """Mean adopted share F over time (index: time in weeks); dt=None means weekly ticks."""
    runner = runner or serial()
    params = bass_params(p, q, n_staff, dt, horizon)
    tasks = [(params, c) for c in chunks(run_seeds(seed, runs), 2)]
    share = np.concatenate(runner.map(bass_runs, tasks, desc=f"bass dt={dt or 1:g}")).mean(axis=0)
    time = np.arange(params.weeks + 1) * (dt or 1.0)
    return pd.Series(share, index=pd.Index(time, name="time"), name="adopted_share")
