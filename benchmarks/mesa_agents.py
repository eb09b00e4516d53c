"""The agents of the idiomatic-Mesa reference (benchmarks/mesa_reference.py): a staff member and a unit, each
holding its own state as Python values and stepping itself; the week's order and the model around them are in
benchmarks/mesa_reference.py."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import mesa

from abm.core.params import DIMENSIONS
from abm.core.state import ServiceState, UnitKind

if TYPE_CHECKING:
    from benchmarks.mesa_reference import MesaReference

HABIT_WEEKS = 520.0  # as abm.core.mechanisms.adoption
ACTIVE = (ServiceState.PILOTING, ServiceState.IMPLEMENTING, ServiceState.ROUTINISED)


class RefStaff(mesa.Agent):
    """A staff member holding its own state as Python values."""

    def __init__(self, model: MesaReference, unit: RefUnit, row: dict) -> None:
        super().__init__(model)
        self.unit = unit
        self.__dict__.update(row)  # role, knowhow (per dimension), beliefs, attitude, tenure, uses, p_socialise
        self.contacts: list[RefStaff] = []
        self.actions: list[int] = []
        self.performance = 0
        self.trained = False
        self.care = self.full_time = 0.0
        self.next_knowhow, self.next_uses = self.knowhow, self.uses

    def act(self) -> None:
        """Actions: the belief where it is +/-1, a fair coin where it is 0; performance against reality."""
        rnd = self.random
        self.actions = [b if b != 0 else (1 if rnd.random() < 0.5 else -1) for b in self.beliefs]
        self.performance = sum(a * r for a, r in zip(self.actions, self.model.reality, strict=True))

    def learn(self) -> None:
        """Socialise toward the unit code, learn from a better contact, train, decide next week's know-how."""
        model, lp, rnd, unit = self.model, self.model.params.learning, self.random, self.unit
        rate = self.p_socialise * (1.0 - lp.explore_slows_socialising * unit.explore_share)
        for d, c in enumerate(unit.code):
            b = self.beliefs[d]
            if c != 0 and b != c and rnd.random() < rate:
                self.beliefs[d] = c if b == 0 else 0
        self.learn_from_contacts()
        self.trained = rnd.random() < min(1.0, model.params.management.training_rate * unit.learning_time())
        if model.params.scenario.knowhow:
            self.next_knowhow = self.learnt_knowhow(unit.learning_time())

    def work(self) -> None:
        """Assume the know-how learnt this week, then give care."""
        self.knowhow = self.next_knowhow
        self.give_care(self.unit.learning_time())

    def learn_from_contacts(self) -> None:
        """Among k contacts drawn with replacement (0: all), the majority belief of those who perform better
        is taken with probability p_learn on each dimension where it differs (Fang, Lee & Schilling 2010)."""
        lp, rnd = self.model.params.learning, self.random
        if lp.p_learn_contacts <= 0 or not self.contacts:
            return
        k = lp.contacts_per_week
        sample = [rnd.choice(self.contacts) for _ in range(k)] if k > 0 else self.contacts
        better = [c for c in sample if c.performance > self.performance]
        if not better:
            return
        for d in range(len(self.beliefs)):
            total = sum(c.beliefs[d] for c in better)
            majority = (total > 0) - (total < 0)
            if majority != 0 and majority != self.beliefs[d] and rnd.random() < lp.p_learn_contacts:
                self.beliefs[d] = majority

    def learnt_knowhow(self, learning: float) -> list[float]:
        """Per dimension: from more skilled contacts, training (full where the unit takes up a service),
        use; unused skill above the newcomer level is forgotten."""
        model, lp = self.model, self.model.params.learning
        peer = lp.rate_peer * (lp.peer_base + (1.0 - lp.peer_base) * learning) * (0.5 + self.attitude)
        degree = max(len(self.contacts), 1)
        floor = model.params.organisation.knowhow_mean
        out = []
        for d, k in enumerate(self.knowhow):
            gap_sum = sum(max(o.knowhow[d] - k, 0.0) for o in self.contacts)
            n_used = sum(1 for s, u in enumerate(self.uses) if u and model.dimension[s] == d)
            relevance = 1.0 if self.unit.focus[d] else lp.training_general
            gain = peer * gap_sum / degree + (1.0 - k) * (self.trained * lp.rate_training * relevance
                                                           + lp.rate_use * n_used)
            forget = lp.rate_forget * max(k - floor, 0.0) if n_used == 0 and not self.trained else 0.0
            out.append(min(max(k + gain - forget, 0.0), 1.0))
        return out

    def give_care(self, learning: float) -> None:
        """Output this week and at full time: time left from learning and training, quality of action, and
        the services used (their experienced advantage times know-how in their dimension)."""
        model, cp = self.model, self.model.params.care
        time = min(max(1.0 - learning - (cp.training_time if self.trained else 0.0), 0.0), 1.0)
        quality = 0.5 + 0.5 * self.performance / len(model.reality)
        digital = sum(model.expectancy[s] * self.knowhow[model.dimension[s]] for s, u in enumerate(self.uses) if u)
        self.full_time = ((1.0 - cp.quality_weight) + cp.quality_weight * quality) * (
            1.0 + cp.digital_gain / max(len(model.expectancy), 1) * digital)
        self.care = time * self.full_time

    def decide_adoption(self) -> None:
        """UTAUT intention sets a logistic weekly hazard; users with low intention may stop (next week's uses,
        from everyone's uses now)."""
        model, ap, rnd, unit = self.model, self.model.params.adoption, self.random, self.unit
        degree = max(len(self.contacts), 1)  # people without contacts see no adopting contacts
        resist = (ap.resist_physician, ap.resist_nurse, ap.resist_assistant, ap.resist_admin)[self.role]
        person = ap.w_attitude * (self.attitude - 0.5) - resist - ap.w_habit * min(self.tenure / HABIT_WEEKS, 1.0)
        workload = ap.w_workload * max(unit.workload - 1.0, 0.0)
        self.next_uses = uses = list(self.uses)
        for s in range(len(uses)):
            if unit.state[s] not in ACTIVE:
                uses[s] = False
                continue
            social = sum(o.uses[s] for o in self.contacts) / degree
            expectancy = model.expectancy[s] + model.boost * model.remote[s]
            intent = (ap.w_social * social + ap.w_performance * expectancy - ap.w_effort * model.complexity[s]
                      + ap.w_effort * self.knowhow[model.dimension[s]] + person + ap.w_facilitating * unit.support
                      - workload)
            if uses[s]:
                if intent < ap.intention_threshold - ap.discontinue_margin and rnd.random() < ap.p_discontinue:
                    uses[s] = False
                continue
            x = -ap.steepness * (intent - ap.intention_threshold)
            hazard = ap.rate_adopt / (1.0 + math.exp(min(x, 700.0))) + ap.p_external + ap.q_social * social
            chance = min(hazard * ap.dt, 1.0) if ap.step_probability == "linear" else -math.expm1(-hazard * ap.dt)
            if rnd.random() < chance:
                uses[s] = True

    def adopt(self) -> None:
        self.uses = self.next_uses

    def maybe_leave(self) -> None:
        """Turnover: the post is taken by a newcomer with random beliefs and baseline know-how."""
        org, rnd = self.model.params.organisation, self.random
        self.tenure += 1
        if rnd.random() >= self.model.params.learning.p_turnover:
            return
        bonus = org.innovation_knowhow_bonus if self.unit.kind == UnitKind.INNOVATION else 0.0
        self.beliefs = [rnd.choice((-1, 0, 1)) for _ in self.beliefs]
        self.knowhow = [min(max(min(max(rnd.gauss(org.knowhow_mean, org.knowhow_sd), 0.0), 1.0) + bonus, 0.0), 1.0)
                        for _ in self.knowhow]
        self.attitude = rnd.betavariate(org.attitude_beta, org.attitude_beta)
        self.tenure = 0
        self.uses = [False] * len(self.uses)


