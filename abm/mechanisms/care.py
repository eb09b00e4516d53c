"""Phase 5 output: care production and workload. Exploring costs care now (March 1991): time spent
exploring or training is not spent on patients; good codes and used services raise output later."""

from __future__ import annotations

import numpy as np

DIGITAL_GAIN = 0.8  # how much a fully advantageous service raises a fully skilled user's output
TRAINING_TIME = 0.2  # share of a week a trained person spends in training


def staff_care(
    explore: np.ndarray, trained: np.ndarray, performance: np.ndarray, m: int,
    uses: np.ndarray, advantage: np.ndarray, knowhow: np.ndarray, training_time: float = TRAINING_TIME,
) -> np.ndarray:
    """Care units produced this week by each person."""
    return care_and_capacity(explore, trained, performance, m, uses, advantage, knowhow, training_time)[0]


def care_and_capacity(
    explore: np.ndarray, trained: np.ndarray, performance: np.ndarray, m: int,
    uses: np.ndarray, advantage: np.ndarray, knowhow: np.ndarray, training_time: float = TRAINING_TIME,
) -> tuple[np.ndarray, np.ndarray]:
    """(care this week, care at full time): capacity is what a person would produce if nobody explored
    or trained; both share the quality and digital factors, computed once."""
    time = np.clip(1.0 - explore - trained * training_time, 0.0, 1.0)
    quality = 0.5 + 0.5 * performance / max(m, 1)  # in [0, 1]
    digital = 1.0 + DIGITAL_GAIN * (uses @ advantage) / max(advantage.size, 1) * knowhow
    base = 0.6 + 0.4 * quality
    full_time = base * digital  # = staff_care(0, False, ...) exactly: time is 1.0 there
    return time * base * digital, full_time


def workload(demand: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """Demand relative to what the unit can deliver when nobody explores."""
    return demand / np.maximum(capacity, 1e-9)
