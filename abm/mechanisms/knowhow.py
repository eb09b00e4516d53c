"""Phase 5, digital know-how: learning from more skilled colleagues (Argote & Ingram 2000), funded
training, learning by using services (Arrow 1962), and forgetting unused skill (Darr, Argote & Epple 1995)."""

from __future__ import annotations

import numpy as np
from numba import njit

from abm.network import Network


def peer_gap(knowhow: np.ndarray, net: Network) -> np.ndarray:
    """Mean positive know-how gap to each person's contacts (0 for people without contacts)."""
    if net.complete:
        order = np.sort(knowhow)
        above = np.searchsorted(order, knowhow, side="right")
        tail_sum = np.concatenate([np.cumsum(order[::-1])[::-1], [0.0]])[above]
        gap_sum = tail_sum - (knowhow.size - above) * knowhow
    else:
        gap_sum = _gap_sums(knowhow, net.adjacency.indptr, net.adjacency.indices)
    return gap_sum / np.maximum(net.degree, 1.0)


@njit(cache=True)
def _gap_sums(knowhow: np.ndarray, indptr: np.ndarray, indices: np.ndarray) -> np.ndarray:
    """Sum over each person's contacts of max(contact's know-how - own, 0), contacts in CSR order."""
    out = np.zeros(knowhow.size)
    for i in range(knowhow.size):
        total = 0.0
        for e in range(indptr[i], indptr[i + 1]):
            total += max(knowhow[indices[e]] - knowhow[i], 0.0)
        out[i] = total
    return out


def peer_learning(
    knowhow: np.ndarray, net: Network, explore: np.ndarray, attitude: np.ndarray,
    rate_peer: float, peer_base: float,
) -> np.ndarray:
    """Know-how gained from more skilled colleagues; exploration time and a positive attitude speed it."""
    rate = rate_peer * (peer_base + (1.0 - peer_base) * explore) * (0.5 + attitude)
    return rate * peer_gap(knowhow, net)


def choose_trainees(explore: np.ndarray, training_rate: float, rng: np.random.Generator) -> np.ndarray:
    """Who the training budget trains this week: chance proportional to their unit's exploration share."""
    return rng.random(explore.size) < np.minimum(1.0, training_rate * explore)


def update_knowhow(
    knowhow: np.ndarray, peer: np.ndarray, trained: np.ndarray, n_used: np.ndarray,
    rate_training: float, rate_use: float, rate_forget: float,
) -> np.ndarray:
    """Apply peer learning, training, use and forgetting; the result stays in [0, 1]."""
    gap = 1.0 - knowhow
    gain = peer + trained * rate_training * gap + rate_use * n_used * gap
    idle = (n_used == 0) & ~trained
    out = knowhow + gain - idle * rate_forget * knowhow
    return np.clip(out, 0.0, 1.0)
