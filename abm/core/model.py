"""The region model: staff, units and management learning to develop and adopt e-health services."""

from __future__ import annotations

import logging

import mesa
import numpy as np

from abm.core import aggregate, build, use_flags
from abm.core.agents import Management, Staff, Unit, UnitManager
from abm.core.collector import Collector
from abm.core.mechanisms import (
    adoption,
    balancing,
    care,
    contacts,
    environment,
    fit,
    knowhow,
    lifecycle,
    mandates,
    march,
    maturity,
    patients,
    proposals,
    seizing,
    sensing,
    support,
    transforming,
    turnover,
)
from abm.core.params import DIMENSIONS, ModelParams
from abm.core.rng import streams
from abm.core.state import ACTIVE_STATES, LIVE_STATES, Cause, ServiceEvents, ServiceRecord, ServiceState, UnitKind

MESA_LOGGERS = ("mesa", "MESA")  # Mesa logs every step at INFO: keep it quiet


def quiet_mesa() -> None:
    for name in MESA_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


class RegionModel(mesa.Model):
    """A healthcare region whose staff, units and management balance exploiting today's care against
    exploring digital ways of working, and develop, implement and keep (or abandon) e-health services.

    Each step is one week, in this order (docs/ODD.md, section 3):

    1. environment: turbulence flips reality (p4); services arrive; mandates start in their units, and during
       a shock care units start remote services without a pilot; demand (growth, shocks) and a shock's boost
       to remote services;
    2. sensing, every `sensing_interval` weeks: management estimates each available service's value;
    3. seizing: management starts (re-)pilots of promising services in ready units, within its capacity;
    4. balancing: each unit's exploration share from the practice at the region's budget;
    5. staff: act (a 0-belief is a coin flip), socialise toward the unit code (p1), learn beliefs from
       better-performing contacts, learn know-how per dimension from colleagues, training and use, forget
       unused skill;
    6. care: contacts delivered against demand and the waiting list, remote share, workload;
    7. adoption: UTAUT-style intention sets each person's hazard of adopting active services, low intention
       may discontinue; patients take up patient-facing services;
    8. units: the code learns from staff who outperform it (p2); pilots are judged, services routinised or
       abandoned by cause; managers' support moves; the e-health unit assigns its support;
    9. transforming: management scales proven services (faster with experience) and reconfigures;
    10. workforce: turnover (p3), newcomers with random beliefs and baseline know-how;
    11. metrics: maturity and stage per unit, then every registered metric is collected.
    """

    def __init__(self, params: ModelParams | None = None, *, collect: bool = True) -> None:
        """`collect=False` skips phase 11 (maturity and metrics) for docking runs that read the state
        directly (abm.validation); maturity is still updated when management is on, which reads it."""
        params = params or ModelParams()
        self.collect = collect
        quiet_mesa()
        super().__init__(rng=params.seed)
        self.params = params
        self.rngs = streams(params.seed)
        self.reality = environment.initial_reality(params.organisation.n_dims, self.rngs["environment"])
        catalogue = params.services.catalogue if params.scenario.services else ()
        proposed: tuple = ()
        self.proposal_required = np.zeros((0, params.organisation.n_dims), dtype=np.int8)
        if catalogue and params.scenario.management:  # proposals reach a managed region only
            proposed, self.proposal_required = proposals.propose(params.services, params.weeks, self.reality,
                                                                 self.rngs["proposals"])
        self.n_catalogue = len(catalogue)
        catalogue = (*catalogue, *proposed)
        self.catalogue = catalogue
        self.catalogue_names = [s.name for s in catalogue]

        def column(name: str, dtype: type = np.float64) -> np.ndarray:
            return np.array([getattr(s, name) for s in catalogue], dtype=dtype)

        self.advantage, self.complexity, self.cost = column("relative_advantage"), column("complexity"), column("cost")
        self.arrival = column("arrival_week", np.int64)
        self.remote = column("remote", bool)
        self.substitution = column("substitution")
        self.patient_facing = column("patient_facing", bool)
        self.mandate_weeks = column("mandate_weeks", np.int64)
        self.mandated = self.mandate_weeks > 0
        self.mandate_weeks[self.mandated] += params.services.mandate_delay  # deadlines later, roll-outs slower
        self.advantage[: self.n_catalogue] *= params.services.advantage_scale  # the value of listed services
        self.requires_interoperability = column("requires_interoperability")
        self.technical_failure = column("technical_failure")
        self.dimension = np.array([DIMENSIONS.index(s.dimension) for s in catalogue], dtype=np.int64)
        self.members = (self.dimension[:, None] == np.arange(len(DIMENSIONS))[None, :]).astype(np.float64)
        self.listed_per_dimension = self.members[: self.n_catalogue].sum(axis=0)  # maturity's reference set
        self._build()
        self.collector = Collector(self)
        self.update_maturity()
        if collect:
            self.collector.collect()

    def _build(self) -> None:
        p, r = self.params, self.rngs["setup"]
        self.week = 0
        built = _with_catalogue(p, self.catalogue)  # the catalogue and the proposals (empty: services off)
        self.units = build.build_units(built, r)
        self.staff = build.build_staff(built, self.units, r)
        self.network = build.build_network(p, self.staff, self.units, self.rngs["network"])
        if p.adoption.seed_neighbourhood:
            build.seed_neighbourhood(self.staff, self.network)
        listed = np.array([s.fit_dims for s in self.catalogue[: self.n_catalogue]], dtype=np.int64)
        drawn = fit.requirements(listed, self.reality, p.services.initial_fit, self.rngs["services"])
        self.required = np.vstack([drawn, self.proposal_required])
        self.units.mandate_week = mandates.schedule(self.arrival, self.mandate_weeks, self.units.kind,
                                                    self.rngs["mandates"])
        self.care_units = self.units.kind != UnitKind.INNOVATION
        self.events = ServiceEvents.empty(len(self.catalogue))
        self.record = ServiceRecord.empty(len(self.catalogue))
        self.n_reconfigured = 0
        self.new_adopters = 0
        self.new_discontinued = 0
        self.account = 0.0  # staff-weeks of the exploration budget not yet spent
        self.target_share = 0.0
        self.relative = np.ones(self.units.n)  # adaptive's intensity per unit, relative to the budget
        self.boost = 0.0
        self.remote_before_shock = float("nan")
        self.shock_response_week = float("nan")
        self.units.workload[:] = 1.0
        self.units.productivity[:] = 1.0
        self.units.uptake[:] = np.where(self.patient_facing[None, :], 0.0, 1.0)
        self.service_fit = fit.fit(self.required, self.reality)
        build.start_services(self)
        Staff.create_agents(self, self.staff.n, np.arange(self.staff.n))
        Unit.create_agents(self, self.units.n, np.arange(self.units.n))
        UnitManager.create_agents(self, self.units.n, np.arange(self.units.n))
        self.management = Management(self)

    # ---- the weekly process -------------------------------------------------------------------
    def step(self) -> None:
        self.week += 1
        managed = self.params.scenario.management
        self.environment_phase()
        if managed:
            self.management_sense()
            self.management_seize()
        self.balance()
        self.staff_phase()
        self.care_phase()
        if self.catalogue:
            self.adoption_phase()
        self.unit_phase()
        if managed and self.catalogue:
            self.transform()
        self.workforce()
        if self.collect or managed:
            self.update_maturity()
        if self.collect:
            self.collector.collect()
        if self.params.scenario.stop_at_equilibrium and self.at_equilibrium():
            self.running = False

    def environment_phase(self) -> None:
        env = self.params.environment
        self.reality = environment.turbulence(self.reality, env.p_turbulence, self.rngs["environment"])
        self.boost = environment.remote_boost(self.week, env)
        if self.catalogue:
            u = self.units
            before = u.service_state.copy()
            u.service_state = lifecycle.arrive(u.service_state, self.arrival <= self.week)
            if not self.params.scenario.management:  # no management: every service is simply in use
                u.service_state[u.service_state == ServiceState.AVAILABLE] = ServiceState.IMPLEMENTING
            else:
                u.service_state[mandates.start(u.service_state, u.mandate_week, self.week)] = ServiceState.IMPLEMENTING
                u.service_state[self.shock_starts()] = ServiceState.IMPLEMENTING
            u.service_since[u.service_state != before] = self.week
            arrived = (self.arrival <= self.week) & np.isnan(self.events.available)
            self.events.available[arrived] = self.arrival[arrived]  # the week it arrived (0: at the start)
            self.service_fit = fit.fit(self.required, self.reality)
        self.units.demand = environment.unit_demand(self.units.demand_base, self.week, env)

    def shock_starts(self) -> np.ndarray:
        """(U, S) remote services that care units start without a pilot this week because of a shock: each
        care unit where one is available starts it with chance `shock_rollout` (one draw per unit-service
        every week, from the `shock` stream)."""
        env, u = self.params.environment, self.units
        draws = self.rngs["shock"].random(u.service_state.shape)
        if not (environment.in_shock(self.week, env) and env.shock_rollout > 0):
            return np.zeros(u.service_state.shape, dtype=bool)
        available = (u.service_state == ServiceState.AVAILABLE) & self.remote[None, :] & self.care_units[:, None]
        return available & self.interoperable() & (draws < env.shock_rollout)

    def value(self) -> np.ndarray:
        """(S,) each service's true value to care now: its experienced advantage net of cost."""
        return fit.benefit(self.advantage, self.cost, self.service_fit, self.params.services.fit_weight)

    def priority(self) -> np.ndarray:
        """Management's estimates plus a shock's boost to remote services."""
        return self.management.estimates + self.boost * self.remote

    def management_sense(self) -> None:
        mp, mg = self.params.management, self.management
        if self.week % mp.sensing_interval == 0 and self.catalogue:
            available = ~np.isnan(self.events.available)
            mg.estimates, mg.sensing_accuracy = sensing.sense(
                self.value(), available, self.staff.knowhow, self.dimension, self.record.judged, mp,
                self.rngs["sensing"],
            )

    def management_seize(self) -> None:
        u, mp, rec = self.units, self.params.management, self.record
        if not self.catalogue:
            return
        eligible = (u.kind == UnitKind.INNOVATION) if self.params.practice.name == "structural" else self.care_units
        if not eligible.any():
            eligible = np.ones(u.n, bool)
        cooled = np.isnan(rec.last_failed) | (self.week - rec.last_failed >= mp.repilot_cooldown)  # NaN: never failed
        allowed = ~self.mandated & (rec.attempts < mp.max_attempts) & cooled
        for unit, s in seizing.choose_pilots(
            self.priority(), self.takeable(), u.service_state, self.readiness(), eligible, allowed,
            mp.value_threshold, self.pilot_capacity(),
        ):
            repilot = not np.isnan(rec.last_failed[s])
            u.service_state[unit, s] = ServiceState.PILOTING
            u.service_progress[unit, s] = mp.repilot_head_start if repilot else 0.0
            u.service_since[unit, s] = self.week
            rec.attempts[s] += 1
            rec.repilots += int(repilot)
            self.events.first_pilot[s] = min(np.nan_to_num(self.events.first_pilot[s], nan=np.inf), self.week)

    def pilot_capacity(self) -> int:
        """Pilots management runs at once: per 1,000 staff, at least one when any are allowed."""
        per_1000 = self.params.management.pilot_capacity
        return max(1, round(per_1000 * self.staff.n / 1000)) if per_1000 > 0 else 0

    def balance(self) -> None:
        u, pr = self.units, self.params.practice
        if pr.name == "adaptive" and self.week > 1:
            self.relative = balancing.adaptive_relative(self.relative, u.productivity, u.aspiration, pr)
        u.explore_share, u.target_share, self.target_share = balancing.shares(
            pr, self.week, self.params.weeks, u.kind, u.size, self.relative, u.workload, u.enabling, self.account
        )
        realised = float(u.explore_share @ u.size) / max(self.staff.n, 1)
        self.account += (self.target_share - realised) * self.staff.n

    def learning_time(self) -> np.ndarray:
        """(U,) working time a unit spends away from care: exploring, and implementing services."""
        u = self.units
        implementing = (u.service_state == ServiceState.IMPLEMENTING).any(axis=1)
        return u.explore_share + self.params.management.implementation_time * implementing

    def staff_phase(self) -> None:
        s, u, lp = self.staff, self.units, self.params.learning
        explore = np.take(u.explore_share, s.unit)
        learning_time = np.take(self.learning_time(), s.unit)
        s.actions = march.act(s.beliefs, self.rngs["act"])
        s.performance = march.score(s.actions, self.reality)
        rate = s.p_socialise * (1.0 - lp.explore_slows_socialising * explore)
        s.beliefs = march.socialise(s.beliefs, np.take(u.code, s.unit, axis=0), rate, self.rngs["socialise"])
        s.beliefs = contacts.learn_from_contacts(
            s.beliefs, s.performance, self.network, lp.p_learn_contacts, lp.contacts_per_week, self.rngs["contacts"]
        )
        s.trained = knowhow.choose_trainees(learning_time, self.params.management.training_rate, self.rngs["training"])
        if self.params.scenario.knowhow:
            taking_up = (u.service_state == ServiceState.PILOTING) | (u.service_state == ServiceState.IMPLEMENTING)
            focus = (taking_up.astype(np.float64) @ self.members) > 0 if self.catalogue else np.zeros((u.n, 4), bool)
            s.knowhow = knowhow.learn(
                s.knowhow, self.network, learning_time, s.attitude, s.trained, np.take(focus, s.unit, axis=0),
                knowhow.used_per_dimension(s.uses, self.dimension, len(DIMENSIONS)),
                lp.rate_peer, lp.peer_base, lp.rate_training, lp.training_general, lp.rate_use, lp.rate_forget,
                self.params.organisation.knowhow_mean,
            )
        expectancy = fit.experienced_advantage(self.advantage, self.service_fit, self.params.services.fit_weight)
        s.care, self.full_time = care.output_and_capacity(
            learning_time, s.trained, s.performance, self.params.organisation.n_dims, s.uses, expectancy,
            self.dimension, s.knowhow, self.params.care,
        )

    def care_phase(self) -> None:
        u, cp = self.units, self.params.care
        if self.catalogue:
            u.remote_share = patients.remote_share(self.adoption_by_unit, u.uptake, self.substitution * self.remote,
                                                   cp.baseline_remote_share, cp.max_remote_share)
        else:
            u.remote_share = np.full(u.n, cp.baseline_remote_share)
        output = aggregate.unit_sum(self.staff.care, self.staff.unit, u.n)
        full = aggregate.unit_sum(self.full_time, self.staff.unit, u.n)
        asked = u.demand + u.waiting
        u.care, u.unmet, u.waiting = care.deliver(u.demand, u.waiting, care.contact_capacity(
            output, u.remote_share, cp.remote_time), cp.waiting_renege)
        u.workload = care.workload(asked, care.contact_capacity(full, u.remote_share, cp.remote_time))
        u.productivity = np.where(asked > 0, u.care / np.maximum(asked, 1e-12), 1.0)
        pr = self.params.practice
        if pr.name == "adaptive":
            u.aspiration = u.productivity.copy() if self.week == 1 else balancing.update_aspiration(
                u.aspiration, u.productivity, pr)
        self.track_shock_response()

    def region_remote_share(self) -> float:
        """Remote share of all contacts delivered this week."""
        u = self.units
        total = float(u.care.sum())
        return float(u.remote_share @ u.care) / total if total > 0 else float(u.remote_share.mean())

    def track_shock_response(self) -> None:
        """Weeks from a shock's start until remote contacts reach 1.2 times their share before it (a dynamic
        capability response: reconfiguring how care is delivered)."""
        env = self.params.environment
        if env.shock_weeks <= 0 or env.shock_week <= 0:
            return
        if self.week < env.shock_week:  # the last week before the shock is the one kept
            self.remote_before_shock = self.region_remote_share()
        elif self.week >= env.shock_week and np.isnan(self.shock_response_week):
            before = self.remote_before_shock
            if not np.isnan(before) and self.region_remote_share() >= 1.2 * before and before > 0:
                self.shock_response_week = float(self.week - env.shock_week)

    def adoption_phase(self) -> None:
        s, u, ap, mp = self.staff, self.units, self.params.adoption, self.params.management
        active = is_active(u.service_state)
        expectancy = fit.experienced_advantage(self.advantage, self.service_fit, self.params.services.fit_weight)
        t = adoption.terms(ap, expectancy + self.boost * self.remote, self.complexity, self.dimension, s.attitude,
                           s.role, s.tenure, u.support, u.supported, mp.ehealth_support, u.workload)
        s.uses, self.new_adopters, self.new_discontinued = adoption.step(
            s.uses, active, s.unit, self.network, ap, t, s.knowhow, s.threshold, self.rngs["adoption"]
        )
        u.uptake = patients.uptake(u.uptake, self.unit_adoption(), active, self.patient_facing, self.remote,
                                   ap.p_patient, ap.q_patient, self.boost)

    def unit_phase(self) -> None:
        s, u, mp = self.staff, self.units, self.params.management
        u.code = march.learn_code(
            u.code, s.actions, s.performance, s.unit, self.reality, self.params.learning.p_code_learning,
            self.rngs["code_learning"],
        )
        if not (self.catalogue and self.params.scenario.management):
            return
        adoption_now = self.unit_adoption()
        code_benefit = fit.benefit(self.advantage, self.cost, fit.fit(self.required, u.code),
                                   self.params.services.fit_weight)
        judged = code_benefit + mp.judgement_noise * self.rngs["judgement"].normal(size=code_benefit.shape)
        draws = self.rngs["lifecycle"].random((2, *u.service_state.shape))
        technical = draws[0] < self.technical_failure[None, :] * (1.0 - mp.ehealth_support * u.supported)
        misfit = lifecycle.misfits(code_benefit, draws[1], mp)
        step = lifecycle.pilot_progress(u.explore_share, self.unit_knowhow()[:, self.dimension], self.complexity,
                                        mp.pilot_speed)
        was = u.service_state.copy()
        self.last_step = step
        u.service_state, u.service_progress, u.service_since, ch = lifecycle.advance(
            u.service_state, u.service_progress, u.service_since, adoption_now, step, judged, misfit,
            technical, self.mandated, self.week, mp,
        )
        self.learn_from_outcomes(ch, judged, was)
        self.events.mark("first_success", ch.succeeded.any(axis=0), self.week)
        self.events.mark("first_routinised", (u.service_state == ServiceState.ROUTINISED).any(axis=0), self.week)
        use_flags.keep_allowed_flags(s.uses, is_active(u.service_state), s.unit)
        u.support = support.update(u.support, u.service_state, u.workload, mp.support_learning, mp.support_erosion)
        capacity = mp.ehealth_staff * self.staff.n / 1000 * mp.staff_per_ehealth_staff  # care staff supported
        u.supported = support.allocate(u.service_state, u.service_since, self.mandated, u.size, capacity)

    def learn_from_outcomes(self, ch: lifecycle.Changes, judged: np.ndarray, was: np.ndarray) -> None:
        """Management's record: judged benefit of every finished pilot, failures and abandonments by cause;
        a mandated service a unit lost is restarted there after the cooldown."""
        rec, u = self.record, self.units
        piloted = was == ServiceState.PILOTING
        completed = piloted & (u.service_progress >= 1.0) & (u.service_progress - self.last_step < 1.0)
        for unit, s in zip(*np.nonzero(completed), strict=True):  # judged this week (success may follow later)
            rec.judged[s] = judged[unit, s]
        failed_services = ch.pilot_failed.any(axis=0)
        rec.last_failed[failed_services] = self.week
        rec.pilot_failures += cause_counts(ch.cause[ch.pilot_failed])
        rec.abandonments += cause_counts(ch.cause[ch.abandoned])
        lost = ch.abandoned & self.mandated[None, :]
        u.mandate_week[lost] = self.week + self.params.management.repilot_cooldown
        live = _LIVE[u.service_state] & self.care_units[:, None]
        half = live.sum(axis=0) >= 0.5 * max(int(self.care_units.sum()), 1)
        rec.half_units[half & np.isnan(rec.half_units)] = self.week

    def transform(self) -> None:
        mp, u, s = self.params.management, self.units, self.staff
        if self.week % mp.scaling_interval == 0:
            capacity = transforming.scaling_capacity(mp.scaling_capacity, s.n, mp.scaling_learning,
                                                     self.record.scaled_units)
            u.service_state, u.service_since, scaled, n_scaled = transforming.scale(
                u.service_state, u.service_since, self.takeable(), self.scaling_readiness(), u.size, self.care_units,
                ~self.mandated, self.priority(), capacity, self.week, self.rngs["transforming"],
            )
            self.record.scaled_units += n_scaled
            self.events.mark("first_scaled", scaled, self.week)
            self.n_reconfigured += n_scaled
        if self.week % mp.reconfigure_interval == 0 and u.n > 1:
            s.champion, src, dst = transforming.reconfigure(
                self.adoption_of_taken_up(),
                u.maturity.sum(axis=1),
                s.unit,
                s.knowhow.mean(axis=1),
                s.champion,
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
        s.knowhow[left] = turnover.baseline_knowhow(k, org.knowhow_mean, org.knowhow_sd, r, s.knowhow.shape[1])
        innovation = self.units.kind[s.unit[left]] == UnitKind.INNOVATION
        s.knowhow[left] = np.clip(s.knowhow[left] + org.innovation_knowhow_bonus * innovation[:, None], 0.0, 1.0)
        s.attitude[left] = r.beta(org.attitude_beta, org.attitude_beta, size=k)
        s.tenure[left] = 0
        s.champion[left] = False
        s.uses[left] = False
        s.person_id[left] = s.person_id.max() + 1 + np.arange(k)

    def update_maturity(self) -> None:
        u, s, mp = self.units, self.staff, self.params.maturity
        self.adoption_by_unit = self.unit_adoption()  # end-of-week shares, reused by metrics and next week's care
        comp = maturity.service_component(u.service_state, self.adoption_by_unit, self.dimension,
                                          maturity.state_weights(mp), u.uptake, self.listed_per_dimension)
        champions = self.unit_mean(s.champion)
        self.knowhow_by_unit = self.unit_knowhow()  # end-of-week means, reused by the metrics
        u.maturity = maturity.scores(self.knowhow_by_unit, champions, u.support, comp, mp)
        routinised = (u.service_state == ServiceState.ROUTINISED).sum(axis=1)
        u.stage = maturity.stage(maturity.criteria(u.maturity, routinised, mp))

    # ---- derived quantities -------------------------------------------------------------------
    def unit_mean(self, values: np.ndarray) -> np.ndarray:
        """Mean of a per-staff array within each unit."""
        return aggregate.unit_sum(values, self.staff.unit, self.units.n) / np.maximum(self.units.size, 1)

    def unit_knowhow(self) -> np.ndarray:
        """(U, D) mean know-how per maturity dimension within each unit."""
        sums = aggregate.unit_sum_columns(np.ascontiguousarray(self.staff.knowhow), self.staff.unit, self.units.n)
        return sums / np.maximum(self.units.size, 1)[:, None]

    def unit_adoption(self) -> np.ndarray:
        """(U, S) share of each unit's staff using each service."""
        if not self.catalogue:
            return np.zeros((self.units.n, 0))
        counts = aggregate.unit_counts(self.staff.uses, self.staff.unit, self.units.n)
        return counts / np.maximum(self.units.size, 1)[:, None]

    def takeable(self) -> np.ndarray:
        """(U, S) where a unit may take a service up: available, or abandoned there at least
        `repilot_cooldown` weeks ago (a unit can come back to a service it dropped)."""
        u = self.units
        cooled = (self.week - u.service_since) >= self.params.management.repilot_cooldown
        return (u.service_state == ServiceState.AVAILABLE) | ((u.service_state == ServiceState.ABANDONED) & cooled)

    def taken_up(self) -> np.ndarray:
        """(S,) the services the region has taken up: implementing or routinised in at least one unit."""
        return _LIVE[self.units.service_state].any(axis=0)

    def adoption_of_taken_up(self, adoption: np.ndarray | None = None) -> np.ndarray:
        """(U,) each unit's mean adoption share over the services the region has taken up (0 before any);
        `adoption` is the (U, S) shares if already computed."""
        taken = self.taken_up()
        if not taken.any():
            return np.zeros(self.units.n)
        return (self.unit_adoption() if adoption is None else adoption)[:, taken].mean(axis=1)

    def interoperable(self) -> np.ndarray:
        """(U, S) whether a unit's interoperability maturity meets each service's requirement (NASSS)."""
        return self.units.maturity[:, 1][:, None] >= self.requires_interoperability[None, :]

    def readiness(self) -> np.ndarray:
        """(U, S) a unit's readiness to pilot a service: exploration share times absorptive capacity (mean
        know-how in the service's dimension), where its infrastructure allows the service."""
        u = self.units
        return u.explore_share[:, None] * self.unit_knowhow()[:, self.dimension] * self.interoperable()

    def scaling_readiness(self) -> np.ndarray:
        """(U, S) a unit's readiness to take up a proven service: absorptive capacity and manager support."""
        return (self.unit_knowhow()[:, self.dimension] * (0.5 + self.units.support[:, None])
                * self.interoperable())

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
_LIVE = np.isin(np.arange(len(ServiceState)), LIVE_STATES)


def is_active(state: np.ndarray) -> np.ndarray:
    """np.isin(state, ACTIVE_STATES) by table lookup (isin sorts every call)."""
    return _ACTIVE[state]


def cause_counts(causes: np.ndarray) -> np.ndarray:
    """(len(Cause),) how many of `causes` are each Cause (codes outside it, such as -1, are not counted)."""
    return np.bincount(causes[(causes >= 0) & (causes < len(Cause))], minlength=len(Cause))


def _with_catalogue(params: ModelParams, catalogue: tuple) -> ModelParams:
    """`params` with the run's whole catalogue (listed services and proposals) in place of the listed one."""
    from dataclasses import replace

    return replace(params, services=replace(params.services, catalogue=catalogue))
