"""Threshold models through the full model: Granovetter (1978) and complex contagion (Centola & Macy
2007; Centola 2010), docs/validation.md V3 and V4.

Both use the model's `threshold` adoption rule (abm/core/mechanisms/adoption.py): a person adopts once the
count of adopting contacts reaches their threshold. A run ends at its fixed point: the rule is
deterministic, so a week without new adopters means nobody will ever adopt again.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np

from abm.core.model import RegionModel
from abm.core.params import ModelParams
from abm.validation.parallel import Runner, chunks, run_seeds, serial
from abm.validation.scenarios import scenario_params, vary


def run_to_fixed_point(params: ModelParams) -> RegionModel:
    """Step until a week passes without a new adopter (or the horizon); return the model."""
    model = RegionModel(params, collect=False)
    for _ in range(params.weeks):
        model.step()
        if model.new_adopters == 0:
            break
    return model


def threshold_cascade(thresholds: Sequence[float], seed: int = 0) -> int:
    """How many of len(thresholds) staff adopt, when person i adopts once `thresholds[i]` others have.

    Granovetter (1978): thresholds 0, 1, ..., 99 give a full cascade; replacing the 1 by a 2 stops it
    after the first adopter. Everyone is in contact with everyone (`threshold` scenario).
    """
    n = len(thresholds)
    params = vary(
        scenario_params("threshold"), weeks=n + 2,
        organisation={"n_staff": n}, adoption={"threshold_each": tuple(float(t) for t in thresholds)},
    )
    model = run_to_fixed_point(dataclasses.replace(params, seed=seed))
    return int(model.staff.uses[:, 0].sum())


def contagion_params(n_staff: int, k: int, rewiring: float, threshold: float) -> ModelParams:
    """The `complex_contagion` scenario with its ring size, degree, rewiring and threshold."""
    return vary(
        scenario_params("complex_contagion"), weeks=n_staff + 2,
        organisation={"n_staff": n_staff}, scenario={"ws_k": k, "ws_rewiring": rewiring},
        adoption={"threshold": float(threshold)},
    )


def contagion_runs(params: ModelParams, seeds: Sequence[int]) -> np.ndarray:
    """Final adopted share of each network (one seed each): one task."""
    return np.array([run_to_fixed_point(dataclasses.replace(params, seed=s)).staff.uses[:, 0].mean()
                     for s in seeds])


def contagion_shares(
    n_staff: int = 1000, k: int = 4, rewiring: float = 0.0, threshold: float = 2, networks: int = 30,
    seed: int = 0, runner: Runner | None = None,
) -> np.ndarray:
    """Final adopted share on each of `networks` Watts-Strogatz networks."""
    runner = runner or serial()
    params = contagion_params(n_staff, k, rewiring, threshold)
    tasks = [(params, c) for c in chunks(run_seeds(seed, networks), 5)]
    return np.concatenate(runner.map(contagion_runs, tasks, desc=f"contagion r={rewiring:g} t={threshold:g}"))


def complex_contagion(
    n_staff: int = 1000, k: int = 4, rewiring: float = 0.0, threshold: int = 2, networks: int = 30,
    seed: int = 0, *, runner: Runner | None = None,
) -> float:
    """Mean final adopted share when one person and their contacts start, on a Watts-Strogatz ring.

    Centola & Macy (2007): with threshold 2 (complex contagion) rewiring the ring's local ties into
    random long ties stops the spread; with threshold 1 (simple contagion) it spreads everywhere.
    """
    return float(contagion_shares(n_staff, k, rewiring, threshold, networks, seed, runner).mean())
