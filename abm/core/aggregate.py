"""Sums of per-staff arrays within units and over the region, as compiled single passes.

At thousands of staff each is a few microseconds, where np.bincount with weights, a sparse product
or an int8-to-float copy costs tens to hundreds (they run several times a week, for maturity and metrics).
"""

from __future__ import annotations

import sys

import numpy as np
from numba import njit
from numba.extending import register_jitable

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
    """(U, k) number of staff in each unit with each of k flags set (`flags` is (n, k) bool).

    With k dividing 8 (up to 8 services) each person's flags are one or more bytes of uint64 words,
    summed in lanes over a run of staff of the same unit (emptied before a lane can overflow). Exact counts.
    """
    major = use_flags.by_service(flags)
    if major is not None:  # stored service by service (the model's use flags): words along each service
        return use_flags.unit_counts(major, staff_unit, n_units)
    n, k = flags.shape
    flags = np.ascontiguousarray(flags, dtype=np.bool_)
    by_words = not (k == 0 or 8 % k or n * k % 8 or sys.byteorder != "little")
    words = flags.reshape(-1).view(np.uint8).view(np.uint64) if by_words else np.zeros(0, np.uint64)
    return _unit_counts_words(words, flags, staff_unit, n_units, k, by_words)


@register_jitable
def _unit_counts(flags: np.ndarray, staff_unit: np.ndarray, n_units: int) -> np.ndarray:
    n, k = flags.shape
    out = np.zeros((n_units, k), dtype=np.int64)
    for i in range(n):
        u = staff_unit[i]
        for j in range(k):
            out[u, j] += flags[i, j]  # no branch: adding a bool
    return out


@njit(cache=True)
def _unit_counts_words(words: np.ndarray, flags: np.ndarray, staff_unit: np.ndarray, n_units: int, k: int,
                       by_words: bool) -> np.ndarray:
    """Word w holds the flags of people 8w/k .. 8w/k + 8/k - 1 (byte b: person 8w/k + b // k, flag b % k);
    without words (`by_words` false) the flags are counted one by one."""
    if not by_words:
        return _unit_counts(flags, staff_unit, n_units)
    out = np.zeros((n_units, k), dtype=np.int64)
    per_word = 8 // k
    acc = np.uint64(0)
    added = 0
    unit = staff_unit[0] if staff_unit.size else 0
    for w in range(words.size):
        first = w * per_word
        same = True
        for b in range(per_word):
            same &= staff_unit[first + b] == unit
        if not same or added == 255:  # empty the lanes into the unit they count
            for b in range(8):
                out[unit, b % k] += (acc >> np.uint64(8 * b)) & np.uint64(0xFF)
            acc, added = np.uint64(0), 0
        if same:
            acc += words[w]
            added += 1
            continue
        for b in range(8):  # people of different units in one word: byte by byte
            person = first + b // k
            out[staff_unit[person], b % k] += (words[w] >> np.uint64(8 * b)) & np.uint64(0xFF)
        unit = staff_unit[min(first + per_word, staff_unit.size - 1)]
    for b in range(8):
        out[unit, b % k] += (acc >> np.uint64(8 * b)) & np.uint64(0xFF)
    return out


def column_counts(flags: np.ndarray) -> np.ndarray:
    """(k,) number of rows with each of k flags set (`flags` is (n, k) bool).

    With k dividing 8 (up to 8 services) and little-endian words, eight flags at a time: the bytes of
    uint64 words are summed in lanes, emptied every 255 words before a lane can overflow. Exact counts.
    """
    major = use_flags.by_service(flags)
    if major is not None:
        return use_flags.column_counts(major)
    n, k = flags.shape
    flags = np.ascontiguousarray(flags, dtype=np.bool_)
    by_words = not (k == 0 or 8 % k or sys.byteorder != "little")
    flat = flags.reshape(-1).view(np.uint8)
    return _column_counts_words(flat[: flat.size // 8 * 8].view(np.uint64), flat, flags, k, by_words)


@register_jitable
def _column_counts(flags: np.ndarray) -> np.ndarray:
    n, k = flags.shape
    out = np.zeros(k, dtype=np.int64)
    for i in range(n):
        for j in range(k):
            out[j] += flags[i, j]  # no branch: adding a bool
    return out


@njit(cache=True)
def _column_counts_words(words: np.ndarray, flat: np.ndarray, flags: np.ndarray, k: int, by_words: bool) -> np.ndarray:
    if not by_words:
        return _column_counts(flags)
    lanes = np.zeros(8, dtype=np.int64)  # byte b of every word: column b % k
    w = 0
    while w < words.size:
        acc = np.uint64(0)
        for v in range(w, min(w + 255, words.size)):
            acc += words[v]
        for b in range(8):
            lanes[b] += (acc >> np.uint64(8 * b)) & np.uint64(0xFF)
        w += 255
    out = np.zeros(k, dtype=np.int64)
    for b in range(8):
        out[b % k] += lanes[b]
    for c in range(8 * words.size, flat.size):  # the bytes after the last whole word
        out[c % k] += flat[c]
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
