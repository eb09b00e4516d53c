"""Phase 5, learning beliefs from better-performing contacts (Fang, Lee & Schilling 2010).

Fang, Lee & Schilling extend March's (1991) model with direct interpersonal learning: people learn from
those they interact with whose performance is higher, so the pattern of interaction (how isolated the
subgroups are, how many ties cross them) decides how fast superior beliefs spread and how long diversity
survives. The rule here: each person compares themselves with `k` contacts drawn uniformly (with
replacement) from their contacts (`k = 0`: all of them; on the complete graph everyone else); among
those contacts whose performance is strictly higher than their own, the majority belief on each dimension
is the sign of the sum of their beliefs (0 when tied); where that majority is not 0 and differs from the
person's belief, the person takes it with probability `p_learn`, per dimension.

Draws (common random numbers): first one uniform per person and sampled contact (n x k, row-major, drawn
whether or not the person has contacts), then one uniform per cell that can change, in row-major order,
as `march.socialise` does. With `p_learn = 0` nothing is drawn and the beliefs come back unchanged.
`learn_from_contacts_reference` is the same rule in whole-array numpy, draw for draw.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from abm.core.network import Network


def learn_from_contacts(
    beliefs: np.ndarray, performance: np.ndarray, net: Network, p_learn: float, k: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """New (n, m) int8 beliefs after one round of learning from better-performing contacts; the input
    is never modified."""
    beliefs = np.ascontiguousarray(beliefs, dtype=np.int8)
    if p_learn <= 0.0 or beliefs.size == 0:
        return beliefs.copy()
    n = beliefs.shape[0]
    performance = np.ascontiguousarray(performance, dtype=np.int64)
    picks = rng.random((n, k)) if k > 0 else np.zeros((n, 0))
    if net.complete and k == 0:
        order = np.argsort(-performance, kind="stable")
        cells, targets = _cells_everyone_better(beliefs, performance, order)
    else:
        adj = net.adjacency
        cells, targets = _cells(beliefs, performance, adj.indptr, adj.indices, picks, net.complete)
    out = beliefs.copy()
    _apply(cells, targets, rng.random(cells.size), p_learn, out.reshape(-1))
    return out


@njit(cache=True)
def _cells(beliefs: np.ndarray, performance: np.ndarray, indptr: np.ndarray, indices: np.ndarray,
           picks: np.ndarray, complete: bool) -> tuple[np.ndarray, np.ndarray]:
    """Row-major indices of the cells that can change, with the majority each would take.

    Person i's contacts are the CSR row i (`complete`: everyone else); with picks of shape (n, k > 0)
    contact j of the row is picks[i, s] * degree, else (k = 0) every contact counts once.
    """
    n, m = beliefs.shape
    k = picks.shape[1]
    found = np.empty(n * m, dtype=np.int64)
    target = np.empty(n * m, dtype=np.int8)
    total = np.zeros(m, dtype=np.int64)
    n_found = 0
    for i in range(n):
        degree = n - 1 if complete else indptr[i + 1] - indptr[i]
        if degree <= 0:
            continue
        if k == 1:  # one contact: the majority is their belief (the common case, without the sums)
            j = int(picks[i, 0] * degree)
            c = (j + 1 if j >= i else j) if complete else indices[indptr[i] + j]
            if performance[c] > performance[i]:
                n_found = _collect(beliefs, i, beliefs[c], found, target, n_found)
            continue
        total[:] = 0
        any_better = False
        draws = k if k > 0 else degree
        for s in range(draws):
            j = int(picks[i, s] * degree) if k > 0 else s
            c = (j + 1 if j >= i else j) if complete else indices[indptr[i] + j]
            if performance[c] > performance[i]:
                any_better = True
                for d in range(m):
                    total[d] += beliefs[c, d]
        if any_better:
            n_found = _collect(beliefs, i, total, found, target, n_found)
    return found[:n_found], target[:n_found]


@njit(cache=True)
def _collect(beliefs: np.ndarray, i: int, total: np.ndarray, found: np.ndarray, target: np.ndarray,
             n_found: int) -> int:
    """Append person i's cells where the majority sign(total) is not 0 and differs from the belief."""
    m = beliefs.shape[1]
    for d in range(m):  # without branches: the slot is written always and kept only when it counts
        t = total[d]
        majority = (t > 0) - (t < 0)
        found[n_found] = i * m + d
        target[n_found] = majority
        n_found += (majority != 0) & (majority != beliefs[i, d])
    return n_found


