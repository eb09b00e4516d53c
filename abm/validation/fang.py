"""Fang, Lee & Schilling (2010) semi-isolated subgroups through the full model (docs/validation.md V6).

Every run is `abm.core.model.RegionModel` in the `fang2010` scenario (configs/scenario/fang2010.yaml): equal
units of a March-type population whose only learning is from better-performing contacts
(abm/core/mechanisms/contacts.py), on ties of which a share `practice.cross_share` crosses units. Without
turnover or turbulence a run ends at rest (`contacts.at_rest`: no belief can change again) and its outcome
is the mean belief knowledge then; with either, the outcome is the mean over the last `window` weeks of a
fixed horizon.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from abm.core.mechanisms.contacts import at_rest
from abm.core.metrics import Week, belief_knowledge
from abm.core.model import RegionModel
from abm.core.params import ModelParams
from abm.errors import UserError
from abm.validation.march import MarchRuns
from abm.validation.parallel import Runner, chunks, run_seeds, serial
from abm.validation.scenarios import scenario_params, vary

MAX_WEEKS = 3_000  # cap for runs to rest; runs that hit it are counted as unfinished
WINDOW = 50  # weeks averaged at the end of a fixed horizon (turnover or turbulence)


@dataclass(frozen=True)
class FangRuns(MarchRuns):
    """Per-run knowledge (at rest, or the mean of the last weeks of the horizon), the runs that never came to
    rest, and the weeks each ran (mean and standard error as for March's runs)."""

    weeks: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))


def full_mixing(params: ModelParams | None = None) -> float:
    """The cross share of ties random across the organisation, 1 - 1/U for the scenario's U equal units."""
    params = params or scenario_params("fang2010")
    return round(1.0 - 1.0 / params.organisation.n_units, 6)


def fang_params(cross_share: float, p3: float = 0.0, p4: float = 0.0, weeks: int | None = None,
                base: ModelParams | None = None) -> ModelParams:
    """The `fang2010` scenario at one cross share; to rest (weeks None) only when p3 = p4 = 0."""
    if weeks is None and (p3 > 0 or p4 > 0):
        raise UserError("with turnover (p3) or turbulence (p4) there is no rest: give weeks")
    return vary(
        base or scenario_params("fang2010"),
        weeks=MAX_WEEKS if weeks is None else weeks,
        practice={"cross_share": cross_share},
        learning={"p_turnover": p3},
        environment={"p_turbulence": p4},
    )


def to_rest(params: ModelParams) -> bool:
    return params.learning.p_turnover == 0 and params.environment.p_turbulence == 0


def knowledge_runs(params: ModelParams, seeds: Sequence[int], window: int = WINDOW) -> tuple[np.ndarray, np.ndarray]:
    """(knowledge, weeks) of each run: one task. A run to rest that hits the cap reports weeks = -1."""
    out, weeks = np.empty(len(seeds)), np.empty(len(seeds), dtype=np.int64)
    rest = to_rest(params)
    for i, seed in enumerate(seeds):
        model = RegionModel(dataclasses.replace(params, seed=seed), collect=False)
        tail = []
        weeks[i] = -1 if rest else params.weeks
        for week in range(1, params.weeks + 1):
            model.step()
            if rest and at_rest(model.staff.beliefs, model.network, model.reality):
                weeks[i] = week
                break
            if not rest and week > params.weeks - window:
                tail.append(belief_knowledge(Week(model)))
        out[i] = belief_knowledge(Week(model)) if rest else float(np.mean(tail))
    return out, weeks


def fang_runs(params: ModelParams, runs: int, seed: int = 0, runner: Runner | None = None, desc: str = "fang",
              window: int = WINDOW) -> FangRuns:
    """Knowledge of `runs` runs of `params`, seeds from (seed, run index): run i has the same seed at every
    cross share (common random numbers: the same starting beliefs and reality)."""
    runner = runner or serial()
    parts = runner.map(knowledge_runs, [(params, c, window) for c in chunks(run_seeds(seed, runs))], desc=desc)
    weeks = np.concatenate([w for _, w in parts])
    return FangRuns(knowledge=np.concatenate([k for k, _ in parts]), unfinished=int((weeks < 0).sum()), weeks=weeks)


def fang2010_knowledge(cross_share: float, p3: float = 0.0, p4: float = 0.0, weeks: int | None = None,
                       runs: int = 500, seed: int = 0, *, runner: Runner | None = None) -> float:
    """Mean belief knowledge (beliefs x reality / m over staff) at rest, or over the last 50 weeks of `weeks`.

    Fang, Lee & Schilling (2010), Organization Science 21(3): the share of ties crossing the semi-isolated
    subgroups is `cross_share` (0 isolates them, `full_mixing()` mixes them fully); p3 turnover, p4 turbulence.
    """
    return fang_runs(fang_params(cross_share, p3, p4, weeks), runs, seed, runner).mean
