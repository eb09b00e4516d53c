"""Who uses which service, stored service by service: the passes over the (n, S) use flags.

The model keeps `StaffState.uses` in Fortran order, so each service's flags are n contiguous bytes. A count
over staff is then a sum of uint64 words (eight people at a time), for any number of services, and a service
nobody uses (most proposals, most of the time: docs/ODD.md 7.2a) is skipped after one scan. Every function
here gives exactly what its row-by-row twin gives (aggregate.unit_counts and column_counts,
knowhow.used_per_dimension, care.output_and_capacity, and `uses & allowed[staff_unit]`), which dispatch to
them for Fortran-ordered flags; tests/core/test_kernels.py checks each pair on random flags.
"""

from __future__ import annotations

import sys

import numpy as np
from numba import njit
from numba.extending import register_jitable

_LOW_BYTES = np.uint64(0x00FF00FF00FF00FF)
_LANES16 = np.uint64(0x0001000100010001)


def by_service(flags: np.ndarray) -> np.ndarray | None:
    """The (S, n) bytes of an (n, S) bool array stored service by service (Fortran order), without a copy;
    None for any other layout (the callers then take the row-by-row path)."""
    if flags.ndim != 2 or flags.dtype != np.bool_ or not flags.flags.f_contiguous or sys.byteorder != "little":
        return None
    return flags.T.view(np.uint8)


def empty(shape: tuple[int, int]) -> np.ndarray:
    """An all-False (n, S) use array in the model's layout."""
    return np.zeros(shape, dtype=np.bool_, order="F")


@register_jitable
def _byte_sum(acc: np.uint64) -> int:  # pragma: no cover - compiled
    """Sum of the eight byte lanes of `acc` (each at most 255): pairs into 16-bit lanes, then one multiply."""
    pairs = (acc & _LOW_BYTES) + ((acc >> np.uint64(8)) & _LOW_BYTES)
    return np.int64((pairs * _LANES16) >> np.uint64(48))


@register_jitable
def _count(row: np.ndarray, a: int, b: int) -> int:  # pragma: no cover - compiled
    """Number of set bytes in row[a:b] (bytes 0 or 1): the unaligned ends byte by byte, whole words between,
    their lanes emptied every 255 words before one can overflow."""
    count = 0
    i = a
    while i < b and i % 8:
        count += row[i]
        i += 1
    first, last = i // 8, b // 8
    if last > first:
        words = row[first * 8:last * 8].view(np.uint64)
        w = 0
        while w < words.size:
            acc = np.uint64(0)
            end = min(w + 255, words.size)
            for v in range(w, end):
                acc += words[v]
            count += _byte_sum(acc)
            w = end
        i = last * 8
    while i < b:
        count += row[i]
        i += 1
    return count


@register_jitable
def _any(row: np.ndarray) -> bool:  # pragma: no cover - compiled
    """Whether any byte of the row is set (stops at the first word that has one)."""
    n = row.size
    words = row[: n // 8 * 8].view(np.uint64)
    for w in range(words.size):
        if words[w]:
            return True
    found = False
    for i in range(n // 8 * 8, n):  # the bytes after the last whole word
        found |= row[i] != 0
    return found


@register_jitable
def _runs(staff_unit: np.ndarray) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    """(starts (R + 1,), unit of each run (R,)) of the runs of consecutive staff in the same unit."""
    n = staff_unit.size
    starts = np.empty(n + 1, dtype=np.int64)
    units = np.empty(n, dtype=np.int64)
    r = 0
    for i in range(n):
        if i == 0 or staff_unit[i] != staff_unit[i - 1]:
            starts[r] = i
            units[r] = staff_unit[i]
            r += 1
    starts[r] = n
    return starts[: r + 1], units[:r]


@njit(cache=True)
def column_counts(major: np.ndarray) -> np.ndarray:  # pragma: no cover - compiled
    """(S,) number of staff using each service, from the (S, n) bytes."""
    n_services, n = major.shape
    out = np.zeros(n_services, dtype=np.int64)
    for s in range(n_services):
        if _any(major[s]):
            out[s] = _count(major[s], 0, n)
    return out


@njit(cache=True)
def unit_counts(major: np.ndarray, staff_unit: np.ndarray, n_units: int) -> np.ndarray:  # pragma: no cover
    """(U, S) number of each unit's staff using each service, from the (S, n) bytes (staff of a unit need not
    be consecutive: each run of consecutive staff of one unit is counted in words)."""
    n_services, n = major.shape
    out = np.zeros((n_units, n_services), dtype=np.int64)
    starts, units = _runs(staff_unit)
    for s in range(n_services):
        row = major[s]
        if not _any(row):
            continue
        for r in range(units.size):
            out[units[r], s] += _count(row, starts[r], starts[r + 1])
    return out


@njit(cache=True)
def used_per_dimension(major: np.ndarray, dimension: np.ndarray, n_dims: int) -> np.ndarray:  # pragma: no cover
    """(n, D) number of services each person uses in each dimension (as float64), from the (S, n) bytes."""
    n_services, n = major.shape
    counts = np.zeros((n_dims, n), dtype=np.int32)
    for s in range(n_services):
        row = major[s]
        if not _any(row):
            continue
        into = counts[dimension[s]]
        for i in range(n):
            into[i] += row[i]
    out = np.empty((n, n_dims))
    for i in range(n):
        for d in range(n_dims):
            out[i, d] = counts[d, i]
    return out


@njit(cache=True)
def digital_sums(major: np.ndarray, advantage: np.ndarray, dimension: np.ndarray,
                 knowhow: np.ndarray) -> np.ndarray:  # pragma: no cover - compiled
    """(n,) sum over the services each person uses, in service order, of advantage x know-how in the
    service's dimension: the same additions per person as care's row-by-row loop (so the same bits)."""
    n_services, n = major.shape
    out = np.zeros(n)
    for s in range(n_services):
        row = major[s]
        if not _any(row):
            continue
        a, d = advantage[s], dimension[s]
        for i in range(n):
            if row[i]:
                out[i] += a * knowhow[i, d]
    return out


@njit(cache=True)
def keep_allowed(major: np.ndarray, allowed: np.ndarray, staff_unit: np.ndarray) -> None:  # pragma: no cover
    """In place: a person keeps using a service only where their unit allows it (`allowed` (U, S) bool);
    `uses &= allowed[staff_unit]` on the (S, n) bytes, a run of one unit's staff at a time, skipping services
    nobody uses or every unit allows."""
    n_services, n = major.shape
    starts, units = _runs(staff_unit)
    for s in range(n_services):
        every = True
        for u in range(allowed.shape[0]):
            every &= allowed[u, s]
        row = major[s]
        if every or not _any(row):
            continue
        for r in range(units.size):
            if not allowed[units[r], s]:
                row[starts[r]:starts[r + 1]] = 0


def keep_allowed_flags(flags: np.ndarray, allowed: np.ndarray, staff_unit: np.ndarray) -> None:
    """In place, any layout: flags &= allowed[staff_unit] (the service-major pass for the model's layout)."""
    major = by_service(flags)
    if major is None:
        flags &= np.take(allowed, staff_unit, axis=0)
    else:
        keep_allowed(major, np.ascontiguousarray(allowed, dtype=np.bool_), staff_unit)
