"""Phase 5, digital know-how per maturity dimension: absorptive capacity as cumulative related knowledge
(Cohen & Levinthal 1990), built by learning from more skilled colleagues (Argote & Ingram 2000), funded
training aimed at what the unit is taking up, and using services (Arrow 1962: learning by doing); unused
skill above a newcomer's level is forgotten (Darr, Argote & Epple 1995), dimension by dimension.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from abm.core import use_flags
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
    """Sum over each person's contacts of max(contact's know-how - own, 0), contacts in CSR order (four
    dimensions: the sums in registers)."""
    n, n_dims = knowhow.shape
    out = np.zeros((n, n_dims))
    if n_dims == 4:
        for i in range(n):
            k0, k1, k2, k3 = knowhow[i, 0], knowhow[i, 1], knowhow[i, 2], knowhow[i, 3]
            a0 = a1 = a2 = a3 = 0.0
            for e in range(indptr[i], indptr[i + 1]):
                j = indices[e]
                a0 += max(knowhow[j, 0] - k0, 0.0)
                a1 += max(knowhow[j, 1] - k1, 0.0)
                a2 += max(knowhow[j, 2] - k2, 0.0)
                a3 += max(knowhow[j, 3] - k3, 0.0)
            out[i, 0], out[i, 1], out[i, 2], out[i, 3] = a0, a1, a2, a3
        return out
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
    """(n, D) number of services each person uses in each dimension: uses (n, S) as floats times the (S, D)
    membership matrix of services in dimensions (exact integer counts).

    The model's use flags, stored service by service, are summed along each service with the services nobody
    uses skipped (abm/core/use_flags.py); any other layout in one compiled pass over people and services (the
    reference that pass is tested against).
    """
    dimension = dimension.astype(np.int64)
    major = use_flags.by_service(uses)
    if major is not None:
        return use_flags.used_per_dimension(major, dimension, n_dims)
    return _used_per_dimension(np.ascontiguousarray(uses, dtype=np.bool_), dimension, n_dims)


@njit(cache=True)
def _used_per_dimension(uses: np.ndarray, dimension: np.ndarray, n_dims: int) -> np.ndarray:  # pragma: no cover
    n, n_services = uses.shape
    out = np.zeros((n, n_dims))
    if n_dims == 4:  # the model's four maturity dimensions: four counters in registers, no branch
        for i in range(n):
            c0 = c1 = c2 = c3 = 0
            for s in range(n_services):
                v = np.int64(uses[i, s])
                d = dimension[s]
                c0 += v * (d == 0)
                c1 += v * (d == 1)
                c2 += v * (d == 2)
                c3 += v * (d == 3)
            out[i, 0], out[i, 1], out[i, 2], out[i, 3] = c0, c1, c2, c3
        return out
    for i in range(n):
        for s in range(n_services):
            out[i, dimension[s]] += uses[i, s]  # no branch: adding a bool
    return out


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
    """Next week's know-how: update_knowhow(knowhow, peer_rate[:, None] x peer_gap, ...), with the gap sums
    and the update each one compiled pass and the same operations in the same order (so the same bits;
    tests/core/test_kernels.py checks it against the whole-array functions above)."""
    knowhow = np.ascontiguousarray(knowhow, dtype=np.float64)
    gap = gap_sums(knowhow, net)
    gap /= np.maximum(net.degree, 1.0)[:, None]  # peer_gap, divided in place (one vectorised pass)
    return _update(knowhow, gap, np.ascontiguousarray(learning_time, np.float64),
                   np.ascontiguousarray(attitude, np.float64), np.ascontiguousarray(trained, np.bool_),
                   np.ascontiguousarray(focus, np.bool_), np.ascontiguousarray(n_used, np.float64), rate_peer,
                   peer_base, 1.0 - peer_base, rate_training, training_general, rate_use, rate_forget, floor)


@njit(cache=True)
def _update(knowhow, peer_gap, learning_time, attitude, trained, focus, n_used, rate_peer, peer_base,
            one_minus_base, rate_training, training_general, rate_use, rate_forget,
            floor):  # pragma: no cover - compiled; documented by `learn`
    """update_knowhow with peer = peer_rate x peer_gap, person by person."""
    n, n_dims = knowhow.shape
    out = np.empty_like(knowhow)
    for i in range(n):
        rate = rate_peer * (peer_base + one_minus_base * learning_time[i]) * (0.5 + attitude[i])
        train = rate_training if trained[i] else 0.0
        for d in range(n_dims):
            k = knowhow[i, d]
            gap = 1.0 - k
            relevance = 1.0 if focus[i, d] else training_general
            used = n_used[i, d]
            gain = rate * peer_gap[i, d] + train * relevance * gap + rate_use * used * gap
            forget = rate_forget if (used == 0 and not trained[i]) else 0.0
            x = k + gain - forget * max(k - floor, 0.0)
            out[i, d] = min(max(x, 0.0), 1.0)
    return out
