"""Phase 1, environment: turbulence of what good care needs (March 1991 p4), arrivals, demand shocks."""

from __future__ import annotations

import numpy as np

from abm.core.params import EnvironmentParams


def initial_reality(m: int, rng: np.random.Generator) -> np.ndarray:
    """Reality: m dimensions of +1/-1 with equal probability (March 1991)."""
    return np.where(rng.random(m) < 0.5, 1, -1).astype(np.int8)


def turbulence(reality: np.ndarray, p_turbulence: float, rng: np.random.Generator) -> np.ndarray:
    """Each dimension flips with probability p4 (one draw per dimension every week: common random numbers)."""
    flips = rng.random(reality.size) < p_turbulence
    return np.where(flips, -reality, reality).astype(np.int8)


def in_shock(week: int, env: EnvironmentParams) -> bool:
    return env.shock_weeks > 0 and env.shock_week <= week < env.shock_week + env.shock_weeks


def demand_multiplier(week: int, env: EnvironmentParams) -> tuple[float, float]:
    """(routine demand growth factor, extra shock multiplier) at `week`."""
    growth = (1.0 + env.demand_growth) ** (week / 52.0)
    shock = env.shock_multiplier if in_shock(week, env) else 1.0
    return growth, shock


def unit_demand(
    base: np.ndarray, week: int, env: EnvironmentParams, remote_adoption: np.ndarray
) -> np.ndarray:
    """Weekly demand per unit; remote-care services absorb part of a shock's extra demand."""
    growth, shock = demand_multiplier(week, env)
    extra = (shock - 1.0) * (1.0 - env.shock_remote_share * remote_adoption)
    return base * growth * (1.0 + extra)
