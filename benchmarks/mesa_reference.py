"""The peer reference: the model's core mechanisms written the idiomatic Mesa way, for the speed ratio.

Per-agent Python objects whose methods run under `AgentSet.shuffle_do`, attributes as Python lists
and floats, random draws from `self.random`, outcomes through `mesa.DataCollector` (Mesa 3 tutorial
style). Mechanisms, as in abm/ with `scenario.management=false` (every arrived service is in use in
every unit): March (1991) acting, socialisation toward the unit code and code learning from the
superior group (Christensen 2015 rules); know-how learning from more skilled contacts, training, use
and forgetting; UTAUT-style adoption and discontinuance; turnover with newcomers; care production,
workload and the managers' slack rule. The week's order is the model's (abm/core/model.py).

One deliberate difference, the idiomatic one: agents update in place in random order (asynchronous
updating), while the model updates synchronously from last week's state; with weekly rates of a few
per cent the statistical behaviour is the same (tests/core/test_mesa_reference.py checks it).
The starting region (units, staff, ties) comes from abm.core.build so both start from the same distribution.
Kept in benchmarks/ only: it is a yardstick, not part of the model.
"""

from __future__ import annotations

import math

import mesa
import numpy as np

from abm.core.build import build_network, build_staff, build_units
from abm.core.mechanisms import care
from abm.core.model import quiet_mesa
from abm.core.params import ModelParams
from abm.core.rng import streams


class RefStaff(mesa.Agent):
    """A staff member holding its own state as Python values."""

    def __init__(self, model: MesaReference, unit: RefUnit, knowhow: float, beliefs: list[int],
                 attitude: float) -> None:
        super().__init__(model)
        self.unit, self.knowhow, self.beliefs, self.attitude = unit, knowhow, beliefs, attitude
        self.contacts: list[RefStaff] = []
        self.uses = [False] * len(model.advantage)
        self.actions: list[int] = []
        self.performance = 0
        self.trained = False
        self.care = self.full_time = 0.0

    def work(self) -> None:
        """Act, socialise toward the unit code, train, learn from contacts, produce care."""
        model, lp, rnd = self.model, self.model.params.learning, self.random
        explore = self.unit.explore_share
        self.actions = [b if b != 0 else (1 if rnd.random() < 0.5 else -1) for b in self.beliefs]
        self.performance = sum(a * r for a, r in zip(self.actions, model.reality, strict=True))
        rate = model.params.learning.p_socialise * (1.0 - lp.explore_slows_socialising * explore)
        for d, c in enumerate(self.unit.code):
            b = self.beliefs[d]
            if c != 0 and b != c and rnd.random() < rate:
                self.beliefs[d] = c if b == 0 else 0
        # without management every arrived service is being implemented everywhere: implementation time
        implementing = model.params.management.implementation_time if any(model.arrived) else 0.0
        learning = explore + implementing
        self.trained = rnd.random() < min(1.0, model.params.management.training_rate * learning)
        self.learn(learning)
        time = min(max(1.0 - learning - self.trained * care.TRAINING_TIME, 0.0), 1.0)
        quality = 0.5 + 0.5 * self.performance / len(model.reality)
        used = sum(a for a, u in zip(model.advantage, self.uses, strict=True) if u)
        digital = 1.0 + care.DIGITAL_GAIN * used / max(len(model.advantage), 1) * self.knowhow
        self.full_time = (0.6 + 0.4 * quality) * digital
        self.care = time * self.full_time

    def learn(self, explore: float) -> None:
        """Know-how from more skilled contacts, training and use; unused skill is forgotten."""
        lp = self.model.params.learning
        k = self.knowhow
        gap_sum = sum(max(o.knowhow - k, 0.0) for o in self.contacts)
        peer = lp.rate_peer * (lp.peer_base + (1.0 - lp.peer_base) * explore) * (0.5 + self.attitude)
        peer *= gap_sum / max(len(self.contacts), 1)
        n_used = sum(self.uses)
        gain = peer + (1.0 - k) * (self.trained * lp.rate_training + lp.rate_use * n_used)
        forget = lp.rate_forget * k if n_used == 0 and not self.trained else 0.0
        self.knowhow = min(max(k + gain - forget, 0.0), 1.0)

    def decide_adoption(self) -> None:
        """UTAUT intention sets a logistic weekly hazard; users with low intention may stop."""
        model, ap, rnd = self.model, self.model.params.adoption, self.random
        degree = max(len(self.contacts), 1)  # people without contacts see no adopting contacts
        for s, arrived in enumerate(model.arrived):
            if not arrived:
                continue
            social = sum(o.uses[s] for o in self.contacts) / degree
            intent = (ap.w_performance * model.advantage[s] + ap.w_effort * (self.knowhow - model.complexity[s])
                      + ap.w_social * social + ap.w_facilitating * self.unit.support
                      + ap.w_attitude * (self.attitude - 0.5))
            if self.uses[s]:
                if intent < ap.intention_threshold - ap.discontinue_margin and rnd.random() < ap.p_discontinue:
                    self.uses[s] = False
                continue
            x = -ap.steepness * (intent - ap.intention_threshold)
            hazard = ap.rate_adopt / (1.0 + math.exp(min(x, 700.0))) + ap.p_external + ap.q_social * social
            if rnd.random() < -math.expm1(-hazard * ap.dt):
                self.uses[s] = True

    def maybe_leave(self) -> None:
        """Turnover: the post is taken by a newcomer with random beliefs and baseline know-how."""
        model, org, rnd = self.model, self.model.params.organisation, self.random
        if rnd.random() >= model.params.learning.p_turnover:
            return
        self.beliefs = [rnd.choice((-1, 0, 1)) for _ in self.beliefs]
        self.knowhow = min(max(rnd.gauss(org.knowhow_mean, org.knowhow_sd), 0.0), 1.0)
        self.attitude = rnd.betavariate(2.0, 2.0)
        self.uses = [False] * len(self.uses)


