"""Phase 6, care against demand. Exploring costs care now (March 1991): time spent exploring, implementing or
training is not spent on patients; good codes and used services raise output later. Care delivered is at
most demand; unmet demand waits (a waiting list, part of which gives up each week); remote contacts take less
staff time than visits, so remote services stretch capacity.

Per person: time = clip(1 - learning time - training time if trained, 0, 1); quality = 1/2 + performance/2m;
base = (1 - quality_weight) + quality_weight x quality; digital = 1 + digital_gain / S x sum over used services
of experienced advantage x know-how in the service's dimension (a misfitting service can lower output);
output = time x base x digital, capacity = base x digital (output at full time).
Per unit: contacts it can deliver = output sum / (1 - remote share x (1 - remote_time)); delivered =
min(new demand + waiting, that); waiting' = (new demand + waiting - delivered) x (1 - renege).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from abm.core import use_flags
from abm.core.params import CareParams


def output_and_capacity(
    learning_time: np.ndarray, trained: np.ndarray, performance: np.ndarray, m: int, uses: np.ndarray,
    advantage: np.ndarray, dimension: np.ndarray, knowhow: np.ndarray, cp: CareParams,
) -> tuple[np.ndarray, np.ndarray]:
    """(care a person can give this week, what they could give at full time), in visits."""
    major = use_flags.by_service(uses)
    if major is not None:  # the model's layout: service by service, the same additions per person
        digital = use_flags.digital_sums(major, advantage, dimension, knowhow)
    else:
        digital = _digital_rows(uses, advantage, dimension, knowhow)
    return _output(learning_time, trained, performance, float(max(m, 1)), digital, cp.training_time,
                   cp.quality_weight, cp.digital_gain / max(advantage.size, 1))


@njit(cache=True)
def _digital_rows(uses, advantage, dimension, knowhow):  # pragma: no cover - compiled
    """(n,) sum over the services each person uses, in service order, of advantage x know-how in its dimension."""
    n = uses.shape[0]
    out = np.zeros(n)
    for i in range(n):
        digital = 0.0
        for s in range(advantage.size):
            if uses[i, s]:
                digital += advantage[s] * knowhow[i, dimension[s]]
        out[i] = digital
    return out


@njit(cache=True)
def _output(learning_time, trained, performance, m, digital, training_time, quality_weight,
            gain_per_service):  # pragma: no cover - compiled; documented by output_and_capacity
    n = learning_time.size
    out, capacity = np.empty(n), np.empty(n)
    for i in range(n):
        time = 1.0 - learning_time[i] - (training_time if trained[i] else 0.0)
        time = min(max(time, 0.0), 1.0)
        quality = 0.5 + 0.5 * performance[i] / m
        full_time = ((1.0 - quality_weight) + quality_weight * quality) * (1.0 + gain_per_service * digital[i])
        capacity[i] = full_time
        out[i] = time * full_time
    return out, capacity


def contact_capacity(output: np.ndarray, remote_share: np.ndarray, remote_time: float) -> np.ndarray:
    """Contacts a unit can deliver from its staff's output: remote contacts take `remote_time` of a visit."""
    return output / (1.0 - remote_share * (1.0 - remote_time))


def deliver(
    demand: np.ndarray, waiting: np.ndarray, capacity: np.ndarray, renege: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(contacts delivered, unmet demand, next week's waiting list): delivered is at most what is asked."""
    asked = demand + waiting
    delivered = np.minimum(asked, capacity)
    unmet = asked - delivered
    return delivered, unmet, unmet * (1.0 - renege)


def workload(asked: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """What is asked of a unit relative to what it can deliver when nobody explores."""
    return asked / np.maximum(capacity, 1e-9)
