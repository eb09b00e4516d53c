"""Building a region at week 0: units, managers, staff, champions and the tie network."""

from __future__ import annotations

import numpy as np

from abm.core.mechanisms.turnover import baseline_knowhow, random_beliefs
from abm.core.network import Network, networked_organisation, organisation_network, watts_strogatz
from abm.core.params import DIMENSIONS, ModelParams, OrganisationParams
from abm.core.state import ROLE_SHARES, ServiceState, StaffState, UnitKind, UnitState

KIND_DEMAND = {UnitKind.PRIMARY_CARE: 1.0, UnitKind.WARD: 1.1, UnitKind.SPECIALIST: 0.95, UnitKind.INNOVATION: 0.3}
INNOVATION_KNOWHOW_BONUS = 0.15


def unit_kinds(org: OrganisationParams) -> np.ndarray:
    """Care units by the kind shares, then the innovation units (the last rows)."""
    n_care = org.n_units - min(org.n_innovation_units, org.n_units - 1)
    n_primary = round(n_care * org.share_primary_care)
    n_wards = round(n_care * org.share_wards)
    n_primary = min(n_primary, n_care)
    n_wards = min(n_wards, n_care - n_primary)
    kinds = [UnitKind.PRIMARY_CARE] * n_primary + [UnitKind.WARD] * n_wards
    kinds += [UnitKind.SPECIALIST] * (n_care - len(kinds))
    kinds += [UnitKind.INNOVATION] * (org.n_units - n_care)
    return np.array(kinds, dtype=np.int8)


def unit_sizes(org: OrganisationParams, kinds: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Staff per unit: at least one each, the rest spread with unit weights (innovation units small)."""
    weight = np.exp(rng.normal(0.0, 0.3, size=kinds.size))
    weight[kinds == UnitKind.INNOVATION] *= 0.4
    extra = rng.multinomial(org.n_staff - org.n_units, weight / weight.sum())
    return (1 + extra).astype(np.int64)


def pick_champions(staff_unit: np.ndarray, score: np.ndarray, share: float, n_units: int) -> np.ndarray:
    """The top `share` (at least one per unit when share > 0) of each unit by know-how and attitude."""
    champion = np.zeros(staff_unit.size, dtype=bool)
    if share <= 0:
        return champion
    order = np.lexsort((-score, staff_unit))
    starts = np.searchsorted(staff_unit[order], np.arange(n_units))
    sizes = np.bincount(staff_unit, minlength=n_units)
    for u in range(n_units):
        k = max(1, int(round(share * sizes[u])))
        champion[order[starts[u]:starts[u] + min(k, sizes[u])]] = True
    return champion


def build_units(params: ModelParams, rng: np.random.Generator) -> UnitState:
    org, m = params.organisation, params.organisation.n_dims
    kinds = unit_kinds(org)
    sizes = unit_sizes(org, kinds, rng)
    U, S = kinds.size, len(params.services.catalogue)
    enabling = rng.random(U) < org.share_enabling_managers
    support = np.where(enabling, rng.uniform(0.6, 1.0, U), rng.uniform(0.2, 0.6, U))
    demand = org.demand_per_staff * sizes * np.array([KIND_DEMAND[UnitKind(k)] for k in kinds])
    zeros = np.zeros(U)
    return UnitState(
        kind=kinds, size=sizes, code=np.zeros((U, m), dtype=np.int8), demand_base=demand,
        enabling=enabling, support=support, explore_share=zeros.copy(), target_share=zeros.copy(),
        aspiration=zeros.copy(), productivity=zeros.copy(), care=zeros.copy(), demand=demand.copy(),
        workload=zeros.copy(), service_state=np.full((U, S), ServiceState.UNAVAILABLE, dtype=np.int8),
        service_progress=np.zeros((U, S)), service_since=np.zeros((U, S), dtype=np.int32),
        maturity=np.zeros((U, len(DIMENSIONS))), stage=np.zeros(U, dtype=np.int8),
    )


def build_staff(params: ModelParams, units: UnitState, rng: np.random.Generator) -> StaffState:
    org = params.organisation
    n, m, S = org.n_staff, org.n_dims, len(params.services.catalogue)
    staff_unit = np.repeat(np.arange(units.n, dtype=np.int32), units.size)
    knowhow = baseline_knowhow(n, org.knowhow_mean, org.knowhow_sd, rng)
    knowhow = np.clip(knowhow + INNOVATION_KNOWHOW_BONUS * (units.kind[staff_unit] == UnitKind.INNOVATION), 0, 1)
    attitude = rng.beta(2.0, 2.0, size=n)
    champion = pick_champions(staff_unit, knowhow + attitude, org.share_champions, units.n)
    return StaffState(
        unit=staff_unit, role=rng.choice(len(ROLE_SHARES), size=n, p=ROLE_SHARES).astype(np.int8),
        knowhow=knowhow, beliefs=random_beliefs(n, m, rng), attitude=attitude,
        tenure=rng.integers(0, 520, size=n).astype(np.int32), champion=champion,
        uses=np.zeros((n, S), dtype=bool), person_id=np.arange(n, dtype=np.int64),
        p_socialise=per_person(params.learning.p_socialise_each, params.learning.p_socialise, n),
        threshold=per_person(params.adoption.threshold_each, params.adoption.threshold, n),
        actions=np.zeros((n, m), dtype=np.int8), performance=np.zeros(n, dtype=np.int64),
        care=np.zeros(n), trained=np.zeros(n, dtype=bool), left=np.zeros(n, dtype=bool),
    )


def per_person(each: tuple[float, ...], default: float, n: int) -> np.ndarray:
    """Per-staff values by row when given (validated to length n), else everyone the default."""
    return np.array(each, dtype=np.float64) if each else np.full(n, default, dtype=np.float64)


def seed_neighbourhood(staff: StaffState, network: Network, person: int = 0) -> None:
    """Centola (2010): one person and all their contacts start as users of every service."""
    contacts = np.arange(staff.n) if network.complete else network.adjacency.indices[
        network.adjacency.indptr[person]:network.adjacency.indptr[person + 1]]
    staff.uses[person] = True
    staff.uses[contacts] = True


def cross_ties(params: ModelParams, n_staff: int, sizes: np.ndarray) -> int:
    """Cross-unit ties of every practice but `networked`: organisation.mean_cross_ties per person.
    (`sizes` is unused since `networked` sets a share of each person's ties instead of a count.)"""
    return int(round(params.organisation.mean_cross_ties * n_staff / 2))


def build_network(params: ModelParams, staff: StaffState, units: UnitState, rng: np.random.Generator) -> Network:
    """The tie network. Under `networked` the mean degree is the same as under the other practices
    (ties_within + mean_cross_ties) and a share practice.cross_share of it crosses units."""
    sc, org = params.scenario, params.organisation
    if sc.network == "complete":
        return Network.complete_graph(staff.n)
    if sc.network == "watts_strogatz":
        return watts_strogatz(staff.n, sc.ws_k, sc.ws_rewiring, rng)
    if params.practice.name == "networked":
        return networked_organisation(
            staff.unit, staff.champion, org.ties_within + org.mean_cross_ties, params.practice.cross_share,
            org.champion_tie_boost, rng,
        )
    return organisation_network(
        staff.unit, staff.champion, org.ties_within, cross_ties(params, staff.n, units.size),
        org.champion_tie_boost, rng,
    )
