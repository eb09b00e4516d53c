"""The Pareto front of the evaluated designs and the regret of each named practice against it.

A design dominates another when it is at least as good on every objective and better on one (objectives
turned 'larger is better' by their direction). The front is the set of designs no other design dominates,
among every trial and every named practice, on their robust (pooled) objective values.

Regret of a named practice (Zitzler et al. 2003's additive epsilon indicator, per practice): the largest
amount `eps` by which some front design beats the practice on every objective at once, each objective
scaled by its range over all evaluated designs:

    eps(p) = max over front designs f of  min over objectives k of  s_k (f_k - p_k) / range_k

0 when no front design is better on all objectives (the practice is on the front or trades off against it);
0.1 means a front design gains at least 10% of every objective's range over the practice. The design that
attains it is reported, with its gains in each objective's own units.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd


def dominated(values: np.ndarray) -> np.ndarray:
    """Which rows of a (designs, objectives) array ('larger is better') another row dominates."""
    v = np.asarray(values, dtype=float)
    out = np.zeros(len(v), dtype=bool)
    for i in range(len(v)):
        better_eq = np.all(v >= v[i], axis=1)
        strictly = np.any(v > v[i], axis=1)
        out[i] = bool(np.any(better_eq & strictly))
    return out


def on_front(table: pd.DataFrame, objectives: Sequence[str], signs: Sequence[float]) -> np.ndarray:
    values = table[list(objectives)].to_numpy(dtype=float) * np.asarray(signs, dtype=float)
    return ~dominated(values)


def regret(table: pd.DataFrame, objectives: Sequence[str], signs: Sequence[float], front: np.ndarray
           ) -> pd.DataFrame:
    """One row per named practice: its epsilon regret, the front design attaining it and that design's gain
    in each objective (in the objective's own units, positive = better)."""
    objectives, signs = list(objectives), np.asarray(signs, dtype=float)
    values = table[objectives].to_numpy(dtype=float) * signs
    span = values.max(axis=0) - values.min(axis=0)
    span = np.where(span > 0, span, 1.0)
    fronts = np.flatnonzero(front)
    rows = []
    for i in np.flatnonzero(table["kind"].to_numpy() == "named"):
        gains = (values[fronts] - values[i]) / span  # (front designs, objectives)
        worst = gains.min(axis=1)
        best = int(np.argmax(worst))
        eps = max(float(worst[best]), 0.0)
        f = int(fronts[best])
        row = {"practice": table["design"].iat[i], "on_front": bool(front[i]), "regret": eps,
               "closest_front_design": table["design"].iat[f] if eps > 0 else table["design"].iat[i]}
        for k, o in enumerate(objectives):
            row[f"gain_{o}"] = float(values[f, k] - values[i, k]) if eps > 0 else 0.0
            row[f"best_{o}"] = float(table[o].iloc[fronts].max() if signs[k] > 0 else table[o].iloc[fronts].min())
        rows.append(row)
    return pd.DataFrame(rows)
