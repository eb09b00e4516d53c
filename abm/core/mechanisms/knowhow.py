"""Phase 5, digital know-how per maturity dimension: absorptive capacity as cumulative related knowledge
(Cohen & Levinthal 1990), built by learning from more skilled colleagues (Argote & Ingram 2000), funded
training aimed at what the unit is taking up, and using services (Arrow 1962: learning by doing); unused
skill above a newcomer's level is forgotten (Darr, Argote & Epple 1995), dimension by dimension.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from abm.core.network import Network


def gap_sums(knowhow: np.ndarray, net: Network) -> np.ndarray:
    """(n, D) sum over each person's contacts of the positive know-how gap to them, per dimension."""
    if net.complete:
        out = np.empty_like(knowhow)
        for d in range(knowhow.shape[1]):
            k = knowhow[:, d]
            order = np.sort(k)
            above = np.searchsorted(order, k, side="right")
            tail_sum = np.concatenate([np.cumsum(order[::-1])[::-1], [0.0]])[above]
            out[:, d] = tail_sum - (k.size - above) * k
        return out
    return _gap_sums(knowhow, net.adjacency.indptr, net.adjacency.indices)


@njit(cache=True)
def _gap_sums(knowhow: np.ndarray, indptr: np.ndarray, indices: np.ndarray) -> np.ndarray:
    """Sum over each person's contacts of max(contact's know-how - own, 0), contacts in CSR order."""
    n, n_dims = knowhow.shape
    out = np.zeros((n, n_dims))
    for i in range(n):
        for e in range(indptr[i], indptr[i + 1]):
            j = indices[e]
            for d in range(n_dims):
                out[i, d] += max(knowhow[j, d] - knowhow[i, d], 0.0)
    return out


def peer_gap(knowhow: np.ndarray, net: Network) -> np.ndarray:
    """Mean positive know-how gap to each person's contacts (0 for people without contacts), (n, D)."""
    return gap_sums(knowhow, net) / np.maximum(net.degree, 1.0)[:, None]


def choose_trainees(learning_time: np.ndarray, training_rate: float, rng: np.random.Generator) -> np.ndarray:
    """Who the training budget trains this week: chance proportional to their unit's learning time."""
    return rng.random(learning_time.size) < np.minimum(1.0, training_rate * learning_time)


def used_per_dimension(uses: np.ndarray, dimension: np.ndarray, n_dims: int) -> np.ndarray:
    """(n, D) number of services each person uses in each dimension."""
    members = (dimension[:, None] == np.arange(n_dims)[None, :]).astype(np.float64)  # (S, D)
    return uses.astype(np.float64) @ members


def update_knowhow(
    knowhow: np.ndarray, peer: np.ndarray, trained: np.ndarray, focus: np.ndarray, n_used: np.ndarray,
    rate_training: float, training_general: float, rate_use: float, rate_forget: float, floor: float,
) -> np.ndarray:
    """Apply peer learning, training (full in the dimensions the person's unit is taking up, `focus` (n, D),
    `training_general` elsewhere), use, and forgetting in dimensions neither used nor trained; in [0, 1]."""
    gap = 1.0 - knowhow
    relevance = np.where(focus, 1.0, training_general)
    gain = peer + trained[:, None] * rate_training * relevance * gap + rate_use * n_used * gap
    idle = (n_used == 0) & ~trained[:, None]
    out = knowhow + gain - idle * rate_forget * np.maximum(knowhow - floor, 0.0)
    return np.clip(out, 0.0, 1.0)


def peer_rate(learning_time: np.ndarray, attitude: np.ndarray, rate_peer: float, peer_base: float) -> np.ndarray:
    """Each person's peer-learning rate: learning time and a positive attitude speed it."""
    return rate_peer * (peer_base + (1.0 - peer_base) * learning_time) * (0.5 + attitude)


def learn(
    knowhow: np.ndarray, net: Network, learning_time: np.ndarray, attitude: np.ndarray, trained: np.ndarray,
    focus: np.ndarray, n_used: np.ndarray, rate_peer: float, peer_base: float, rate_training: float,
    training_general: float, rate_use: float, rate_forget: float, floor: float,
) -> np.ndarray:
    """Next week's know-how: update_knowhow(knowhow, peer_rate x peer_gap, ...) with the gap sums compiled
    (tests/core/test_kernels.py checks the pieces against each other)."""
    peer = peer_rate(learning_time, attitude, rate_peer, peer_base)[:, None] * peer_gap(knowhow, net)
    return update_knowhow(knowhow, peer, trained, focus, n_used, rate_training, training_general, rate_use,
                          rate_forget, floor)