class RefUnit(mesa.Agent):
    """A unit with its code, members and manager."""

    def __init__(self, model: MesaReference, code: list[int], demand: float, enabling: bool, support: float) -> None:
        super().__init__(model)
        self.code, self.demand, self.enabling, self.support = code, demand, enabling, support
        self.members: list[RefStaff] = []
        self.explore_share, self.workload, self.care = 0.0, 1.0, 0.0

    def balance(self) -> None:
        """The practice's share (contextual alpha), cut when workload exceeds capacity."""
        pr = self.model.params.practice
        sensitivity = (0.5 if self.enabling else 1.0) * pr.slack_sensitivity
        self.explore_share = min(max(pr.alpha * (1.0 - sensitivity * max(self.workload - 1.0, 0.0)), 0.0), 1.0)

    def tally(self) -> None:
        self.care = sum(s.care for s in self.members)
        capacity = sum(s.full_time for s in self.members)
        self.workload = self.demand / max(capacity, 1e-9)

    def learn_code(self) -> None:
        """The code moves to the superior group's strict majority with probability 1 - (1 - p2)^k."""
        reality, p2 = self.model.reality, self.model.params.learning.p_code_learning
        code_score = sum(c * r for c, r in zip(self.code, reality, strict=True))
        superior = [s for s in self.members if s.performance > code_score]
        for d in range(len(self.code)):
            net = sum(s.actions[d] for s in superior)
            majority = (net > 0) - (net < 0)
            if majority != 0 and majority != self.code[d] and self.random.random() < 1.0 - (1.0 - p2) ** abs(net):
                self.code[d] = majority


class MesaReference(mesa.Model):
    """The core mechanisms per agent; `step()` is one week."""

    def __init__(self, params: ModelParams) -> None:
        quiet_mesa()
        super().__init__(rng=params.seed)
        self.params = params
        catalogue = params.services.catalogue
        self.advantage = [s.relative_advantage for s in catalogue]
        self.complexity = [s.complexity for s in catalogue]
        self.arrival = [s.arrival_week for s in catalogue]
        self.arrived = [False] * len(catalogue)
        self.week = 0
        self.build()
        self.datacollector = mesa.DataCollector(model_reporters={
            "mean_knowhow": mean_knowhow, "code_knowledge": code_knowledge,
            "belief_knowledge": belief_knowledge, "adoption_share": adoption_share,
            "care_production": care_production,
        })
        self.datacollector.collect(self)

    @classmethod
    def of_size(cls, n_staff: int, n_units: int, seed: int = 0) -> MesaReference:
        from abm.api import compose

        return cls(compose(["organisation=region", f"organisation.n_staff={n_staff}",
                            f"organisation.n_units={n_units}", f"seed={seed}", "scenario.management=false"]))

    def build(self) -> None:
        """The starting region from abm.core.build, copied into Python objects."""
        p, rngs = self.params, streams(self.params.seed)
        units = build_units(p, rngs["setup"])
        staff = build_staff(p, units, rngs["setup"])
        net = build_network(p, staff, units, rngs["network"])
        m = p.organisation.n_dims
        self.reality = [1 if x else -1 for x in (rngs["environment"].random(m) < 0.5)]
        self.units = [RefUnit(self, [0] * m, float(units.demand_base[u]), bool(units.enabling[u]),
                              float(units.support[u])) for u in range(units.n)]
        people = [RefStaff(self, self.units[staff.unit[i]], float(staff.knowhow[i]), staff.beliefs[i].tolist(),
                           float(staff.attitude[i])) for i in range(staff.n)]
        indptr, indices = net.adjacency.indptr, net.adjacency.indices
        for i, person in enumerate(people):
            person.contacts = [people[j] for j in indices[indptr[i]:indptr[i + 1]]]
            person.unit.members.append(person)

    def step(self) -> None:
        self.week += 1
        p_turb = self.params.environment.p_turbulence
        self.reality = [-r if self.random.random() < p_turb else r for r in self.reality]
        self.arrived = [a <= self.week for a in self.arrival]
        staff, units = self.agents_by_type[RefStaff], self.agents_by_type[RefUnit]
        units.shuffle_do("balance")
        staff.shuffle_do("work")
        units.do("tally")
        staff.shuffle_do("decide_adoption")
        units.shuffle_do("learn_code")
        staff.shuffle_do("maybe_leave")
        self.datacollector.collect(self)


def mean_knowhow(model: MesaReference) -> float:
    return float(np.mean([s.knowhow for s in model.agents_by_type[RefStaff]]))


def code_knowledge(model: MesaReference) -> float:
    m = len(model.reality)
    return float(np.mean([sum(c * r for c, r in zip(u.code, model.reality, strict=True)) / m for u in model.units]))


def belief_knowledge(model: MesaReference) -> float:
    m = len(model.reality)
    return float(np.mean([sum(b * r for b, r in zip(s.beliefs, model.reality, strict=True)) / m
                          for s in model.agents_by_type[RefStaff]]))


def adoption_share(model: MesaReference) -> float:
    arrived = [k for k, a in enumerate(model.arrived) if a]
    if not arrived:
        return 0.0
    return float(np.mean([s.uses[k] for s in model.agents_by_type[RefStaff] for k in arrived]))


def care_production(model: MesaReference) -> float:
    return float(np.mean([s.care for s in model.agents_by_type[RefStaff]]))
