"""Sums of per-staff arrays within units and over the region, as compiled single passes.

At thousands of staff each is a few microseconds, where np.bincount with weights, a sparse product
or an int8-to-float copy costs tens to hundreds (they run several times a week, for maturity and metrics).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from abm.core import use_flags


@njit(cache=True)
def unit_sum(values: np.ndarray, staff_unit: np.ndarray, n_units: int) -> np.ndarray:
    """(U,) sum of a per-staff array within each unit (float64), added in staff order.

    Staff stored unit by unit (as abm.core.build builds them) are summed in a register, one unit at a time.
    """
    out = np.zeros(n_units)
    if values.size == 0:
        return out
    unit, acc = staff_unit[0], 0.0
    for i in range(values.size):
        if staff_unit[i] != unit:
            out[unit] += acc
            unit, acc = staff_unit[i], 0.0
        acc += values[i]
    out[unit] += acc
    return out


@njit(cache=True)
def unit_sum_columns(values: np.ndarray, staff_unit: np.ndarray, n_units: int) -> np.ndarray:
    """(U, k) unit_sum of each column of a per-staff (n, k) array, in one pass over the rows: the same
    additions in the same order as unit_sum column by column (so the same bits)."""
    n, k = values.shape
    out = np.zeros((n_units, k))
    if n == 0:
        return out
    if k == 4:  # the maturity dimensions: the four sums in registers
        unit, a0, a1, a2, a3 = staff_unit[0], 0.0, 0.0, 0.0, 0.0
        for i in range(n):
            if staff_unit[i] != unit:
                out[unit, 0] += a0
                out[unit, 1] += a1
                out[unit, 2] += a2
                out[unit, 3] += a3
                unit, a0, a1, a2, a3 = staff_unit[i], 0.0, 0.0, 0.0, 0.0
            a0 += values[i, 0]
            a1 += values[i, 1]
            a2 += values[i, 2]
            a3 += values[i, 3]
        out[unit, 0] += a0
        out[unit, 1] += a1
        out[unit, 2] += a2
        out[unit, 3] += a3
        return out
    acc = np.zeros(k)
    unit = staff_unit[0]
    for i in range(n):
        if staff_unit[i] != unit:
            for j in range(k):
                out[unit, j] += acc[j]
                acc[j] = 0.0
            unit = staff_unit[i]
        for j in range(k):
            acc[j] += values[i, j]
    for j in range(k):
        out[unit, j] += acc[j]
    return out


def unit_counts(flags: np.ndarray, staff_unit: np.ndarray, n_units: int) -> np.ndarray:
    """(U, k) number of staff in each unit with each of k flags set (`flags` is (n, k) bool). Exact counts.

    Flags stored service by service (the model's use flags, abm/core/use_flags.py) are counted in words along
    each service; any other layout row by row (the reference the word passes are tested against).
    """
    major = use_flags.by_service(flags)
    if major is not None:
        return use_flags.unit_counts(major, staff_unit, n_units)
    return _unit_counts(np.ascontiguousarray(flags, dtype=np.bool_), staff_unit, n_units)


@njit(cache=True)
def _unit_counts(flags: np.ndarray, staff_unit: np.ndarray, n_units: int) -> np.ndarray:
    n, k = flags.shape
    out = np.zeros((n_units, k), dtype=np.int64)
    for i in range(n):
        u = staff_unit[i]
        for j in range(k):
            out[u, j] += flags[i, j]  # no branch: adding a bool
    return out


def column_counts(flags: np.ndarray) -> np.ndarray:
    """(k,) number of rows with each of k flags set (`flags` is (n, k) bool). Exact counts: in words along
    each service for the model's use flags, row by row for any other layout."""
    major = use_flags.by_service(flags)
    if major is not None:
        return use_flags.column_counts(major)
    return _column_counts(np.ascontiguousarray(flags, dtype=np.bool_))


@njit(cache=True)
def _column_counts(flags: np.ndarray) -> np.ndarray:
    n, k = flags.shape
    out = np.zeros(k, dtype=np.int64)
    for i in range(n):
        for j in range(k):
            out[j] += flags[i, j]  # no branch: adding a bool
    return out


@njit(cache=True)
def total_score(vectors: np.ndarray, reality: np.ndarray) -> int:
    """Sum over rows of vector x reality (exact integer arithmetic)."""
    n, m = vectors.shape
    total = 0
    for i in range(n):
        row = 0
        for j in range(m):
            row += vectors[i, j] * reality[j]
        total += row
    return total
