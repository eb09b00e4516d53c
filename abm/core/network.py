"""Who talks to whom: dense ties within units, sparse ties across units, champions as boundary spanners.

Semi-isolated subgroups with a tunable cross-group tie probability follow Fang, Lee & Schilling
(2010); champions as boundary spanners follow Tushman (1977). Ring lattices with rewiring
(Watts & Strogatz 1998) and the complete graph serve the docking scenarios.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp


@dataclass
class Network:
    """Undirected ties as a symmetric CSR matrix, with each person's number of contacts."""

    adjacency: sp.csr_matrix
    degree: np.ndarray
    complete: bool = False

    @property
    def n_ties(self) -> int:
        return int(self.adjacency.nnz // 2)

    @classmethod
    def from_edges(cls, n: int, src: np.ndarray, dst: np.ndarray) -> Network:
        """Build from undirected edges (duplicates and self-loops dropped)."""
        keep = src != dst
        a, b = np.minimum(src[keep], dst[keep]), np.maximum(src[keep], dst[keep])
        key = np.unique(a.astype(np.int64) * n + b)
        a, b = key // n, key % n
        i, j = np.concatenate([a, b]), np.concatenate([b, a])
        adj = sp.csr_matrix((np.ones(i.size, dtype=np.float64), (i, j)), shape=(n, n))
        adj.sort_indices()
        return cls(adj, np.diff(adj.indptr).astype(np.float64))

    @classmethod
    def complete_graph(cls, n: int) -> Network:
        """Everyone in contact with everyone; stored implicitly (social shares use column sums)."""
        empty = cls.from_edges(n, np.zeros(0, np.int64), np.zeros(0, np.int64))
        empty.complete = True
        empty.degree = np.full(n, max(n - 1, 1), dtype=np.float64)
        return empty

    def neighbour_sum(self, values: np.ndarray) -> np.ndarray:
        """Sum of `values` (n,) or (n, k) over each person's contacts."""
        if self.complete:
            return values.sum(axis=0) - values
        return self.adjacency @ values

    def with_edges(self, src: np.ndarray, dst: np.ndarray) -> Network:
        """A copy with extra undirected edges (the same matrix from_edges would build, without re-sorting
        every existing tie: the few new ties are added to the CSR matrix and duplicates set back to 1)."""
        n = self.adjacency.shape[0]
        keep = src != dst
        a, b = np.asarray(src)[keep], np.asarray(dst)[keep]
        extra = sp.csr_matrix((np.ones(2 * a.size), (np.concatenate([a, b]), np.concatenate([b, a]))), shape=(n, n))
        adj = (self.adjacency + extra).tocsr()
        adj.data[:] = 1.0
        adj.sort_indices()
        return Network(adj, np.diff(adj.indptr).astype(np.float64))


def within_unit_edges(members: np.ndarray, p_tie: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Erdős–Rényi ties among one unit's members (exact for small units, sampled pairs for large)."""
    s = members.size
    if s < 2 or p_tie <= 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    if s <= 400:
        iu, ju = np.triu_indices(s, k=1)
        keep = rng.random(iu.size) < p_tie
        return members[iu[keep]], members[ju[keep]]
    n_edges = rng.binomial(s * (s - 1) // 2, p_tie)
    i = rng.integers(0, s, size=n_edges)
    j = rng.integers(0, s, size=n_edges)
    return members[i], members[j]


def organisation_network(
    staff_unit: np.ndarray, champion: np.ndarray, ties_within: float, n_cross: int,
    champion_boost: float, rng: np.random.Generator,
) -> Network:
    """Dense within-unit ties (mean degree about `ties_within`) and `n_cross` cross-unit ties.

    Cross-unit tie ends are drawn with weight `champion_boost` for champions, so champions span units.
    """
    n = staff_unit.size
    order = np.argsort(staff_unit, kind="stable")
    bounds = np.searchsorted(staff_unit[order], np.arange(staff_unit.max() + 2))
    src, dst = [], []
    for u in range(bounds.size - 1):
        members = order[bounds[u]:bounds[u + 1]]
        p_tie = min(1.0, ties_within / max(members.size - 1, 1))
        a, b = within_unit_edges(members, p_tie, rng)
        src.append(a)
        dst.append(b)
    if n_cross > 0 and bounds.size > 2:
        weight = np.where(champion, champion_boost, 1.0)
        weight /= weight.sum()
        a = rng.choice(n, size=2 * n_cross, p=weight)
        b = rng.choice(n, size=2 * n_cross, p=weight)
        cross = staff_unit[a] != staff_unit[b]
        src.append(a[cross][:n_cross])
        dst.append(b[cross][:n_cross])
    return Network.from_edges(n, np.concatenate(src), np.concatenate(dst))


def full_mixing_share(staff_unit: np.ndarray) -> float:
    """The share of ties that cross units when ties fall at random across the whole organisation:
    1 - sum of the squared unit shares of staff (1 - 1/U for U equal units), the "full mixing" point
    of `networked_organisation`."""
    shares = np.bincount(staff_unit) / max(staff_unit.size, 1)
    return float(1.0 - (shares**2).sum())


def networked_organisation(
    staff_unit: np.ndarray, champion: np.ndarray, mean_degree: float, cross_share: float,
    champion_boost: float, rng: np.random.Generator,
) -> Network:
    """Ties of mean degree about `mean_degree` of which a share `cross_share` crosses units (Fang, Lee &
    Schilling 2010: semi-isolated subgroups, the cross-group share of interaction varied).

    Within-unit ties as in `organisation_network` (mean degree (1 - cross_share) x mean_degree, capped by
    the unit's size), then exactly round(cross_share x mean_degree x n / 2) cross-unit pairs (duplicates
    dropped), each end drawn with weight `champion_boost` for champions. `cross_share` 0 isolates the
    units; `full_mixing_share(staff_unit)` is the share a network random across the organisation has.
    """
    n = staff_unit.size
    net = organisation_network(staff_unit, champion, (1.0 - cross_share) * mean_degree, 0, champion_boost, rng)
    n_cross = int(round(cross_share * mean_degree * n / 2))
    if n_cross <= 0 or np.unique(staff_unit).size < 2:
        return net
    weight = np.where(champion, champion_boost, 1.0)
    weight /= weight.sum()
    src, dst, found = [], [], 0
    while found < n_cross:  # rejection of within-unit pairs; about 1/U of the draws with U equal units
        a = rng.choice(n, size=n_cross - found, p=weight)
        b = rng.choice(n, size=n_cross - found, p=weight)
        cross = staff_unit[a] != staff_unit[b]
        src.append(a[cross])
        dst.append(b[cross])
        found += int(cross.sum())
    return net.with_edges(np.concatenate(src), np.concatenate(dst))


def watts_strogatz(n: int, k: int, rewiring: float, rng: np.random.Generator) -> Network:
    """Ring lattice of degree k with each edge's far end rewired with probability `rewiring`."""
    half = max(k // 2, 1)
    src = np.repeat(np.arange(n), half)
    dst = (src + np.tile(np.arange(1, half + 1), n)) % n
    rewire = rng.random(src.size) < rewiring
    dst = dst.copy()
    dst[rewire] = rng.integers(0, n, size=int(rewire.sum()))
    return Network.from_edges(n, src, dst)
