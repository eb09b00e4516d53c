"""Phase 1, environment: turbulence of what good care needs (March 1991 p4), demand growth and shocks, and a
shock's lasting boost to remote care (habit)."""

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


def unit_demand(base: np.ndarray, week: int, env: EnvironmentParams) -> np.ndarray:
    """New weekly demand per unit: the base, its yearly growth and a shock's multiplier."""
    growth, shock = demand_multiplier(week, env)
    return base * growth * shock


def remote_boost(week: int, env: EnvironmentParams) -> float:
    """The shock's boost to remote services' performance expectancy and priority: full during the shock; after
    it, `habit_persistence` of it stays and the rest fades over `habit_decay_weeks` (Ekman et al. 2021: the
    2020 rise in remote contacts lasted)."""
    if env.shock_weeks <= 0 or env.shock_remote_boost <= 0 or week < env.shock_week:
        return 0.0
    end = env.shock_week + env.shock_weeks
    if week < end:
        return env.shock_remote_boost
    fade = np.exp(-(week - end) / env.habit_decay_weeks)
    return float(env.shock_remote_boost * (env.habit_persistence + (1.0 - env.habit_persistence) * fade))