@njit(cache=True)
def _cells_everyone_better(beliefs: np.ndarray, performance: np.ndarray,
                           order: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The complete graph with every contact (k = 0): the sums over everyone strictly better come from
    running sums down the performance order, so the cost is O(n m), not O(n^2 m)."""
    n, m = beliefs.shape
    better = np.zeros((n, m), dtype=np.int64)  # by person: sum of the beliefs of everyone strictly better
    has_better = np.zeros(n, dtype=np.bool_)
    running = np.zeros(m, dtype=np.int64)
    start = 0
    while start < n:
        stop = start
        while stop < n and performance[order[stop]] == performance[order[start]]:
            stop += 1
        for r in range(start, stop):  # a group of equal performance sees only those above it
            i = order[r]
            has_better[i] = start > 0
            better[i, :] = running
        for r in range(start, stop):
            running += beliefs[order[r], :]
        start = stop
    found = np.empty(n * m, dtype=np.int64)
    target = np.empty(n * m, dtype=np.int8)
    n_found = 0
    for i in range(n):
        if has_better[i]:
            n_found = _collect(beliefs, i, better[i], found, target, n_found)
    return found[:n_found], target[:n_found]


@njit(cache=True)
def _apply(cells: np.ndarray, targets: np.ndarray, draws: np.ndarray, p_learn: float, out: np.ndarray) -> None:
    for i in range(cells.size):
        if draws[i] < p_learn:
            out[cells[i]] = targets[i]


def learn_from_contacts_reference(
    beliefs: np.ndarray, performance: np.ndarray, net: Network, p_learn: float, k: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """The same rule with whole-array numpy operations and the same draws (for tests and reading)."""
    beliefs = np.asarray(beliefs, dtype=np.int8)
    if p_learn <= 0.0 or beliefs.size == 0:
        return beliefs.copy()
    n = beliefs.shape[0]
    performance = np.asarray(performance, dtype=np.int64)
    adjacency = np.ones((n, n)) - np.eye(n) if net.complete else net.adjacency.toarray()
    if k > 0:  # counts[i, c]: how often person i drew contact c
        picks = rng.random((n, k))
        degree = adjacency.sum(axis=1).astype(np.int64)
        cols = np.nonzero(adjacency)[1]  # row-major: each row's contacts in ascending order
        first = np.concatenate([[0], np.cumsum(degree)[:-1]])
        counts = np.zeros((n, n))
        for s in range(k):
            has = degree > 0
            slot = first[has] + (picks[has, s] * degree[has]).astype(np.int64)
            np.add.at(counts, (np.flatnonzero(has), cols[slot]), 1.0)
    else:
        counts = adjacency
    better = performance[None, :] > performance[:, None]
    majority = np.sign((counts * better) @ beliefs.astype(np.float64)).astype(np.int8)
    movable = (majority != 0) & (majority != beliefs)
    draws = np.full(beliefs.shape, np.inf)
    draws[movable] = rng.random(int(movable.sum()))  # boolean assignment fills row-major
    return np.where(draws < p_learn, majority, beliefs).astype(np.int8)


def at_rest(beliefs: np.ndarray, net: Network, reality: np.ndarray) -> bool:
    """Whether no belief can ever change again by learning from contacts (without turnover or turbulence).

    A cell (i, d) can change only if some contact c holds a non-zero belief there that differs from i's
    and c can outperform i at all: c's best possible score (its non-zero beliefs scored, every 0-belief's
    coin right) exceeds i's worst. With none left, nothing changes ever; with k >= 1 sampled contacts any
    such contact may be drawn k times, so the test is exact (with every contact, k = 0, it is sufficient).
    """
    beliefs = np.ascontiguousarray(beliefs, dtype=np.int8)
    fixed = beliefs.astype(np.int64) @ reality.astype(np.int64)
    zeros = (beliefs == 0).sum(axis=1).astype(np.int64)
    adj = net.adjacency
    return bool(_at_rest(beliefs, fixed + zeros, fixed - zeros, adj.indptr, adj.indices, net.complete))


@njit(cache=True)
def _at_rest(beliefs: np.ndarray, best: np.ndarray, worst: np.ndarray, indptr: np.ndarray, indices: np.ndarray,
             complete: bool) -> bool:
    n, m = beliefs.shape
    for i in range(n):
        degree = n - 1 if complete else indptr[i + 1] - indptr[i]
        for j in range(degree):
            c = (j + 1 if j >= i else j) if complete else indices[indptr[i] + j]
            if best[c] > worst[i]:
                for d in range(m):
                    b = beliefs[c, d]
                    if b != 0 and b != beliefs[i, d]:
                        return False
    return True
