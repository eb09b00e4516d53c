"""The scenarios: a Latin hypercube sample of the uncertain factors (McKay, Beckman & Conover 1979; scipy's
`qmc.LatinHypercube`, seeded), and each scenario's run seeds.

A float factor is spread uniformly over [low, high]; an integer factor over the whole numbers low..high, each
with the same share of the strata (floor of low + u x (high - low + 1)). Scenario i's seeds come from
numpy's SeedSequence of (seed, i): the same file gives the same scenarios and seeds, both designs of a
scenario run the same seeds (common random numbers; Law 2015, ch. 11), and a larger sample keeps the seeds of
the scenarios it shares with a smaller one only if the hypercube does (it does not: a new size is a new design).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from abm.discovery.spec import Factor

SCENARIO = "scenario"
SEED_BITS = 2**31 - 1  # run seeds in [0, 2**31 - 1): int32-safe everywhere they are stored


def latin_hypercube(factors: tuple[Factor, ...], n: int, seed: int) -> pd.DataFrame:
    """n scenarios: one row each (index `scenario` 0..n-1), a column per factor (float64 or int64)."""
    from scipy.stats import qmc

    u = qmc.LatinHypercube(d=len(factors), rng=np.random.default_rng(seed)).random(n)
    columns: dict[str, np.ndarray] = {}
    for j, f in enumerate(factors):
        if f.integer:
            width = int(f.high) - int(f.low) + 1
            columns[f.key] = np.minimum(int(f.low) + np.floor(u[:, j] * width), f.high).astype(np.int64)
        else:
            columns[f.key] = f.low + u[:, j] * (f.high - f.low)
    table = pd.DataFrame(columns)
    table.index.name = SCENARIO
    return table


def scenario_seeds(seed: int, scenario: int, n: int) -> list[int]:
    """The run seeds of one scenario, from (the file's seed, the scenario's number) alone."""
    state = np.random.SeedSequence([int(seed), int(scenario)]).generate_state(n, dtype=np.uint64)
    return [int(s % SEED_BITS) for s in state]


def factor_values(row: pd.Series, factors: tuple[Factor, ...]) -> dict[str, float | int]:
    """A scenario's factor values as Python numbers (ints for integer parameters)."""
    return {f.key: int(row[f.key]) if f.integer else float(row[f.key]) for f in factors}
