"""Phase 5, digital know-how per maturity dimension: absorptive capacity as cumulative related knowledge
(Cohen & Levinthal 1990), built by learning from more skilled colleagues (Argote & Ingram 2000), funded
training aimed at what the unit is taking up, and using services (Arrow 1962: learning by doing); unused
skill above a newcomer's level is forgotten (Darr, Argote & Epple 1995), dimension by dimension.
"""

from __future__ import annotations

import sys

import numpy as np
from numba import njit
from numba.extending import register_jitable

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

    With up to 8 services whose count divides 8 and little-endian words, the uses of 8 / S people are one
    uint64 word (byte s: service s) and a dimension's count is the byte sum of the word masked to its
    services (one multiplication); otherwise one compiled pass over people and services.
    """
    dimension = dimension.astype(np.int64)
    major = use_flags.by_service(uses)
    if major is not None:  # the model's layout: service by service, services nobody uses skipped
        return use_flags.used_per_dimension(major, dimension, n_dims)
    uses = np.ascontiguousarray(uses, dtype=np.bool_)
    n, n_services = uses.shape
    by_words = not (n_services == 0 or 8 % n_services or n * n_services % 8 or sys.byteorder != "little")
    words = uses.reshape(-1).view(np.uint8).view(np.uint64) if by_words else np.zeros(0, np.uint64)
    return _used_by_words(words, uses.view(np.uint8), dimension, n_dims, n, by_words)  # bytes: faster loads


@njit(cache=True)
def _used_by_words(words: np.ndarray, uses: np.ndarray, dimension: np.ndarray, n_dims: int, n: int,
                   by_words: bool) -> np.ndarray:  # pragma: no cover - compiled
    if not by_words:
        return _used_per_dimension(uses, dimension, n_dims)
    n_services = dimension.size
    per_word = 8 // n_services
    masks = np.zeros((per_word, n_dims), dtype=np.uint64)  # masks[q, d]: the bytes of slot q's services in d
    for q in range(per_word):
        for s in range(n_services):
            masks[q, dimension[s]] |= np.uint64(1) << np.uint64(8 * (q * n_services + s))
    out = np.empty((n, n_dims))
    ones = np.uint64(0x0101010101010101)  # bytes are 0 or 1: the top byte of x * ones is their sum
    if per_word == 1 and n_dims == 4:  # eight services, four dimensions: the masks in registers
        m0, m1, m2, m3 = masks[0, 0], masks[0, 1], masks[0, 2], masks[0, 3]
        for w in range(words.size):
            x = words[w]
            out[w, 0] = np.int64(((x & m0) * ones) >> np.uint64(56))
            out[w, 1] = np.int64(((x & m1) * ones) >> np.uint64(56))
            out[w, 2] = np.int64(((x & m2) * ones) >> np.uint64(56))
            out[w, 3] = np.int64(((x & m3) * ones) >> np.uint64(56))
        return out
    for w in range(words.size):
        for q in range(per_word):
            for d in range(n_dims):
                out[w * per_word + q, d] = np.int64(((words[w] & masks[q, d]) * ones) >> np.uint64(56))
    return out


@register_jitable
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
