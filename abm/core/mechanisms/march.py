"""Phase 5 (acting, socialising) and phase 7 (code learning): mutual learning of March (1991).

Rules that reproduction needs follow Christensen (2015): a 0-belief acts as a fair coin flip;
socialisation is gradual (a 0 takes the code's value, an opposite belief becomes 0); the code moves
to the strict majority of the superior group's actions with probability 1 - (1 - p2)^k.
"""

from __future__ import annotations

import numpy as np
from numba import njit


def act(beliefs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Actions: the belief where it is +/-1, a fair coin flip where it is 0.

    One random bit per person and dimension every week (common random numbers), not one float:
    64 times fewer random bits for exactly fair coins. Cell k (row-major) uses bit k of the drawn
    bytes, most significant bit first.
    """
    beliefs = np.ascontiguousarray(beliefs)
    bits = np.frombuffer(rng.bytes((beliefs.size + 7) // 8), dtype=np.uint8)
    actions = np.empty_like(beliefs)
    _act(_cells(beliefs), _words(beliefs), bits, _cells(actions), _words(actions))
    return actions


def _cells(a: np.ndarray) -> np.ndarray:
    """A contiguous int8 array as one flat row of cells."""
    return a.reshape(-1)


def _words(a: np.ndarray) -> np.ndarray:
    """The same cells, eight at a time, as uint64 words (a trailing partial word is left out)."""
    flat = a.reshape(-1)
    return flat[: flat.size // 8 * 8].view(np.uint64)


LOW7 = np.uint64(0x7F7F7F7F7F7F7F7F)
# COINS[byte]: eight +/-1 int8 coins as one word, cell j taking bit 7 - j of the byte (0 -> -1, 1 -> +1)
COINS = (
    np.where(np.unpackbits(np.arange(256, dtype=np.uint8)).reshape(256, 8) == 1, 1, -1)
    .astype(np.int8)
    .view(np.uint64)
    .ravel()
)


@njit(cache=True)
def _act(
    beliefs: np.ndarray, belief_words: np.ndarray, bits: np.ndarray, actions: np.ndarray, action_words: np.ndarray
) -> None:
    coins = COINS
    for w in range(belief_words.size):  # eight cells at a time, without branches
        v = belief_words[w]
        zero = ~(((v & LOW7) + LOW7) | v | LOW7)  # 0x80 in each zero byte, 0 elsewhere
        mask = (zero >> np.uint64(7)) * np.uint64(0xFF)  # 0xFF in each zero byte
        action_words[w] = (v & ~mask) | (coins[bits[w]] & mask)
    for k in range(8 * belief_words.size, beliefs.size):
        b = beliefs[k]
        actions[k] = b if b != 0 else 2 * ((bits[k >> 3] >> (7 - (k & 7))) & 1) - 1


def score(vectors: np.ndarray, reality: np.ndarray) -> np.ndarray:
    """Sum of vector x reality along the last axis (March's performance / knowledge), as int64.

    Rows of int8 (beliefs, actions, codes) are summed in a compiled loop (vectorised by the compiler);
    other input by a float32 product, exact for +/-1 and 0 below 2^24 terms, or in int64."""
    if vectors.ndim == 2 and vectors.dtype == np.int8 and reality.dtype == np.int8:
        return _row_scores(vectors, reality)
    if vectors.shape[-1] < 2**24:  # float32 BLAS sums of +/-1 and 0 are exact below 2^24 terms
        return (vectors.astype(np.float32) @ reality.astype(np.float32)).astype(np.int64)
    return vectors.astype(np.int64) @ reality.astype(np.int64)


@njit(cache=True)
def _row_scores(vectors: np.ndarray, reality: np.ndarray) -> np.ndarray:  # pragma: no cover - compiled
    n, m = vectors.shape
    out = np.empty(n, dtype=np.int64)
    for i in range(n):
        row = 0
        for j in range(m):
            row += vectors[i, j] * reality[j]
        out[i] = row
    return out


def socialise(beliefs: np.ndarray, staff_code: np.ndarray, p_staff: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Gradual socialisation toward the unit code with personal rate p1 per dimension.

    Only a belief that differs from a non-zero code can move, so only those cells draw a uniform,
    in row-major order (as the population converges, that is a few percent of the cells).
    """
    beliefs, staff_code = np.ascontiguousarray(beliefs), np.ascontiguousarray(staff_code)
    cells = _movable(_cells(beliefs), _words(beliefs), _cells(staff_code), _words(staff_code))
    out = beliefs.copy()
    _move(cells, rng.random(cells.size), p_staff, beliefs.shape[1], _cells(staff_code), _cells(out))
    return out


@njit(cache=True)
def _move(cells: np.ndarray, draws: np.ndarray, p_staff: np.ndarray, m: int, code: np.ndarray, out: np.ndarray) -> None:
    """Cell cells[i] (of row cells[i] // m) moves if draws[i] < that row's rate."""
    for i in range(cells.size):
        k = cells[i]
        if draws[i] < p_staff[k // m]:
            out[k] += code[k]  # a 0 takes the code (0 + c); an opposite belief becomes 0 (-c + c)


@njit(cache=True)
def _movable(beliefs: np.ndarray, belief_words: np.ndarray, code: np.ndarray, code_words: np.ndarray) -> np.ndarray:
    """Row-major indices of the cells whose belief differs from a non-zero code (eight cells a word)."""
    found = np.empty(beliefs.size, dtype=np.int64)
    n_found = 0
    n_words = belief_words.size
    for w in range(n_words):
        bw, cw = belief_words[w], code_words[w]
        if bw == cw:
            continue  # eight cells equal to the code
        x = bw ^ cw
        differ = ((x & LOW7) + LOW7) | x  # high bit of each byte: the belief differs from the code
        coded = ((cw & LOW7) + LOW7) | cw  # high bit of each byte: the code is not 0
        movable = differ & coded
        for j in range(8):
            found[n_found] = 8 * w + j
            n_found += (movable >> np.uint64(8 * j + 7)) & np.uint64(1)
    for k in range(8 * n_words, beliefs.size):  # the partial word at the end, if any
        found[n_found] = k
        n_found += (code[k] != 0) & (beliefs[k] != code[k])
    return found[:n_found]


def learn_code(
    code: np.ndarray,
    actions: np.ndarray,
    performance: np.ndarray,
    staff_unit: np.ndarray,
    reality: np.ndarray,
    p2: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """The code moves to the superior group's strict majority with probability 1 - (1 - p2)^k."""
    net = _superior_sums_by_score(actions, performance, score(code, reality), staff_unit, code.shape[0])
    return _move_code(code, net, p2, rng.random(code.shape))  # one uniform per unit and dimension


@njit(cache=True)
def _move_code(code: np.ndarray, net: np.ndarray, p2: float, draws: np.ndarray) -> np.ndarray:
    """Where the superior group's net vote k is not 0 and its sign differs from the code, the code takes
    the sign if the draw is below 1 - (1 - p2)^|k|."""
    out = code.copy()
    n_units, m = code.shape
    for u in range(n_units):
        for j in range(m):
            k = net[u, j]
            majority = (k > 0) - (k < 0)
            if majority != 0 and majority != code[u, j] and draws[u, j] < 1.0 - (1.0 - p2) ** float(abs(k)):
                out[u, j] = majority
    return out


def superior_sums(actions: np.ndarray, superior: np.ndarray, staff_unit: np.ndarray, n_units: int) -> np.ndarray:
    """(U, m) sum of the superior staff's actions within each unit (the kernel code learning uses, with
    superior as a score above 0)."""
    return _superior_sums_by_score(actions, np.asarray(superior).astype(np.int64), np.zeros(n_units, np.int64),
                                   staff_unit, n_units)


@njit(cache=True)
def _superior_sums_by_score(actions: np.ndarray, performance: np.ndarray, code_score: np.ndarray,
                            staff_unit: np.ndarray, n_units: int) -> np.ndarray:  # pragma: no cover - compiled
    """superior_sums with superior = performance > code_score[staff_unit], decided in the same pass."""
    n, m = actions.shape
    out = np.zeros((n_units, m), dtype=np.int64)
    for i in range(n):
        u = staff_unit[i]
        if performance[i] > code_score[u]:
            for j in range(m):
                out[u, j] += actions[i, j]
    return out


def at_equilibrium(beliefs: np.ndarray, staff_code: np.ndarray) -> bool:
    """Every person equals the code everywhere and the code has no 0 (so nobody can beat it)."""
    return bool((staff_code != 0).all() and (beliefs == staff_code).all())
