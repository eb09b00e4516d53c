"""The peer reference: the model's mechanisms written the idiomatic Mesa way, for the speed ratio.

Per-agent Python objects whose methods run under `AgentSet.shuffle_do`, attributes as Python lists and
floats, random draws from `self.random`, outcomes through `mesa.DataCollector` (Mesa 3 tutorial style).
Mechanisms, as in abm/ with `scenario.management=false` (every arrived service is being implemented in
every care unit): turbulence of reality and services' fit to it; equal-budget balancing (the practice's
planned share, unit managers' slack under workload, the budget account); March (1991) acting,
socialisation and code learning (Christensen 2015 rules); learning beliefs from better-performing contacts
(Fang, Lee & Schilling 2010); know-how per maturity dimension from more skilled contacts, training aimed
at what the unit takes up, use and forgetting; care against demand with a waiting list and remote contacts;
UTAUT-style adoption and discontinuance; patients' uptake; turnover with newcomers. The week's order is
the model's (abm/core/model.py), acting before learning as there.

One deliberate difference, the idiomatic one: beliefs and codes update in place in random order
(asynchronous updating), while the model updates synchronously from last week's state; know-how and use of
services, which spread through contacts, are decided from everyone's state and then assumed, in two stages
(as Mesa's Game of Life does), so that what a person learns or adopts this week does not reach a contact the
same week. With weekly rates of a few per cent the statistical behaviour is the same
(tests/core/test_mesa_reference.py checks it). The starting
region (units, staff, ties, services in use) is the model's week 0, copied into Python objects. Not
covered (the reference raises): the adaptive practice and the threshold adoption rule. Kept in
benchmarks/ only: it is a yardstick, not part of the model. The agents are in benchmarks/mesa_agents.py.
"""

from __future__ import annotations

import math

import mesa

from abm.core.model import RegionModel, quiet_mesa
from abm.core.params import DIMENSIONS, ModelParams
from abm.core.state import ServiceState
from benchmarks.mesa_agents import RefStaff, RefUnit

__all__ = ["MesaReference", "REPORTERS", "RefStaff", "RefUnit"]


