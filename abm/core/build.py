"""Building a region at week 0: units, managers, staff, champions and the tie network."""

from __future__ import annotations

import numpy as np

from abm.core import use_flags
from abm.core.mechanisms.turnover import baseline_knowhow, random_beliefs
from abm.core.network import Network, networked_organisation, organisation_network, watts_strogatz
from abm.core.params import DIMENSIONS, ModelParams, OrganisationParams, structural_innovation_staff
from abm.core.state import NEVER, ServiceState, StaffState, UnitKind, UnitState


def kind_demand(org: OrganisationParams) -> np.ndarray:
    """Relative demand per staff member by unit kind (code order)."""
    return np.array([org.demand_primary_care, org.demand_ward, org.demand_specialist, org.demand_innovation])


def role_shares(org: OrganisationParams) -> np.ndarray:
    """Shares of physicians, nurses, assistant nurses and administrators (Role code order)."""
    rest = 1.0 - org.share_physicians - org.share_nurses - org.share_assistants
    return np.array([org.share_physicians, org.share_nurses, org.share_assistants, max(rest, 0.0)])


def n_innovation(params: ModelParams) -> int:
    """Innovation units are the `structural` practice's design: other practices build none."""
    pr = params.practice
    return params.organisation.n_innovation_units if pr.name == "structural" and pr.budget > 0 else 0


def unit_kinds(org: OrganisationParams, n_innovation_units: int) -> np.ndarray:
    """Care units by the kind shares, then the innovation units (the last rows)."""
    n_care = org.n_units - min(n_innovation_units, org.n_units - 1)
    n_primary = round(n_care * org.share_primary_care)
    n_wards = round(n_care * org.share_wards)
    n_primary = min(n_primary, n_care)
    n_wards = min(n_wards, n_care - n_primary)
    kinds = [UnitKind.PRIMARY_CARE] * n_primary + [UnitKind.WARD] * n_wards
    kinds += [UnitKind.SPECIALIST] * (n_care - len(kinds))
    kinds += [UnitKind.INNOVATION] * (org.n_units - n_care)
    return np.array(kinds, dtype=np.int8)


def unit_sizes(org: OrganisationParams, kinds: np.ndarray, innovation_staff: int,
               rng: np.random.Generator) -> np.ndarray:
    """Staff per unit: at least one each; care units share the care staff with log-normal weights, innovation
    units share `innovation_staff` (sized from the budget under `structural`) evenly."""
    innovation = kinds == UnitKind.INNOVATION
    weight = np.exp(rng.normal(0.0, org.unit_size_sd, size=kinds.size))
    sizes = np.ones(kinds.size, dtype=np.int64)
    n_inn = int(innovation.sum())
    if n_inn:
        inn_extra = max(innovation_staff - n_inn, 0)
        sizes[innovation] += inn_extra // n_inn + (np.arange(n_inn) < inn_extra % n_inn)
    care_extra = org.n_staff - int(sizes.sum())
    w = weight[~innovation]
    sizes[~innovation] += rng.multinomial(care_extra, w / w.sum())
    return sizes


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
    org, m, pr = params.organisation, params.organisation.n_dims, params.practice
    kinds = unit_kinds(org, n_innovation(params))
    sizes = unit_sizes(org, kinds, structural_innovation_staff(org.n_staff, pr.budget, pr.innovation_share), rng)
    U, S = kinds.size, len(params.services.catalogue)
    enabling = rng.random(U) < org.share_enabling_managers
    spread = rng.uniform(-0.2, 0.2, U)
    support = np.clip(np.where(enabling, org.support_enabling, org.support_controlling) + spread, 0.0, 1.0)
    demand = org.demand_per_staff * sizes * kind_demand(org)[kinds]
    zeros = np.zeros(U)
    return UnitState(
        kind=kinds, size=sizes, code=np.zeros((U, m), dtype=np.int8), demand_base=demand,
        enabling=enabling, support=support, explore_share=zeros.copy(), target_share=zeros.copy(),
        aspiration=zeros.copy(), productivity=zeros.copy(), care=zeros.copy(), demand=demand.copy(),
        workload=zeros.copy(), service_state=np.full((U, S), ServiceState.UNAVAILABLE, dtype=np.int8),
        service_progress=np.zeros((U, S)), service_since=np.zeros((U, S), dtype=np.int32),
        maturity=np.zeros((U, len(DIMENSIONS))), stage=np.zeros(U, dtype=np.int8),
        waiting=zeros.copy(), unmet=zeros.copy(), remote_share=zeros.copy(), uptake=np.zeros((U, S)),
        supported=np.zeros((U, S), dtype=bool), mandate_week=np.full((U, S), NEVER, dtype=np.int32),
    )


def build_staff(params: ModelParams, units: UnitState, rng: np.random.Generator) -> StaffState:
    org = params.organisation
    n, m, S = org.n_staff, org.n_dims, len(params.services.catalogue)
    staff_unit = np.repeat(np.arange(units.n, dtype=np.int32), units.size)
    knowhow = baseline_knowhow(n, org.knowhow_mean, org.knowhow_sd, rng)
    innovation = units.kind[staff_unit] == UnitKind.INNOVATION
    knowhow = np.clip(knowhow + org.innovation_knowhow_bonus * innovation[:, None], 0, 1)
    attitude = rng.beta(org.attitude_beta, org.attitude_beta, size=n)
    champion = pick_champions(staff_unit, knowhow.mean(axis=1) + attitude, org.share_champions, units.n)
    shares = role_shares(org)
    return StaffState(
        unit=staff_unit, role=rng.choice(shares.size, size=n, p=shares / shares.sum()).astype(np.int8),
        knowhow=knowhow, beliefs=random_beliefs(n, m, rng), attitude=attitude,
        tenure=rng.integers(0, org.max_initial_tenure + 1, size=n).astype(np.int32), champion=champion,
        uses=use_flags.empty((n, S)), person_id=np.arange(n, dtype=np.int64),
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


def start_services(model) -> None:  # noqa: ANN001 - the RegionModel being built (a circular import otherwise)
    """A realistic start: each service with `start_share` > 0 is routinised at week 0 in that share of the care
    units (chosen at random), used by each of their staff with probability midway between the routinising
    share and everyone, and taken up by the same share of their patients."""
    u, s, mp = model.units, model.staff, model.params.management
    care = np.flatnonzero(u.kind != UnitKind.INNOVATION)
    r = model.rngs["services"]
    use = (mp.routinise_share + 1.0) / 2.0
    for j, spec in enumerate(model.catalogue):
        chosen = r.permutation(care)[: int(round(spec.start_share * care.size))]
        if chosen.size == 0:
            continue
        u.service_state[chosen, j] = ServiceState.ROUTINISED
        members = np.isin(s.unit, chosen)
        s.uses[:, j] = members & (r.random(s.n) < use)
        if spec.patient_facing:
            u.uptake[chosen, j] = use
        model.events.available[j] = 0
        model.events.first_routinised[j] = 0
