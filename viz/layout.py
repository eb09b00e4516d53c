"""A seeded layout of the organisation, computed once per model (never Mesa's unseeded spring layout).

Units are discs on a grid, with area proportional to their staff; staff sit inside their unit's disc on
a sunflower spiral (Vogel 1979), so the organisation reads as semi-isolated groups (Fang, Lee &
Schilling 2010) and the drawing costs O(n) with no force iterations: 8,000 staff lay out in milliseconds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from abm.core.rng import stream

GOLDEN_ANGLE = math.pi * (3.0 - math.sqrt(5.0))
WIDTH = 640.0


@dataclass(frozen=True)
class Layout:
    """Unit centres and radii, staff positions and the unit-to-unit tie counts, in SVG coordinates."""

    width: float
    height: float
    unit_xy: np.ndarray  # (U, 2)
    unit_r: np.ndarray  # (U,)
    staff_xy: np.ndarray  # (n, 2)


def compute_layout(unit_sizes: np.ndarray, staff_unit: np.ndarray, seed: int) -> Layout:
    """Units on a grid, staff on a sunflower in their unit; the only randomness is a seeded rotation."""
    rng = stream(seed, "viz_layout")
    U = unit_sizes.size
    cols = max(1, math.ceil(math.sqrt(U * 1.6)))
    rows = math.ceil(U / cols)
    cell = WIDTH / cols
    radius = 0.45 * cell * np.sqrt(unit_sizes / max(unit_sizes.max(), 1))
    idx = np.arange(U)
    unit_xy = np.column_stack([(idx % cols + 0.5) * cell, (idx // cols + 0.5) * cell])
    order = np.argsort(staff_unit, kind="stable")
    sorted_units = staff_unit[order]
    starts = np.searchsorted(sorted_units, np.arange(U))
    rank = np.empty(staff_unit.size, dtype=np.float64)
    rank[order] = np.arange(staff_unit.size) - starts[sorted_units]
    size = np.maximum(unit_sizes[staff_unit], 1)
    r = radius[staff_unit] * np.sqrt((rank + 0.5) / size)
    theta = rank * GOLDEN_ANGLE + rng.uniform(0, 2 * math.pi, U)[staff_unit]
    staff_xy = unit_xy[staff_unit] + np.column_stack([r * np.cos(theta), r * np.sin(theta)])
    return Layout(WIDTH, rows * cell, unit_xy, radius, staff_xy)


def unit_ties(adjacency: sp.csr_matrix, staff_unit: np.ndarray, n_units: int) -> sp.coo_matrix:
    """(U, U) counts of cross-unit staff ties, upper triangle only."""
    n = staff_unit.size
    member = sp.csr_matrix((np.ones(n), (np.arange(n), staff_unit)), shape=(n, n_units))
    between = (member.T @ adjacency @ member).tocoo()
    keep = between.row < between.col
    return sp.coo_matrix((between.data[keep] / 1.0, (between.row[keep], between.col[keep])), shape=(n_units, n_units))


def cross_edges(adjacency: sp.csr_matrix, staff_unit: np.ndarray, limit: int = 1500) -> tuple[np.ndarray, np.ndarray]:
    """Staff pairs tied across units (at most `limit`, the first in index order: deterministic)."""
    coo = sp.triu(adjacency, k=1).tocoo()
    cross = staff_unit[coo.row] != staff_unit[coo.col]
    return coo.row[cross][:limit], coo.col[cross][:limit]
