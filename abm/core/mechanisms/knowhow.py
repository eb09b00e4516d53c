"""Phase 5, digital know-how: learning from more skilled colleagues (Argote & Ingram 2000), funded
training, learning by using services (Arrow 1962), and forgetting unused skill (Darr, Argote & Epple 1995)."""

from __future__ import annotations

import numpy as np
from numba import njit

from abm.core.network import Network


def peer_gap(knowhow: np.ndarray, net: Network) -> np.ndarray:
    """Mean positive know-how gap to each person's contacts (0 for people without contacts)."""
    return gap_sums(knowhow, net) / np.maximum(net.degree, 1.0)


def gap_sums(knowhow: np.ndarray, net: Network) -> np.ndarray:
    """Sum over each person's contacts of the positive know-how gap to them."""
    if net.complete:
        order = np.sort(knowhow)
        above = np.searchsorted(order, knowhow, side="right")
        tail_sum = np.concatenate([np.cumsum(order[::-1])[::-1], [0.0]])[above]
        return tail_sum - (knowhow.size - above) * knowhow
    return _gap_sums(knowhow, net.adjacency.indptr, net.adjacency.indices)


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


# ---- the weekly update: the functions above, fused over one pass of the people --------------------

def learn(
    knowhow: np.ndarray, net: Network, explore: np.ndarray, attitude: np.ndarray, trained: np.ndarray,
    uses: np.ndarray, rate_peer: float, peer_base: float, rate_training: float, rate_use: float,
    rate_forget: float,
) -> np.ndarray:
    """Next week's know-how: update_knowhow(knowhow, peer_learning(...), trained, services used, ...)
    in one pass over the people (tests/core/test_kernels.py checks it equals them)."""
    return _learn(knowhow, gap_sums(knowhow, net), net.degree, explore, attitude, trained, uses, rate_peer, peer_base,
                  rate_training, rate_use, rate_forget)


@njit(cache=True)
def _learn(knowhow, gap_sum, degree, explore, attitude, trained, uses, rate_peer, peer_base,
           rate_training, rate_use, rate_forget):  # pragma: no cover - compiled; documented by `learn`
    out = np.empty_like(knowhow)
    for i in range(knowhow.size):
        k = knowhow[i]
        rate = rate_peer * (peer_base + (1.0 - peer_base) * explore[i]) * (0.5 + attitude[i])
        peer = rate * (gap_sum[i] / max(degree[i], 1.0))
        n_used = 0.0
        for s in range(uses.shape[1]):
            n_used += uses[i, s]
        gap = 1.0 - k
        gain = peer + (rate_training if trained[i] else 0.0) * gap + rate_use * n_used * gap
        idle = n_used == 0 and not trained[i]
        out[i] = min(max(k + gain - (rate_forget if idle else 0.0) * k, 0.0), 1.0)
    return out