class RefUnit(mesa.Agent):
    """A unit with its code, manager, demand, waiting list, services and patients."""

    def __init__(self, model: MesaReference, row: dict) -> None:
        super().__init__(model)
        self.__dict__.update(row)  # kind, size, enabling, support, demand_base, code, state, uptake, adoption
        self.members: list[RefStaff] = []
        self.explore_share = self.planned = self.care = self.waiting = self.unmet = self.remote_share = 0.0
        self.plan_before_cut = 0.0  # the practice's share before the unit manager's cut (max_raise caps from it)
        self.workload = 1.0
        self.demand = self.demand_base
        self.focus = [False] * len(DIMENSIONS)

    def learning_time(self) -> float:
        """Working time away from care: exploring, and implementing services."""
        implementing = any(st == ServiceState.IMPLEMENTING for st in self.state)
        return self.explore_share + self.model.params.management.implementation_time * implementing

    def plan(self) -> None:
        """The practice's share this week; a unit manager cuts it under workload (enabling managers half)."""
        pr, weight = self.model.params.practice, self.model.weight
        if pr.name == "exploit_only" or (pr.name == "structural" and self.kind != UnitKind.INNOVATION):
            share = 0.0
        else:
            share = (pr.innovation_share if pr.name == "structural" else pr.budget) * weight
        self.plan_before_cut = share
        if pr.decided_by == "units":
            sensitivity = (0.5 if self.enabling else 1.0) * pr.slack_sensitivity
            share = min(max(share * (1.0 - sensitivity * max(self.workload - 1.0, 0.0)), 0.0), 1.0)
        self.planned = share
        taking_up = [st in (ServiceState.PILOTING, ServiceState.IMPLEMENTING) for st in self.state]
        self.focus = [any(t and self.model.dimension[s] == d for s, t in enumerate(taking_up))
                      for d in range(len(DIMENSIONS))]

    def deliver(self) -> None:
        """Contacts against new demand and the waiting list; remote contacts take less staff time."""
        model, cp = self.model, self.model.params.care
        remote = cp.baseline_remote_share + sum(
            a * up * model.substitution[s] for s, (a, up) in enumerate(zip(self.adoption, self.uptake, strict=True))
            if model.remote[s])
        self.remote_share = min(remote, cp.max_remote_share)
        stretch = 1.0 - self.remote_share * (1.0 - cp.remote_time)
        capacity = sum(s.care for s in self.members) / stretch
        asked = self.demand + self.waiting
        self.care = min(asked, capacity)
        self.unmet = asked - self.care
        self.waiting = self.unmet * (1.0 - cp.waiting_renege)
        self.workload = asked / max(sum(s.full_time for s in self.members) / stretch, 1e-9)

    def take_up(self) -> None:
        """Patients take up patient-facing services their unit's staff offer (Bass), faster in a shock."""
        model, ap = self.model, self.model.params.adoption
        self.tally()
        for s, u in enumerate(self.uptake):
            if not model.patient_facing[s]:
                continue
            if self.state[s] not in ACTIVE:
                self.uptake[s] = 0.0
                continue
            boost = 1.0 + model.boost * model.remote[s]
            rate = (ap.p_patient + ap.q_patient * u) * (1.0 - u) * self.adoption[s] * boost
            self.uptake[s] = min(max(u + rate, 0.0), 1.0)

    def tally(self) -> None:
        """Share of the unit's staff using each service."""
        size = max(len(self.members), 1)
        self.adoption = [sum(m.uses[s] for m in self.members) / size for s in range(len(self.state))]

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
