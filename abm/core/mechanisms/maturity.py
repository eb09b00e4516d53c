"""Phase 10 input: digital maturity per unit on four dimensions of the HIMSS Digital Health Indicator
(governance and workforce, interoperability, person-enabled health, predictive analytics; 0-100 each)
and a stage 0-7 under cumulative criteria, as in HIMSS EMRAM (a stage needs every lower stage's criterion)."""

from __future__ import annotations

import numpy as np

from abm.core.params import DIMENSIONS, MaturityParams
from abm.core.state import ServiceState as SS


def state_weights(mp: MaturityParams) -> np.ndarray:
    """A lifecycle state's weight in the score, by state code (routinised 1, not yet or abandoned 0)."""
    weight = np.zeros(len(SS))
    weight[SS.PILOTING], weight[SS.IMPLEMENTING], weight[SS.ROUTINISED] = (
        mp.weight_piloting, mp.weight_implementing, 1.0)
    return weight


def stage_criteria(mp: MaturityParams) -> tuple[str, ...]:
    """Stage s (1-7) requires criterion s and every criterion below it; each is a readable rule."""
    return (
        f"total score >= {mp.stage1_total:g}",
        f"governance and workforce >= {mp.stage2_governance:g}",
        "at least one service routinised",
        f"person-enabled health >= {mp.stage4_person:g}",
        f"interoperability >= {mp.stage5_interoperability:g} and total >= {mp.stage5_total:g}",
        f"predictive analytics >= {mp.stage6_predictive:g} and {mp.stage6_routinised} services routinised",
        f"every dimension >= {mp.stage7_every:g}",
    )


def service_component(
    state: np.ndarray, adoption: np.ndarray, dimension: np.ndarray, weight: np.ndarray, uptake: np.ndarray,
    reference: np.ndarray | None = None, n_dims: int = len(DIMENSIONS),
) -> np.ndarray:
    """(U, 4): per dimension, the sum over its services of lifecycle weight x staff adoption share in the unit x
    patient uptake (1 for services that do not need patients: HIMSS's person-enabled health counts patients'
    use, not only staff's), over the dimension's `reference` count of services (by default every service in
    it), at most 1. The model's reference is the listed catalogue, so a proposal the region never takes up
    does not lower maturity and one it takes up adds capability (up to the full score)."""
    contrib = weight[state] * adoption * uptake
    members = dimension[:, None] == np.arange(n_dims)[None, :]  # (S, 4): which dimension each service serves
    count = members.sum(axis=0) if reference is None else reference
    return np.minimum(contrib @ (members / np.maximum(count, 1)), 1.0)  # a dimension without services: 0


def scores(
    knowhow: np.ndarray, champion_share: np.ndarray, support: np.ndarray, services: np.ndarray, mp: MaturityParams
) -> np.ndarray:
    """(U, 4) maturity scores in [0, 100] from the unit's mean know-how per dimension `knowhow` (U, 4):
    governance and workforce from people and leadership and services overall; the other dimensions from
    live, used services in them and know-how in them."""
    out = np.empty_like(services)
    out[:, 0] = (mp.gov_knowhow * knowhow.mean(axis=1) + mp.gov_champions * np.minimum(
        champion_share / mp.champion_target, 1.0) + mp.gov_support * support + mp.gov_services * services.mean(axis=1))
    out[:, 1:] = mp.w_knowhow * knowhow[:, 1:] + mp.w_services * services[:, 1:]
    return 100.0 * np.clip(out, 0.0, 1.0)


def criteria(score: np.ndarray, n_routinised: np.ndarray, mp: MaturityParams) -> np.ndarray:
    """(U, 7) whether each unit meets each stage's criterion."""
    total = score.sum(axis=1)
    gov, interop, person, predictive = score.T
    return np.stack([
        total >= mp.stage1_total,
        gov >= mp.stage2_governance,
        n_routinised >= 1,
        person >= mp.stage4_person,
        (interop >= mp.stage5_interoperability) & (total >= mp.stage5_total),
        (predictive >= mp.stage6_predictive) & (n_routinised >= mp.stage6_routinised),
        (score >= mp.stage7_every).all(axis=1),
    ], axis=1)


def stage(met: np.ndarray) -> np.ndarray:
    """Highest s such that criteria 1..s all hold (cumulative): the count of leading True values."""
    return np.cumprod(met, axis=1).sum(axis=1).astype(np.int8)
