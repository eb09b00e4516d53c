"""The region model: staff, units and management learning to develop and adopt e-health services."""

from __future__ import annotations

import logging

import mesa
import numpy as np

from abm.core import aggregate, build
from abm.core.agents import Management, Staff, Unit, UnitManager
from abm.core.collector import Collector
from abm.core.mechanisms import (
    adoption,
    balancing,
    care,
    environment,
    knowhow,
    lifecycle,
    march,
    maturity,
    seizing,
    sensing,
    transforming,
    turnover,
)
from abm.core.params import DIMENSIONS, ModelParams
from abm.core.rng import streams
from abm.core.state import ACTIVE_STATES, ServiceEvents, ServiceState, UnitKind

MESA_LOGGERS = ("mesa", "MESA")  # Mesa logs every step at INFO: keep it quiet


def quiet_mesa() -> None:
    for name in MESA_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


class RegionModel(mesa.Model):
    """A healthcare region whose staff, units and management balance exploiting today's care against
    exploring digital ways of working, and develop and adopt e-health services.

    Each step is one week, in this order (docs/ODD.md, section 3):

    1. environment: turbulence flips reality (p4), new services become available, demand (and shocks);
    2. sensing, every `sensing_interval` weeks: management estimates each available service's value;
    3. seizing: management starts pilots of promising services in ready units, within its budget;
    4. balancing: each unit's exploration share from the practice and local slack;
    5. staff: act (a 0-belief is a coin flip), socialise toward the unit code (p1), learn know-how
       from more skilled colleagues, from training and from use, forget unused skill; care produced;
    6. adoption: UTAUT-style intention sets each person's hazard of adopting active services;
       low intention may discontinue;
    7. units: the code learns from staff who outperform it (p2); service lifecycle advances;
    8. transforming: management scales proven services and reconfigures (champions, cross-unit ties);
    9. workforce: turnover (p3), newcomers with random beliefs and baseline know-how;
    10. metrics: maturity and stage per unit, then every registered metric is collected.
    """

    def __init__(self, params: ModelParams | None = None, *, collect: bool = True) -> None:
        """`collect=False` skips phase 10 (maturity and metrics) for docking runs that read the state
        directly (abm.validation); maturity is still updated when management is on, which reads it."""
        params = params or ModelParams()
        self.collect = collect
        quiet_mesa()
        super().__init__(rng=params.seed)
        self.params = params
        self.rngs = streams(params.seed)
        catalogue = params.services.catalogue if params.scenario.services else ()
        self.catalogue = catalogue
        self.catalogue_names = [s.name for s in catalogue]
        self.advantage = np.array([s.relative_advantage for s in catalogue], dtype=np.float64)
        self.complexity = np.array([s.complexity for s in catalogue], dtype=np.float64)
        self.arrival = np.array([s.arrival_week for s in catalogue], dtype=np.int64)
        self.remote = np.array([s.remote for s in catalogue], dtype=bool)
        self.dimension = np.array([DIMENSIONS.index(s.dimension) for s in catalogue], dtype=np.int64)
        self.value = sensing.true_value(self.advantage, np.array([s.cost for s in catalogue]))
        self._build()
        self.collector = Collector(self)
        self.update_maturity()
        if collect:
            self.collector.collect()

    def _build(self) -> None:
        p, r = self.params, self.rngs["setup"]
        m = p.organisation.n_dims
        self.week = 0
        self.reality = environment.initial_reality(m, self.rngs["environment"])
        built = p if p.scenario.services else _no_services(p)  # services off: an empty catalogue
        self.units = build.build_units(built, r)
        self.staff = build.build_staff(built, self.units, r)
        self.network = build.build_network(p, self.staff, self.units, self.rngs["network"])
        if p.adoption.seed_neighbourhood:
            build.seed_neighbourhood(self.staff, self.network)
        self.events = ServiceEvents.empty(len(self.catalogue))
        self.n_reconfigured = 0
        self.new_adopters = 0
        self.new_discontinued = 0
        self.units.workload[:] = 1.0
        Staff.create_agents(self, self.staff.n, np.arange(self.staff.n))
        Unit.create_agents(self, self.units.n, np.arange(self.units.n))
        UnitManager.create_agents(self, self.units.n, np.arange(self.units.n))
        self.management = Management(self)

    # ---- the weekly process -------------------------------------------------------------------
    def step(self) -> None:
        self.week += 1
        self.environment_phase()
        if self.params.scenario.management:
            self.management_sense()
            self.management_seize()
        self.balance()
        self.staff_phase()
        if self.catalogue:
            self.adoption_phase()
        self.unit_phase()
        if self.params.scenario.management and self.catalogue:
            self.transform()
        self.workforce()
        if self.collect or self.params.scenario.management:
            self.update_maturity()
        if self.collect:
            self.collector.collect()
        if self.params.scenario.stop_at_equilibrium and self.at_equilibrium():
            self.running = False

    def environment_phase(self) -> None:
        env = self.params.environment
        self.reality = environment.turbulence(self.reality, env.p_turbulence, self.rngs["environment"])
        if self.catalogue:
            u = self.units
            before = u.service_state.copy()
            u.service_state = lifecycle.arrive(u.service_state, self.arrival <= self.week)
            if not self.params.scenario.management:  # no management: every service is simply in use
                u.service_state[u.service_state == ServiceState.AVAILABLE] = ServiceState.IMPLEMENTING
            u.service_since[u.service_state != before] = self.week
            self.events.mark("available", self.arrival <= self.week, self.week)
        self.units.demand = environment.unit_demand(
            self.units.demand_base, self.week, env, self.remote_adoption_last_week()
        )

    def management_sense(self) -> None:
        mp, mg = self.params.management, self.management
        if self.week % mp.sensing_interval == 0 and self.catalogue:
            available = ~np.isnan(self.events.available)
            mg.estimates, mg.sensing_accuracy = sensing.sense(
                self.value, available, self.staff.knowhow, mp, self.rngs["sensing"]
            )

    def management_seize(self) -> None:
        u, mp = self.units, self.params.management
        if not self.catalogue:
            return
        eligible = (u.kind == UnitKind.INNOVATION) if self.params.practice.name == "structural" else np.ones(u.n, bool)
        if not eligible.any():
            eligible = np.ones(u.n, bool)
        for unit, s in seizing.choose_pilots(
            self.management.estimates, u.service_state, self.readiness(), eligible,
            mp.value_threshold, mp.max_pilots,
        ):
            u.service_state[unit, s] = ServiceState.PILOTING
            u.service_progress[unit, s] = 0.0
            u.service_since[unit, s] = self.week
            self.events.first_pilot[s] = min(np.nan_to_num(self.events.first_pilot[s], nan=np.inf), self.week)

    def balance(self) -> None:
        u, pr = self.units, self.params.practice
        if pr.name == "adaptive" and self.week == 1:
            u.explore_share[:] = pr.alpha
            u.aspiration[:] = u.productivity
        previous = u.target_share if self.week > 1 else u.explore_share
        u.target_share = balancing.target_shares(pr, self.week, u.kind, previous, u.productivity, u.aspiration)
        u.explore_share = balancing.apply_slack(u.target_share, u.workload, u.enabling, pr)

    def staff_phase(self) -> None:
        s, u, lp = self.staff, self.units, self.params.learning
        explore = np.take(u.explore_share, s.unit)
        implementing = (u.service_state == ServiceState.IMPLEMENTING).any(axis=1)
        learning_time = np.take(u.explore_share + self.params.management.implementation_time * implementing, s.unit)
        s.actions = march.act(s.beliefs, self.rngs["act"])
        s.performance = march.score(s.actions, self.reality)
        rate = s.p_socialise * (1.0 - lp.explore_slows_socialising * explore)
        s.beliefs = march.socialise(s.beliefs, np.take(u.code, s.unit, axis=0), rate, self.rngs["socialise"])
        s.trained = knowhow.choose_trainees(learning_time, self.params.management.training_rate, self.rngs["training"])
        if self.params.scenario.knowhow:
            s.knowhow = knowhow.learn(
                s.knowhow,
                self.network,
                learning_time,
                s.attitude,
                s.trained,
                s.uses,
                lp.rate_peer,
                lp.peer_base,
                lp.rate_training,
                lp.rate_use,
                lp.rate_forget,
            )
        m = self.params.organisation.n_dims
        s.care, full_time = care.care_and_capacity(
            learning_time, s.trained, s.performance, m, s.uses, self.advantage, s.knowhow
        )
        u.care = aggregate.unit_sum(s.care, s.unit, u.n)
        capacity = aggregate.unit_sum(full_time, s.unit, u.n)
        u.productivity = capacity / np.maximum(u.size, 1)
        u.workload = care.workload(u.demand, capacity)
        if self.params.practice.name == "adaptive":
            u.aspiration = balancing.update_aspiration(u.aspiration, u.productivity, self.params.practice)

    def adoption_phase(self) -> None:
        s, u = self.staff, self.units
        s.uses, self.new_adopters, self.new_discontinued = adoption.step(
            s.uses,
            is_active(u.service_state),
            s.unit,
            self.network,
            self.params.adoption,
            self.advantage,
            self.complexity,
            s.knowhow,
            u.support,
            s.attitude,
            s.threshold,
            self.rngs["adoption"],
        )

    def unit_phase(self) -> None:
        s, u = self.staff, self.units
        u.code = march.learn_code(
            u.code,
            s.actions,
            s.performance,
            s.unit,
            self.reality,
            self.params.learning.p_code_learning,
            self.rngs["code_learning"],
        )
        if self.catalogue and self.params.scenario.management:
            step = lifecycle.pilot_progress(
                u.explore_share, self.unit_mean(s.knowhow), self.complexity, self.params.management.pilot_speed
            )
            was = u.service_state.copy()
            u.service_state, u.service_progress, u.service_since = lifecycle.advance(
                u.service_state,
                u.service_progress,
                u.service_since,
                self.unit_adoption(),
                step,
                self.week,
                self.params.management,
            )
            self.events.mark(
                "first_success",
                ((was == ServiceState.PILOTING) & (u.service_state == ServiceState.IMPLEMENTING)).any(axis=0),
                self.week,
            )
            self.events.mark("first_routinised", (u.service_state == ServiceState.ROUTINISED).any(axis=0), self.week)
            s.uses &= np.take(is_active(u.service_state), s.unit, axis=0)

    def transform(self) -> None:
        mp, u, s = self.params.management, self.units, self.staff
        if self.week % mp.scaling_interval == 0:
            u.service_state, u.service_since, scaled = transforming.scale(
                u.service_state,
                u.service_since,
                self.readiness(),
                mp.units_per_scaling,
                self.week,
                self.rngs["transforming"],
            )
            self.events.mark("first_scaled", scaled, self.week)
            self.n_reconfigured += int(scaled.sum())
        if self.week % mp.reconfigure_interval == 0 and mp.ties_per_reconfiguration > 0 and u.n > 1:
            s.champion, src, dst = transforming.reconfigure(
                self.unit_adoption().mean(axis=1),
                u.maturity.sum(axis=1),
                s.unit,
                s.knowhow,
                s.champion,
                mp.ties_per_reconfiguration,
                self.rngs["transforming"],
            )
            if src.size:
                self.network = self.network.with_edges(src, dst)
                self.n_reconfigured += 1

    def workforce(self) -> None:
        s, org = self.staff, self.params.organisation
        s.tenure += 1
        s.left = turnover.leavers(s.n, self.params.learning.p_turnover, self.rngs["turnover"])
        left = np.flatnonzero(s.left)
        k = left.size
        if k == 0:
            return
        r = self.rngs["recruitment"]
        s.beliefs[left] = turnover.random_beliefs(k, org.n_dims, r)
        s.knowhow[left] = turnover.baseline_knowhow(k, org.knowhow_mean, org.knowhow_sd, r)
        s.attitude[left] = r.beta(2.0, 2.0, size=k)
        s.tenure[left] = 0
        s.champion[left] = False
        s.uses[left] = False
        s.person_id[left] = s.person_id.max() + 1 + np.arange(k)

    def update_maturity(self) -> None:
        u, s = self.units, self.staff
        self.adoption_by_unit = self.unit_adoption()  # end-of-week shares, reused by metrics and next week's demand
        comp = maturity.service_component(u.service_state, self.adoption_by_unit, self.dimension)
        champions = self.unit_mean(s.champion)
        u.maturity = maturity.scores(self.unit_mean(s.knowhow), champions, u.support, comp)
        routinised = (u.service_state == ServiceState.ROUTINISED).sum(axis=1)
        u.stage = maturity.stage(maturity.criteria(u.maturity, routinised))

    # ---- derived quantities -------------------------------------------------------------------
    def unit_mean(self, values: np.ndarray) -> np.ndarray:
        """Mean of a per-staff array within each unit."""
        return aggregate.unit_sum(values, self.staff.unit, self.units.n) / np.maximum(self.units.size, 1)

    def unit_adoption(self) -> np.ndarray:
        """(U, S) share of each unit's staff using each service."""
        if not self.catalogue:
            return np.zeros((self.units.n, 0))
        counts = aggregate.unit_counts(self.staff.uses, self.staff.unit, self.units.n)
        return counts / np.maximum(self.units.size, 1)[:, None]

    def remote_adoption_last_week(self) -> np.ndarray:
        """Per unit, the mean adoption share of remote-care services at the end of the last step
        (nothing changes uses between steps)."""
        if not self.remote.any():
            return np.zeros(self.units.n)
        return self.adoption_by_unit[:, self.remote].mean(axis=1)

    def readiness(self) -> np.ndarray:
        """A unit's readiness to pilot: exploration share times absorptive capacity (mean know-how)."""
        return self.units.explore_share * self.unit_mean(self.staff.knowhow)

    def at_equilibrium(self) -> bool:
        return march.at_equilibrium(self.staff.beliefs, self.units.code[self.staff.unit])

    def run(self, weeks: int | None = None, progress: bool = False) -> None:
        """Step until the horizon (or equilibrium when the scenario stops there)."""
        from tqdm.auto import tqdm

        total = self.params.weeks if weeks is None else weeks
        for _ in tqdm(range(total), disable=not progress, unit="week", leave=False):
            if not self.running:
                break
            self.step()


_ACTIVE = np.isin(np.arange(len(ServiceState)), ACTIVE_STATES)  # lookup table by state code


def is_active(state: np.ndarray) -> np.ndarray:
    """np.isin(state, ACTIVE_STATES) by table lookup (isin sorts every call)."""
    return _ACTIVE[state]


def _no_services(params: ModelParams) -> ModelParams:
    from dataclasses import replace

    from abm.core.params import ServicesParams

    return replace(params, services=ServicesParams(catalogue=()))