class MesaReference(mesa.Model):
    """The mechanisms per agent; `step()` is one week."""

    def __init__(self, params: ModelParams) -> None:
        if params.practice.name == "adaptive" or params.adoption.rule != "utaut" or params.scenario.management:
            raise ValueError("the Mesa reference runs scenario.management=false, utaut adoption, no adaptive")
        quiet_mesa()
        super().__init__(rng=params.seed)
        self.params = params
        self.week, self.account, self.weight, self.boost = 0, 0.0, 1.0, 0.0
        self.build(RegionModel(params, collect=False))
        self.datacollector = mesa.DataCollector(model_reporters=REPORTERS)
        self.datacollector.collect(self)

    @classmethod
    def of_size(cls, n_staff: int, n_units: int, seed: int = 0) -> MesaReference:
        from abm.api import compose

        return cls(compose(["organisation=region", f"organisation.n_staff={n_staff}",
                            f"organisation.n_units={n_units}", f"seed={seed}", "scenario.management=false"]))

    def build(self, region: RegionModel) -> None:
        """The model's week 0 (units, staff, ties, services in use, requirements), as Python objects."""
        u, s, cat = region.units, region.staff, region.catalogue
        self.reality = region.reality.tolist()
        self.required = region.required.tolist()
        self.advantage = [c.relative_advantage for c in cat]
        self.complexity, self.arrival = [c.complexity for c in cat], [c.arrival_week for c in cat]
        self.remote, self.substitution = [c.remote for c in cat], [c.substitution for c in cat]
        self.patient_facing = [c.patient_facing for c in cat]
        self.dimension = [DIMENSIONS.index(c.dimension) for c in cat]
        self.expectancy = self.experienced_advantage()
        self.units = [RefUnit(self, {
            "kind": int(u.kind[j]), "size": int(u.size[j]), "enabling": bool(u.enabling[j]),
            "support": float(u.support[j]), "demand_base": float(u.demand_base[j]), "code": u.code[j].tolist(),
            "state": u.service_state[j].tolist(), "uptake": u.uptake[j].tolist(),
            "adoption": region.adoption_by_unit[j].tolist()}) for j in range(u.n)]
        people = [RefStaff(self, self.units[s.unit[i]], {
            "role": int(s.role[i]), "knowhow": s.knowhow[i].tolist(), "beliefs": s.beliefs[i].tolist(),
            "attitude": float(s.attitude[i]), "tenure": int(s.tenure[i]), "uses": s.uses[i].tolist(),
            "p_socialise": float(s.p_socialise[i])}) for i in range(s.n)]
        indptr, indices = region.network.adjacency.indptr, region.network.adjacency.indices
        for i, person in enumerate(people):
            person.contacts = [people[j] for j in indices[indptr[i]:indptr[i + 1]]]
            person.unit.members.append(person)

    def experienced_advantage(self) -> list[float]:
        """Each service's advantage given its fit to reality (mean agreement of its required signs)."""
        w = self.params.services.fit_weight
        out = []
        for adv, req in zip(self.advantage, self.required, strict=True):
            fit = sum(q * r for q, r in zip(req, self.reality, strict=True)) / max(sum(abs(q) for q in req), 1)
            out.append(adv * ((1.0 - w) + w * fit))
        return out

    def step(self) -> None:
        self.week += 1
        self.environment()
        staff, units = self.agents_by_type[RefStaff], self.agents_by_type[RefUnit]
        units.shuffle_do("plan")
        self.spend_budget()
        staff.shuffle_do("act")
        staff.shuffle_do("learn")
        staff.do("work")
        units.do("deliver")
        staff.shuffle_do("decide_adoption")
        staff.do("adopt")
        units.do("take_up")
        units.shuffle_do("learn_code")
        staff.shuffle_do("maybe_leave")
        units.do("tally")
        self.datacollector.collect(self)

    def environment(self) -> None:
        """Turbulence, arrivals (implemented at once without management), a shock's boost, demand."""
        env, rnd = self.params.environment, self.random
        self.reality = [-r if rnd.random() < env.p_turbulence else r for r in self.reality]
        self.expectancy = self.experienced_advantage()
        for unit in self.units:
            for s, arrival in enumerate(self.arrival):
                if arrival <= self.week and unit.state[s] in (ServiceState.UNAVAILABLE, ServiceState.AVAILABLE):
                    unit.state[s] = ServiceState.IMPLEMENTING
        in_shock = env.shock_weeks > 0 and env.shock_week <= self.week < env.shock_week + env.shock_weeks
        self.boost = self.remote_boost(env)
        growth = (1.0 + env.demand_growth) ** (self.week / 52.0) * (env.shock_multiplier if in_shock else 1.0)
        for unit in self.units:
            unit.demand = unit.demand_base * growth
        self.weight = self.schedule_weight()

    def remote_boost(self, env) -> float:  # noqa: ANN001
        if env.shock_weeks <= 0 or env.shock_remote_boost <= 0 or self.week < env.shock_week:
            return 0.0
        end = env.shock_week + env.shock_weeks
        if self.week < end:
            return env.shock_remote_boost
        fade = math.exp(-(self.week - end) / env.habit_decay_weeks)
        return env.shock_remote_boost * (env.habit_persistence + (1.0 - env.habit_persistence) * fade)

    def schedule_weight(self) -> float:
        """The planned intensity this week relative to the budget (front-loading, sequential phases)."""
        pr, horizon, weight = self.params.practice, self.params.weeks, 1.0
        if pr.explore_weeks and pr.explore_weeks < horizon:
            weight = horizon / pr.explore_weeks if self.week <= pr.explore_weeks else 0.0
        if pr.name == "sequential":
            half = pr.period_weeks // 2
            weight *= pr.period_weeks / half if (self.week - 1) % pr.period_weeks < half else 0.0
        return weight

    def spend_budget(self) -> None:
        """Scale the units' planned shares to the region's target plus part of the account, then book what
        was spent against the budget."""
        pr = self.params.practice
        target = pr.budget * self.weight if pr.name != "exploit_only" else 0.0
        n = max(sum(u.size for u in self.units), 1)
        planned = sum(u.planned * u.size for u in self.units) / n
        factor = 1.0
        if planned > 0 and target > 0:
            factor = max((target + self.account / pr.carryover_weeks / n) / planned, 0.0)
        for u in self.units:
            raised = min(u.planned * factor, pr.max_raise * u.plan_before_cut)  # at most max_raise times the plan
            u.explore_share = min(max(raised, 0.0), pr.max_unit_share)
        self.account += (target - sum(u.explore_share * u.size for u in self.units) / n) * n


def staff_of(model: MesaReference) -> list[RefStaff]:
    return list(model.agents_by_type[RefStaff])


def mean_knowhow(model: MesaReference) -> float:
    staff = staff_of(model)
    return sum(sum(s.knowhow) for s in staff) / (len(staff) * len(DIMENSIONS))


def code_knowledge(model: MesaReference) -> float:
    m = len(model.reality)
    return sum(sum(c * r for c, r in zip(u.code, model.reality, strict=True)) for u in model.units) / (
        m * len(model.units))


def belief_knowledge(model: MesaReference) -> float:
    staff, m = staff_of(model), len(model.reality)
    return sum(sum(b * r for b, r in zip(s.beliefs, model.reality, strict=True)) for s in staff) / (m * len(staff))


def adoption_share(model: MesaReference) -> float:
    arrived = [k for k, a in enumerate(model.arrival) if a <= model.week]
    staff = staff_of(model)
    return sum(s.uses[k] for s in staff for k in arrived) / (len(staff) * len(arrived)) if arrived else 0.0


def care_production(model: MesaReference) -> float:
    return sum(u.care for u in model.units) / len(staff_of(model))


def waiting_list(model: MesaReference) -> float:
    return sum(u.waiting for u in model.units) / len(staff_of(model))


REPORTERS = {f.__name__: f for f in (mean_knowhow, code_knowledge, belief_knowledge, adoption_share,
                                     care_production, waiting_list)}
