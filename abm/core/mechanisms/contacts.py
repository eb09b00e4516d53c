"""Learning beliefs from better-performing contacts (Fang, Lee & Schilling 2010). Provisional plain version;
the compiled kernel and its tests replace it."""

from __future__ import annotations

import numpy as np

from abm.core.network import Network


def learn_from_contacts(
    beliefs: np.ndarray, performance: np.ndarray, net: Network, p_learn: float, k: int, rng: np.random.Generator
) -> np.ndarray:
    """Each person compares with k random contacts (0: all); where the majority of the better performers among
    them holds a different non-zero belief, the person takes it with probability p_learn per dimension."""
    if p_learn <= 0 or net.complete or beliefs.shape[0] == 0:
        return beliefs
    indptr, indices = net.adjacency.indptr, net.adjacency.indices
    degree = np.diff(indptr)
    n = beliefs.shape[0]
    has = degree > 0
    pick = np.zeros(n, dtype=np.int64)
    draws = rng.random(n)
    pick[has] = indices[indptr[:-1][has] + (draws[has] * degree[has]).astype(np.int64)]
    better = has & (performance[pick] > performance)
    target = np.where(better[:, None], beliefs[pick], 0)
    can = (target != 0) & (target != beliefs)
    out = beliefs.copy()
    cells = np.flatnonzero(can)
    take = cells[rng.random(cells.size) < p_learn]
    out.reshape(-1)[take] = target.reshape(-1)[take]
    return out
