"""Phase 9, workforce turnover (March 1991 p3): leavers are replaced by newcomers with random
beliefs and baseline know-how. Who leaves draws only from the `turnover` stream; newcomers' traits
from the `recruitment` stream."""

from __future__ import annotations

import numpy as np


def leavers(n: int, p_turnover: float, rng: np.random.Generator) -> np.ndarray:
    """Mask of staff who leave this week (one draw per person every week: common random numbers)."""
    return rng.random(n) < p_turnover


def random_beliefs(n: int, m: int, rng: np.random.Generator) -> np.ndarray:
    """Beliefs uniform in {-1, 0, 1} (March 1991)."""
    return rng.integers(-1, 2, size=(n, m)).astype(np.int8)


def baseline_knowhow(n: int, mean: float, sd: float, rng: np.random.Generator, n_dims: int = 4) -> np.ndarray:
    """(n, D) starting know-how per maturity dimension: normal(mean, sd), clipped to [0, 1]."""
    return np.clip(rng.normal(mean, sd, size=(n, n_dims)), 0.0, 1.0)
