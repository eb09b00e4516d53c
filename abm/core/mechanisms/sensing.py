"""Phase 2, sensing (Teece 2007): management estimates each available service's value with noise.

Noise falls with sensing investment and with bottom-up signals from staff skilled in the service's maturity
dimension (Cohen & Levinthal 1990: what the organisation knows conditions what it recognises). Management
learns from pilots (Zollo & Winter 2002): a finished pilot's judged benefit is blended into the estimate.
"""

from __future__ import annotations

import numpy as np

from abm.core.params import ManagementParams

VALUE_SCALE = 0.5  # an error of this size in a service's value counts as no accuracy at all (metric only)


def noise_sd(knowhow: np.ndarray, dimension: np.ndarray, mp: ManagementParams) -> np.ndarray:
    """(S,) noise of each service's estimate: lower with investment and with the share of staff whose
    know-how in the service's dimension is high."""
    share_high = (knowhow > mp.high_knowhow).mean(axis=0) if knowhow.size else np.zeros(4)
    return mp.sensing_noise / (1.0 + mp.sensing_investment) * (1.0 - mp.bottom_up_weight * share_high[dimension])


def sense(
    value: np.ndarray, available: np.ndarray, knowhow: np.ndarray, dimension: np.ndarray, judged: np.ndarray,
    mp: ManagementParams, rng: np.random.Generator,
) -> tuple[np.ndarray, float]:
    """Estimates of every service's value (NaN where not available) and the round's accuracy in [0, 1]."""
    draws = rng.normal(0.0, 1.0, size=value.size)
    sensed = value + noise_sd(knowhow, dimension, mp) * draws
    learnt = np.where(np.isnan(judged), sensed, (1.0 - mp.estimate_learning) * sensed + mp.estimate_learning * judged)
    estimate = np.where(available, learnt, np.nan)
    if not available.any():
        return estimate, float("nan")
    mae = float(np.mean(np.abs(estimate[available] - value[available])))
    return estimate, max(0.0, 1.0 - mae / VALUE_SCALE)
