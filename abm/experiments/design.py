"""Sensitivity designs with SALib: a Morris or Sobol sample becomes an ordinary sweep of the store.

An experiment's `sensitivity:` block names the method, its size and the parameters with their ranges. The
design (regenerated deterministically from its seed) gives one configuration per point; every point runs
the experiment's seeds (common random numbers). Morris (1991) trajectories; Sobol sequences with
Saltelli's (2010) scheme. The indices are computed by abm.analysis.sensitivity.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from abm.errors import UserError

METHODS = ("morris", "sobol")
KEYS = ("method", "params", "trajectories", "levels", "samples", "seed")


def check_sensitivity(data: Any, path: Path) -> dict[str, Any]:
    """Validate a `sensitivity:` block; one line naming the key on any mistake."""
    if not isinstance(data, dict):
        raise UserError(f"{path}: sensitivity must be a mapping with keys {', '.join(KEYS)}")
    bad = [k for k in data if k not in KEYS]
    if bad:
        raise UserError(f"{path}: sensitivity key {bad[0]!r} is not allowed: one of {', '.join(KEYS)}")
    if data.get("method") not in METHODS:
        raise UserError(
            f"{path}: sensitivity.method={data.get('method')!r} is not allowed: one of {', '.join(METHODS)}"
        )
    params = data.get("params")
    if not isinstance(params, dict) or len(params) < 2:
        raise UserError(f"{path}: sensitivity.params must map at least two keys to [low, high]")
    for key, rng in params.items():
        ok = isinstance(rng, list) and len(rng) == 2 and all(isinstance(v, int | float) for v in rng)
        if not ok or rng[0] >= rng[1]:
            raise UserError(f"{path}: sensitivity.params.{key}={rng!r} is not allowed: [low, high] with low < high")
    for key, lo in (("trajectories", 2), ("levels", 2), ("samples", 2), ("seed", 0)):
        value = data.get(key)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < lo):
            raise UserError(f"{path}: sensitivity.{key}={value!r} is not allowed: an integer >= {lo}")
    return dict(data)


def problem(sens: dict[str, Any]) -> dict[str, Any]:
    params = sens["params"]
    return {"num_vars": len(params), "names": list(params), "bounds": [list(map(float, v)) for v in params.values()]}


def design(sens: dict[str, Any]) -> np.ndarray:
    """The SALib sample (rows = points), rounded as the overrides will carry them."""
    prob = problem(sens)
    seed = int(sens.get("seed", 1))
    if sens["method"] == "morris":
        from SALib.sample import morris as sample

        x = sample.sample(prob, int(sens.get("trajectories", 10)), num_levels=int(sens.get("levels", 4)), seed=seed)
    else:
        from SALib.sample import sobol as sample

        x = sample.sample(prob, int(sens.get("samples", 64)), calc_second_order=False, seed=seed)
    ints = [all(isinstance(v, int) for v in r) for r in sens["params"].values()]
    for j, is_int in enumerate(ints):
        x[:, j] = np.round(x[:, j]) if is_int else [float(f"{v:.6g}") for v in x[:, j]]
    return x


def value_text(v: float, is_int: bool) -> str:
    return str(int(v)) if is_int else f"{v:.6g}"


def design_points(sens: dict[str, Any]) -> list[tuple[list[str], dict[str, str]]]:
    """(overrides, values) per design row, in design order (duplicates kept; the planner merges them)."""
    ints = [all(isinstance(v, int) for v in r) for r in sens["params"].values()]
    points = []
    for row in design(sens):
        values = {k: value_text(v, i) for k, v, i in zip(sens["params"], row, ints, strict=True)}
        points.append(([f"{k}={v}" for k, v in values.items()], values))
    return points
