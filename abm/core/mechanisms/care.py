"""Phase 5 output: care production and workload. Exploring costs care now (March 1991): time spent
exploring or training is not spent on patients; good codes and used services raise output later."""

from __future__ import annotations

import numpy as np
from numba import njit

DIGITAL_GAIN = 0.8  # how much a fully advantageous service raises a fully skilled user's output
TRAINING_TIME = 0.2  # share of a week a trained person spends in training


def care_and_capacity(
    explore: np.ndarray, trained: np.ndarray, performance: np.ndarray, m: int,
    uses: np.ndarray, advantage: np.ndarray, knowhow: np.ndarray, training_time: float = TRAINING_TIME,
) -> tuple[np.ndarray, np.ndarray]:
    """(care this week, care at full time): capacity is what a person would produce if nobody explored
    or trained; both share the quality and digital factors, computed once.

    time = clip(1 - explore - training time, 0, 1); quality = 1/2 + performance / 2m;
    base = 0.6 + 0.4 quality; digital = 1 + DIGITAL_GAIN x mean advantage of the services used x know-how;
    care = time x base x digital, capacity = base x digital.
    """
    return _care(explore, trained, performance, float(max(m, 1)), uses, advantage, knowhow, training_time,
                 DIGITAL_GAIN / max(advantage.size, 1))


@njit(cache=True)
def _care(explore, trained, performance, m, uses, advantage, knowhow, training_time, gain_per_service):
    n = explore.size
    care, capacity = np.empty(n), np.empty(n)
    for i in range(n):
        time = 1.0 - explore[i] - (training_time if trained[i] else 0.0)
        time = min(max(time, 0.0), 1.0)
        quality = 0.5 + 0.5 * performance[i] / m
        used_advantage = 0.0
        for s in range(advantage.size):
            if uses[i, s]:
                used_advantage += advantage[s]
        base = 0.6 + 0.4 * quality
        full_time = base * (1.0 + gain_per_service * used_advantage * knowhow[i])
        capacity[i] = full_time
        care[i] = time * full_time
    return care, capacity


def workload(demand: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """Demand relative to what the unit can deliver when nobody explores."""
    return demand / np.maximum(capacity, 1e-9)
