"""National mandates, rolled out top-down with a deadline in every practice (Moll et al. 2018 on record
access in Sweden; Greenhalgh et al. 2017 on top-down programmes). Each care unit gets a start week between
the service's arrival and its deadline, in a random order; a unit then implements it whatever its practice,
and succeeds or struggles with its readiness (know-how, support, workload)."""

from __future__ import annotations

import numpy as np

from abm.core.state import NEVER, UnitKind
from abm.core.state import ServiceState as SS


def schedule(arrival: np.ndarray, mandate_weeks: np.ndarray, kind: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """(U, S) week each care unit must start each mandated service (NEVER for the rest): the k-th of n care
    units in a random order starts at arrival + ceil(k / n x mandate_weeks). One permutation per service."""
    n_units, n_services = kind.size, arrival.size
    out = np.full((n_units, n_services), NEVER, dtype=np.int32)
    care = np.flatnonzero(kind != UnitKind.INNOVATION)
    for s in range(n_services):
        order = rng.permutation(care)
        if mandate_weeks[s] <= 0 or care.size == 0:
            continue
        rank = np.arange(1, care.size + 1)
        out[order, s] = arrival[s] + np.ceil(rank / care.size * mandate_weeks[s]).astype(np.int32)
    return out


def start(state: np.ndarray, mandate_week: np.ndarray, week: int) -> np.ndarray:
    """Mask of unit-services a mandate starts this week: due and not already piloting or live."""
    idle = (state == SS.AVAILABLE) | (state == SS.ABANDONED)
    return idle & (mandate_week <= week)
