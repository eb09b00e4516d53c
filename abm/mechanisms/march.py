"""Phase 5 (acting, socialising) and phase 7 (code learning): mutual learning of March (1991).

Rules that reproduction needs follow Christensen (2015): a 0-belief acts as a fair coin flip;
socialisation is gradual (a 0 takes the code's value, an opposite belief becomes 0); the code moves
to the strict majority of the superior group's actions with probability 1 - (1 - p2)^k.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

BLOCK = 1 << 16  # draws per block in socialise: 512 KiB of float64, within a core's L2 cache


def act(beliefs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Actions: the belief where it is +/-1, a fair coin flip where it is 0.

    One random bit per person and dimension every week (common random numbers), not one float:
    64 times fewer random bits for exactly fair coins.
    """
    size = beliefs.size
    bits = np.frombuffer(rng.bytes((size + 7) // 8), dtype=np.uint8)
    actions = np.unpackbits(bits, count=size).view(np.int8).reshape(beliefs.shape)  # 0/1, then +/-1
    actions *= 2
    actions -= 1
    actions *= (beliefs == 0).view(np.int8)  # int8 arithmetic: np.where / copyto(where=) are 20x slower here
    actions += beliefs
    return actions


def score(vectors: np.ndarray, reality: np.ndarray) -> np.ndarray:
    """Sum of vector x reality along the last axis (March's performance / knowledge)."""
    if vectors.shape[-1] < 2**24:  # float32 BLAS sums of +/-1 and 0 are exact below 2^24 terms
        return (vectors.astype(np.float32) @ reality.astype(np.float32)).astype(np.int64)
    return vectors.astype(np.int64) @ reality.astype(np.int64)


def socialise(
    beliefs: np.ndarray, staff_code: np.ndarray, p_staff: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Gradual socialisation toward the unit code with personal rate p1 per dimension."""
    out = np.empty_like(beliefs)
    n, m = beliefs.shape
    rows = max(1, BLOCK // max(m, 1))  # blocks of rows keep the draws in cache (the same draws, in order)
    draws = np.empty((min(rows, n), m))
    for start in range(0, n, rows):
        block = slice(start, min(start + rows, n))
        d = draws[: block.stop - start]
        rng.random(out=d)
        belief, code = beliefs[block], staff_code[block]
        move = d < p_staff[block, None]
        move &= belief != code
        # a moving 0 takes the code (0 + c) and a moving opposite belief becomes 0 (-c + c): add the
        # code; where the code is 0 adding it changes nothing, so no test for it is needed
        np.multiply(code, move.view(np.int8), out=out[block])
        out[block] += belief
    return out


def membership(staff_unit: np.ndarray, n_units: int) -> sp.csr_matrix:
    """(U, n) 0/1 matrix of who belongs to which unit; `membership @ x` sums x within units."""
    ones = np.ones(staff_unit.size)
    return sp.csr_matrix((ones, (staff_unit, np.arange(staff_unit.size))), shape=(n_units, staff_unit.size))


def learn_code(
    code: np.ndarray, actions: np.ndarray, performance: np.ndarray, staff_unit: np.ndarray,
    members: sp.csr_matrix, reality: np.ndarray, p2: float, rng: np.random.Generator,
) -> np.ndarray:
    """The code moves to the superior group's strict majority with probability 1 - (1 - p2)^k."""
    code_score = score(code, reality)
    superior = performance > code_score[staff_unit]
    net = superior_sums(actions, superior, staff_unit, members)
    k = np.abs(net)
    majority = np.sign(net).astype(np.int8)
    p_move = 1.0 - (1.0 - p2) ** k
    change = (majority != 0) & (majority != code) & (rng.random(code.shape) < p_move)
    return np.where(change, majority, code).astype(np.int8)


def superior_sums(
    actions: np.ndarray, superior: np.ndarray, staff_unit: np.ndarray, members: sp.csr_matrix
) -> np.ndarray:
    """(U, m) sum of the superior staff's actions within each unit, as int64.

    Staff stored unit by unit (as abm.setup builds them) are summed in contiguous blocks, without a
    float copy of every action; otherwise through the membership matrix.
    """
    if members.shape[0] and np.all(staff_unit[1:] >= staff_unit[:-1]) and members.shape[0] == staff_unit[-1] + 1:
        starts = np.searchsorted(staff_unit, np.arange(members.shape[0]))
        if np.all(starts[1:] > starts[:-1]) and staff_unit.size < 2**24:  # non-empty blocks; exact in float32
            chosen = actions.astype(np.float32)
            chosen *= superior[:, None]
            return np.add.reduceat(chosen, starts, axis=0).astype(np.int64)
    chosen = actions * superior[:, None]
    return np.rint(members @ chosen.astype(np.float64)).astype(np.int64)


def at_equilibrium(beliefs: np.ndarray, staff_code: np.ndarray) -> bool:
    """Every person equals the code everywhere and the code has no 0 (so nobody can beat it)."""
    return bool((staff_code != 0).all() and (beliefs == staff_code).all())
