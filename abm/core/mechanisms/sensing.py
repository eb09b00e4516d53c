"""Phase 2, sensing (Teece 2007): management estimates each available service's value with noise.

Noise falls with sensing investment and with bottom-up signals from high-know-how staff
(Cohen & Levinthal 1990, absorptive capacity).
"""

from __future__ import annotations

import numpy as np

from abm.core.params import ManagementParams

HIGH_KNOWHOW = 0.6
VALUE_SCALE = 0.5  # an error of this size in a service's value counts as no accuracy at all


def true_value(advantage: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """A service's value to the region: its relative advantage net of its cost."""
    return advantage - cost * advantage


def noise_sd(knowhow: np.ndarray, mp: ManagementParams) -> float:
    share_high = float(np.mean(knowhow > HIGH_KNOWHOW)) if knowhow.size else 0.0
    return mp.sensing_noise / (1.0 + mp.sensing_investment) * (1.0 - mp.bottom_up_weight * share_high)


def sense(
    value: np.ndarray, available: np.ndarray, knowhow: np.ndarray, mp: ManagementParams,
    rng: np.random.Generator,
) -> tuple[np.ndarray, float]:
    """Noisy estimates of every service's value (NaN where not available) and the round's accuracy in [0, 1]."""
    draws = rng.normal(0.0, 1.0, size=value.size)
    estimate = np.where(available, value + noise_sd(knowhow, mp) * draws, np.nan)
    if not available.any():
        return estimate, float("nan")
    mae = float(np.mean(np.abs(estimate[available] - value[available])))
    return estimate, max(0.0, 1.0 - mae / VALUE_SCALE)
