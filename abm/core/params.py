"""Typed, validated parameters: defined once, reused by the model, Hydra schemas, sliders and the ODD table.

Each field carries metadata: ``help`` (one line), and ``range`` (inclusive bounds) or ``choices``.
Every dataclass validates itself on construction and names the offending key with its group prefix.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any, ClassVar

from abm.errors import ParamError

PRACTICES = ("exploit_only", "contextual", "structural", "sequential", "networked", "adaptive")
DIMENSIONS = ("governance_workforce", "interoperability", "person_enabled", "predictive_analytics")
ADOPTION_RULES = ("utaut", "threshold")
STEP_PROBABILITIES = ("exponential", "linear")
NETWORKS = ("organisation", "complete", "watts_strogatz")
DECIDERS = ("management", "units")


def p(default: float, help: str, lo: float = 0.0, hi: float = 1.0, src: str = "assumption") -> Any:
    """A float field with inclusive bounds (a probability unless told otherwise) and its source."""
    return field(default=default, metadata={"help": help, "range": (lo, hi), "source": src})


def n(default: int, help: str, lo: int = 0, hi: float = math.inf, src: str = "assumption") -> Any:
    """An integer count field with inclusive bounds and its source."""
    return field(default=default, metadata={"help": help, "range": (lo, hi), "source": src})


def choice(default: str, help: str, choices: tuple[str, ...], src: str = "design") -> Any:
    return field(default=default, metadata={"help": help, "choices": choices, "source": src})


def flag(default: bool, help: str, src: str = "design") -> Any:
    return field(default=default, metadata={"help": help, "source": src})


def per_person(help: str, lo: float, hi: float) -> Any:
    """A tuple of per-staff values by staff row (empty: everyone gets the scalar default)."""
    return field(default=(), metadata={"help": help, "each": (lo, hi), "source": "docking"})


class Shown:
    """A value as an error message shows it: huge integers abbreviated to their digits and length."""

    def __init__(self, value: object) -> None:
        self.value = value

    def __repr__(self) -> str:
        text, digits = repr(self.value), str(self.value).strip()
        if (isinstance(self.value, int) or digits.lstrip("-").isdigit()) and len(digits) > 40:
            return f"{digits[:6]}...{digits[-3:]} (an integer of {len(digits.lstrip('-'))} digits)"
        return text if len(text) <= 200 else f"{text[:60]}... ({len(text)} characters)"


def shown(value: object) -> object:
    """`value`, or a stand-in with a short repr when its repr would swamp a one-line error."""
    return Shown(value) if len(repr(value)) > 40 and isinstance(value, int | str) else value


def check_each(key: str, values: tuple[float, ...], lo: float, hi: float) -> None:
    for v in values:
        if isinstance(v, bool) or not isinstance(v, int | float) or not (lo <= v <= hi):
            raise ParamError(key, shown(v), f"every value a number in [{lo}, {hi}]")


def validate_fields(obj: Any, prefix: str) -> None:
    """Check every field of a params dataclass against its metadata; raise ParamError naming the key."""
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        key = f"{prefix}.{f.name}" if prefix else f.name
        meta = f.metadata
        if "range" in meta:
            lo, hi = meta["range"]
            is_int = f.type in ("int", int)
            kind = "an integer" if is_int else "a number"
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ParamError(key, shown(value), f"{kind} in [{lo}, {hi}]")
            # an int is compared exactly (never through float(): a 309-digit integer overflows a float)
            if is_int and isinstance(value, float) and not value.is_integer():
                raise ParamError(key, value, f"an integer in [{lo}, {hi}]")
            if not (lo <= value <= hi) or (isinstance(value, float) and math.isnan(value)):
                raise ParamError(key, shown(value), f"{kind} in [{lo}, {hi}]")
        elif "each" in meta:
            if not isinstance(value, tuple | list):
                raise ParamError(key, value, "a list of numbers (one per staff member) or []")
            check_each(key, tuple(value), *meta["each"])
        elif "choices" in meta:
            if value not in meta["choices"]:
                raise ParamError(key, value, "one of " + ", ".join(meta["choices"]))
        elif f.type in ("bool", bool) and not isinstance(value, bool):
            raise ParamError(key, value, "true or false")


class Validated:
    """Mixin: validate on construction using the class's config group as the key prefix."""

    group: ClassVar[str] = ""

    def __post_init__(self) -> None:
        validate_fields(self, self.group)
        self.check()

    def check(self) -> None:
        """Cross-field checks; override where fields constrain each other."""


@dataclass(frozen=True)
class OrganisationParams(Validated):
    """Size and structure of the region: units, staff, roles, ties, champions, managers."""

    group: ClassVar[str] = "organisation"
    name: str = "default"
    n_units: int = n(20, "number of units (care units plus innovation units)", 1, 10_000)
    n_staff: int = n(600, "number of staff members", 1, 10_000_000)
    n_innovation_units: int = n(
        2, "units the exploration budget is concentrated in under `structural` (other practices build none)",
        0, 10_000, src="Tushman & O'Reilly 1996",
    )
    share_primary_care: float = p(0.5, "share of care units that are primary-care centres")
    share_wards: float = p(0.3, "share of care units that are hospital wards (the rest are specialist clinics)")
    unit_size_sd: float = p(0.3, "spread (log scale) of unit sizes", 0.0, 2.0)
    share_physicians: float = p(0.2, "share of staff who are physicians",
                                src="Socialstyrelsen staff statistics (rounded)")
    share_nurses: float = p(0.45, "share of staff who are nurses", src="Socialstyrelsen staff statistics (rounded)")
    share_assistants: float = p(0.25, "share of staff who are assistant nurses (the rest: administrative staff)",
                                src="Socialstyrelsen staff statistics (rounded)")
    max_initial_tenure: int = n(520, "initial tenure is uniform in 0..this many weeks", 1, 5200)
    n_dims: int = n(30, "m, the number of dimensions of what good care needs", 1, 1000, src="March 1991")
    ties_within: float = p(10.0, "mean number of ties a staff member has within their own unit", 0.0, 1000.0)
    mean_cross_ties: float = p(0.5, "mean number of cross-unit ties per staff member (all practices but `networked`)",
                               0.0, 100.0)
    share_champions: float = p(0.05, "share of staff who are digital champions")
    champion_tie_boost: float = p(6.0, "how many times more cross-unit ties a champion has", 1.0, 100.0)
    knowhow_mean: float = p(0.3, "mean digital know-how (each dimension) of staff at the start and of newcomers")
    knowhow_sd: float = p(0.12, "spread of initial digital know-how", 0.0, 0.5)
    innovation_knowhow_bonus: float = p(0.15, "extra starting know-how of innovation-unit staff (`structural`)")
    attitude_beta: float = p(2.0, "attitudes to digital change are Beta(a, a) with this a", 0.1, 100.0)
    share_enabling_managers: float = p(0.5, "share of unit managers with an enabling (vs controlling) style")
    support_enabling: float = p(0.8, "mean starting support for change of an enabling manager (uniform +-0.2)",
                                0.2, 0.8)
    support_controlling: float = p(0.4, "mean starting support for change of a controlling manager (uniform +-0.2)",
                                   0.2, 0.8)
    demand_per_staff: float = p(0.88, "weekly patient demand per staff member, in care units (capacity is tight)",
                                0.0, 10.0)
    demand_primary_care: float = p(1.0, "relative demand per staff member of a primary-care centre", 0.0, 10.0)
    demand_ward: float = p(1.1, "relative demand per staff member of a hospital ward", 0.0, 10.0)
    demand_specialist: float = p(0.95, "relative demand per staff member of a specialist clinic", 0.0, 10.0)
    demand_innovation: float = p(0.3, "relative demand per staff member of an innovation unit", 0.0, 10.0)

    def check(self) -> None:
        if self.n_innovation_units >= self.n_units:  # one unit is a care unit, so 0 innovation units
            raise ParamError(
                "organisation.n_innovation_units", self.n_innovation_units,
                f"fewer than organisation.n_units ({self.n_units}), so that at least one unit gives care",
            )
        if self.n_staff < self.n_units:
            raise ParamError("organisation.n_staff", self.n_staff,
                             f"at least organisation.n_units ({self.n_units})")
        if self.share_primary_care + self.share_wards > 1:
            raise ParamError("organisation.share_wards", self.share_wards,
                             f"at most 1 - share_primary_care ({1 - self.share_primary_care:.2f})")
        if self.share_physicians + self.share_nurses + self.share_assistants > 1:
            raise ParamError("organisation.share_assistants", self.share_assistants,
                             "at most 1 - share_physicians - share_nurses "
                             f"({1 - self.share_physicians - self.share_nurses:.2f})")


@dataclass(frozen=True)
class PracticeParams(Validated):
    """The balancing practice: a design for where, when and by whom the region's exploration budget is spent.

    Every exploring practice spends the same budget (a share of all staff time); they differ only in where
    (evenly, in dedicated innovation units, in cross-unit subgroups), when (all the time, in phases, early,
    when performance falls short of aspiration) and who decides (management, or unit managers under workload).
    """

    group: ClassVar[str] = "practice"
    name: str = choice("contextual", "the balancing practice", PRACTICES)
    budget: float = p(
        0.10, "the region's exploration budget: share of all staff time spent exploring (0 under exploit_only)",
        0.0, 0.5, src="assumption (innovation time schemes of 10-20%)",
    )
    decided_by: str = choice(
        "units", "who turns the budget into weekly time: management (protected) or unit managers (cut under "
        "workload, by style)", DECIDERS, src="Gibson & Birkinshaw 2004; O'Reilly & Tushman 2013",
    )
    explore_weeks: int = n(
        0, "explore only in weeks 1..explore_weeks, at the intensity that spends the same budget (0: the whole run)",
        0, 100_000, src="Siggelkow & Levinthal 2003; Boumgarden, Nickerson & Zenger 2012",
    )
    carryover_weeks: int = n(26, "weeks over which time not spent (or overspent) is made up", 1, 520)
    max_unit_share: float = p(0.9, "upper bound on any unit's exploration share in a week", 0.0, 1.0)
    max_raise: float = p(
        2.0, "most the budget account may raise a unit's share, as a multiple of the unit's planned share (time "
        "other units' managers cut is made up by units that explore, up to this multiple, and later weeks)",
        1.0, 100.0, src="assumption (a unit manager absorbs at most about twice the planned innovation time)",
    )
    innovation_share: float = p(
        0.8, "share of their time innovation-unit staff explore under `structural` (sets the units' size)",
        0.05, 1.0, src="Tushman & O'Reilly 1996",
    )
    period_weeks: int = n(52, "full cycle of `sequential` (explore the first half, exploit the second)", 2, 10_000,
                          src="Boumgarden, Nickerson & Zenger 2012")
    cross_share: float = p(
        0.2, "share of each person's ties that cross units under `networked`", 0.0, 0.95,
        src="Fang, Lee & Schilling 2010",
    )
    aspiration_weight: float = p(0.2, "weight of the latest performance in the aspiration level (adaptive)",
                                 src="Greve 1998")
    social_aspiration: float = p(0.2, "weight of the best unit's performance in a unit's aspiration (adaptive)",
                                 src="Greve 1998")
    adaptive_gain: float = p(
        3.0, "how strongly `adaptive` raises a unit's exploration per relative shortfall from aspiration", 0.0, 100.0,
        src="Cyert & March 1963",
    )
    adaptive_step: float = p(0.01, "how far `adaptive` moves a unit's exploration share per week", 0.0, 0.5)
    slack_sensitivity: float = p(
        1.0, "how strongly a controlling unit manager cuts exploration when workload exceeds capacity "
        "(decided_by: units)", 0.0, 10.0,
    )

    def check(self) -> None:
        if self.name == "exploit_only" and self.budget != 0:
            raise ParamError("practice.budget", self.budget, "0 under practice exploit_only (it explores nothing)")


@dataclass(frozen=True)
class ManagementParams(Validated):
    """Top management's routines for sensing, seizing and transforming, and how they learn (dynamic capability)."""

    group: ClassVar[str] = "management"
    sensing_interval: int = n(4, "weeks between sensing rounds", 1, 520)
    sensing_investment: float = p(1.0, "investment in sensing; noise falls as 1/(1+investment)", 0.0, 100.0,
                                  src="Teece 2007")
    sensing_noise: float = p(0.4, "noise of management's value estimates with no investment", 0.0, 10.0)
    bottom_up_weight: float = p(
        0.5, "how much signals from staff skilled in a service's dimension reduce the noise of its estimate",
        src="Cohen & Levinthal 1990",
    )
    high_knowhow: float = p(0.5, "know-how above which a person's signal about a service counts (bottom-up)")
    value_threshold: float = p(0.1, "estimated value a service needs to be piloted", -1.0, 1.0)
    pilot_capacity: float = p(3.0, "pilots management can run at once, per 1,000 staff", 0.0, 1000.0)
    pilot_speed: float = p(0.5, "pilot progress per week at full know-how and exploration share 1", 0.0, 10.0)
    pilot_success_share: float = p(0.3, "adoption share in the pilot unit that makes a pilot succeed")
    judgement_noise: float = p(
        0.2, "noise of a unit's judgement of a pilot's benefit (a good code judges the fit; noise the rest)",
        0.0, 10.0, src="March 1991 (code knowledge)",
    )
    max_pilot_weeks: int = n(52, "a pilot not completed by then ends (funding ends)", 1, 1000)
    repilot_cooldown: int = n(26, "weeks after a failed pilot before the service may be piloted elsewhere", 0, 10_000,
                              src="Zollo & Winter 2002")
    max_attempts: int = n(3, "pilots of one service in the region before it is given up", 1, 100)
    repilot_head_start: float = p(0.3, "share of a failed pilot's work a re-pilot starts with (what was learnt)",
                                  src="Winter 2003")
    estimate_learning: float = p(
        0.5, "weight of a finished pilot's judged benefit in management's value estimate", src="Zollo & Winter 2002"
    )
    training_rate: float = p(
        0.2, "weekly chance of funded training per staff member, per unit of learning time", 0.0, 10.0
    )
    implementation_time: float = p(
        0.05, "working time a unit spends on implementation (support, training) while it implements a service",
        0.0, 0.5, src="Fleming et al. 2014 (productivity dip after go-live)",
    )
    routinise_share: float = p(0.6, "adoption share at which an implementing service is routinised")
    abandon_share: float = p(0.1, "adoption share below which a routinised service is abandoned (low use)")
    max_implement_weeks: int = n(104, "a non-mandated implementation not routinised by then ends (funding ends)",
                                 1, 10_000)
    p_misfit_abandon: float = p(
        0.02, "weekly chance a unit drops a live service its code judges no better than value_threshold (a misfit)",
        src="Greenhalgh et al. 2017 (NASSS)",
    )
    scaling_interval: int = n(8, "weeks between scaling rounds (transforming)", 1, 520)
    scaling_capacity: float = p(
        40.0, "staff a scaling round brings into implementation, per 1,000 staff", 0.0, 1000.0,
    )
    scaling_learning: float = p(
        0.1, "how much each unit a service was scaled to speeds later scaling (experience, log scale)", 0.0, 10.0,
        src="Zollo & Winter 2002; Argote 1999",
    )
    support_learning: float = p(
        0.01, "weekly rise of a unit manager's support, times the share of the unit's active services routinised",
        0.0, 1.0,
        src="Eisenhardt & Martin 2000",
    )
    support_erosion: float = p(
        0.01, "weekly fall of a unit manager's support per unit of workload above capacity", 0.0, 1.0,
    )
    ehealth_staff: float = p(
        3.0, "the regional e-health unit's staff per 1,000 staff (shared implementation support)", 0.0, 100.0,
        src="assumption (Swedish regions' e-health units)",
    )
    staff_per_ehealth_staff: float = p(
        80.0, "care staff whose implementation work one e-health staff member supports at once (the support goes "
        "to whole unit-services until their staff fill the capacity)", 0.0, 10_000.0,
        src="assumption (about one unit of a Swedish region per e-health staff member)",
    )
    ehealth_support: float = p(
        0.3, "facilitating conditions an e-health-unit-supported implementation adds", 0.0, 1.0,
        src="Greenhalgh et al. 2017 (NASSS)",
    )
    reconfigure_interval: int = n(26, "weeks between reconfiguration reviews", 1, 520)

    def check(self) -> None:
        if self.abandon_share >= self.routinise_share:  # else a service is abandoned the week it routinises
            raise ParamError("management.abandon_share", self.abandon_share,
                             f"below management.routinise_share ({self.routinise_share})")


@dataclass(frozen=True)
class EnvironmentParams(Validated):
    """What lies outside anyone's control: turbulence of what good care needs and demand shocks."""

    group: ClassVar[str] = "environment"
    name: str = "stable"
    p_turbulence: float = p(0.0, "p4: weekly probability that each dimension of reality flips", src="March 1991")
    demand_growth: float = p(0.0, "yearly growth of patient demand", -0.5, 1.0)
    shock_week: int = n(0, "week a demand shock starts (0: no shock)", 0, 100_000)
    shock_weeks: int = n(0, "duration of the demand shock in weeks", 0, 100_000)
    shock_multiplier: float = p(1.0, "demand multiplier during the shock", 1.0, 10.0)
    shock_remote_boost: float = p(
        0.0, "rise in the performance expectancy and priority of remote services during the shock", 0.0, 2.0,
        src="Ekman et al. 2021",
    )
    shock_rollout: float = p(
        0.0, "weekly share of care units that start an available remote service without a pilot during the shock",
        src="Ekman et al. 2021 (Swedish primary care moved to remote contacts within weeks in 2020)",
    )
    habit_persistence: float = p(
        0.5, "share of the shock's boost that stays after the shock (habit)", src="Ekman et al. 2021; SVT 2022",
    )
    habit_decay_weeks: float = p(26.0, "weeks over which the rest of the boost fades after the shock", 1.0, 1000.0)


@dataclass(frozen=True)
class CareParams(Validated):
    """Care production against demand: time, quality, digital gain, remote contacts and the waiting list."""

    group: ClassVar[str] = "care"
    digital_gain: float = p(0.8, "how much a fully advantageous service raises a fully skilled user's output",
                            0.0, 5.0)
    training_time: float = p(0.2, "share of a week a trained person spends in training")
    quality_weight: float = p(0.4, "weight of the quality of action (March performance) in a person's output",
                              src="March 1991 (performance)")
    remote_time: float = p(0.6, "staff time a remote contact takes, relative to a visit", 0.05, 1.0)
    max_remote_share: float = p(0.6, "upper bound on the remote share of a unit's contacts")
    baseline_remote_share: float = p(0.1, "remote share of contacts without e-health services (telephone)",
                                     src="Ekman et al. 2021 (about 12% of Swedish primary-care contacts in 2019)")
    waiting_renege: float = p(0.05, "weekly share of the waiting list that gives up (seeks care elsewhere)")

    def check(self) -> None:
        if self.baseline_remote_share > self.max_remote_share:
            raise ParamError("care.baseline_remote_share", self.baseline_remote_share,
                             f"at most care.max_remote_share ({self.max_remote_share})")


@dataclass(frozen=True)
class MaturityParams(Validated):
    """Digital maturity per unit on the four HIMSS DHI dimensions (0-100 each) and its stages."""

    group: ClassVar[str] = "maturity"
    w_services: float = p(0.5, "weight of live, used services in a dimension's score", src="Woods et al. 2022")
    w_knowhow: float = p(0.3, "weight of staff know-how in that dimension in a dimension's score",
                         src="Woods et al. 2022")
    gov_knowhow: float = p(0.4, "governance and workforce: weight of mean know-how")
    gov_champions: float = p(0.2, "governance and workforce: weight of the champion share")
    champion_target: float = p(0.1, "champion share that earns the full champion points", 0.01, 1.0)
    gov_support: float = p(0.2, "governance and workforce: weight of manager support")
    gov_services: float = p(0.2, "governance and workforce: weight of services live in all dimensions")
    weight_piloting: float = p(0.25, "a piloting service's weight in the score, relative to routinised")
    weight_implementing: float = p(0.5, "an implementing service's weight in the score, relative to routinised")
    stage1_total: float = p(60.0, "stage 1: total score at least", 0.0, 400.0, src="HIMSS EMRAM convention")
    stage2_governance: float = p(30.0, "stage 2: governance and workforce at least", 0.0, 100.0)
    stage4_person: float = p(40.0, "stage 4: person-enabled health at least", 0.0, 100.0)
    stage5_interoperability: float = p(30.0, "stage 5: interoperability at least", 0.0, 100.0)
    stage5_total: float = p(200.0, "stage 5: total score at least", 0.0, 400.0)
    stage6_predictive: float = p(40.0, "stage 6: predictive analytics at least", 0.0, 100.0)
    stage6_routinised: int = n(3, "stage 6: services routinised at least", 0, 1000)
    stage7_every: float = p(70.0, "stage 7: every dimension at least", 0.0, 100.0)


@dataclass(frozen=True)
class ServiceSpec(Validated):
    """One e-health service in the catalogue (its NASSS-style properties)."""

    group: ClassVar[str] = "services.catalogue[]"
    name: str = "service"
    label: str = "Service"
    arrival_week: int = n(0, "week the service becomes available", 0, 100_000)
    complexity: float = p(0.5, "know-how needed to use it well", src="Greenhalgh et al. 2017 (NASSS)")
    relative_advantage: float = p(0.5, "how much better care gets with it when it fits (performance expectancy)",
                                  src="Rogers 2003")
    cost: float = p(0.2, "cost of piloting and running it, as a share of its advantage")
    dimension: str = choice("person_enabled", "maturity dimension it serves", DIMENSIONS)
    remote: bool = flag(False, "whether it delivers remote care (substitutes visits)")
    substitution: float = p(0.0, "share of a unit's contacts it can make remote at full use by staff and patients")
    patient_facing: bool = flag(False, "whether patients must take it up too (patient uptake per unit catchment)")
    mandate_weeks: int = n(
        0, "0: not mandated; else a national mandate: every care unit starts implementing within this many weeks",
        0, 100_000, src="Moll et al. 2018 (national roll-out of record access)",
    )
    requires_interoperability: float = p(
        0.0, "interoperability maturity (0-100) a unit needs before it can take the service up", 0.0, 100.0,
        src="Greenhalgh et al. 2017 (NASSS)",
    )
    technical_failure: float = p(0.001, "weekly chance it fails technically in a unit without e-health support",
                                 src="Greenhalgh et al. 2017 (NASSS)")
    fit_dims: int = n(5, "dimensions of what good care needs that decide whether it fits", 1, 1000)
    start_share: float = p(0.0, "share of care units where it is already routinised at week 0 (a realistic start)")

    def check(self) -> None:
        if self.start_share > 0 and self.arrival_week > 0:
            raise ParamError(f"{self.group}.start_share", self.start_share,
                             "0 unless arrival_week is 0 (a service in use at the start has arrived)")
        if self.substitution > 0 and not self.remote:
            raise ParamError(f"{self.group}.substitution", self.substitution,
                             "0 unless remote is true")


DEFAULT_CATALOGUE: tuple[ServiceSpec, ...] = (
    ServiceSpec("eservices_1177", "E-services via the patient portal (1177)", 0, 0.25, 0.55, 0.15, "person_enabled",
                False, 0.0, True, 156, 0.0, 0.001, 5, 0.0),
    ServiceSpec("record_access", "Patient access to records (Journalen)", 0, 0.20, 0.40, 0.10, "person_enabled",
                False, 0.0, True, 260, 0.0, 0.001, 5, 0.0),
    ServiceSpec("video_consultation", "Video consultation", 8, 0.40, 0.60, 0.25, "person_enabled",
                True, 0.3, True, 0, 0.0, 0.002, 5, 0.0),
    ServiceSpec("eprescription_support", "E-prescription decision support", 20, 0.50, 0.55, 0.30,
                "predictive_analytics", False, 0.0, False, 208, 0.0, 0.002, 5, 0.0),
    ServiceSpec("digital_selfcare", "Digital self-care support", 40, 0.35, 0.45, 0.20, "person_enabled",
                True, 0.15, True, 0, 0.0, 0.002, 5, 0.0),
    ServiceSpec("remote_monitoring", "Remote patient monitoring", 60, 0.60, 0.65, 0.40, "predictive_analytics",
                True, 0.2, True, 0, 20.0, 0.003, 5, 0.0),
    ServiceSpec("shared_care_plans", "Shared care plans across units", 80, 0.55, 0.50, 0.35, "interoperability",
                False, 0.0, False, 0, 0.0, 0.002, 5, 0.0),
    ServiceSpec("ai_triage", "AI-assisted triage", 120, 0.75, 0.70, 0.50, "predictive_analytics",
                True, 0.1, False, 0, 30.0, 0.004, 5, 0.0),
)


@dataclass(frozen=True)
class ServicesParams(Validated):
    """The e-health service catalogue and how services fit what good care needs."""

    group: ClassVar[str] = "services"
    catalogue: tuple[ServiceSpec, ...] = DEFAULT_CATALOGUE
    initial_fit: float = p(
        0.8, "chance that each dimension a service depends on agrees with reality at week 0 (services fit at first)",
        src="assumption",
    )
    fit_weight: float = p(
        0.5, "share of a service's advantage that depends on its fit to what good care needs (misfit can harm)",
        src="Greenhalgh et al. 2017 (NASSS: value proposition)",
    )
    advantage_scale: float = p(
        1.0, "multiplies every catalogue service's relative advantage (the value of services; proposals keep "
        "proposal_advantage)", 0.25, 2.0,
        src="assumption (the value of services is uncertain: Greenhalgh et al. 2017, NASSS)",
    )
    mandate_delay: int = n(
        0, "weeks added to every mandated service's deadline (its roll-out window: national mandates later and "
        "slower)", 0, 520, src="assumption (the timing of national mandates is uncertain: Moll et al. 2018)",
    )
    proposals_per_year: float = p(
        4.0, "proposals for new e-health services (local initiatives, vendors' offers) reaching management a "
        "year beyond the catalogue, of uncertain value (0: the catalogue only)", 0.0, 52.0,
        src="Huang, Blaschke & Lucas 2017 (many pilots, few scaled: 'pilotitis'); the rate: assumption",
    )
    proposal_fit: float = p(
        0.5, "chance that each dimension a proposal depends on agrees with reality at week 0 (0.5: unproven, "
        "fit at chance)", src="assumption",
    )
    proposal_advantage: float = p(0.5, "mean relative advantage of a proposal when it fits", src="assumption")
    proposal_cost: float = p(0.4, "mean cost of a proposal, as a share of its advantage", src="assumption")
    proposal_complexity: float = p(0.5, "mean complexity of a proposal (know-how needed to use it well)",
                                   src="assumption")
    proposal_spread: float = p(
        0.25, "half-width of the uniform spread of a proposal's advantage, cost and complexity around their means "
        "(each clipped to [0.05, 1])", 0.0, 0.5, src="assumption",
    )
    proposal_remote: float = p(0.3, "share of proposals that deliver remote care (patient-facing, substitute visits)",
                               src="assumption")
    proposal_substitution: float = p(
        0.15, "share of a unit's contacts a remote proposal can make remote at full use", src="assumption",
    )
    proposal_technical_failure: float = p(
        0.002, "weekly chance a proposal fails technically in a unit without e-health support",
        src="Greenhalgh et al. 2017 (NASSS); the value: assumption",
    )

    def check(self) -> None:
        names = [s.name for s in self.catalogue]
        dup = {x for x in names if names.count(x) > 1}
        if dup:
            raise ParamError("services.catalogue.name", sorted(dup)[0], "unique service names")


@dataclass(frozen=True)
class LearningParams(Validated):
    """Mutual learning (March 1991), learning from contacts (Fang, Lee & Schilling 2010) and know-how, per week."""

    group: ClassVar[str] = "learning"
    p_socialise: float = p(0.1, "p1: weekly probability per dimension that a belief moves toward the unit code",
                           src="March 1991")
    p_code_learning: float = p(0.5, "p2: rate at which the unit code learns from superior staff", src="March 1991")
    p_turnover: float = p(0.002, "p3: weekly probability that a staff member leaves (replaced by a newcomer)",
                          0.0, 1.0, src="Vårdfokus 2017 (6-15% a year)")
    explore_slows_socialising: float = p(0.5, "how much exploration time slows socialisation (keeps diversity)",
                                         src="March 1991")
    p_learn_contacts: float = p(
        0.1, "chance per dimension that a person copies a better-performing contact's differing belief",
        src="Fang, Lee & Schilling 2010",
    )
    contacts_per_week: int = n(1, "contacts a person compares themselves with each week (0: all contacts)", 0, 1000,
                               src="Fang, Lee & Schilling 2010")
    rate_peer: float = p(0.01, "weekly share of the know-how gap to more skilled colleagues that is learnt", 0.0, 1.0,
                         src="Argote & Ingram 2000")
    peer_base: float = p(0.3, "share of peer learning that happens without learning time")
    rate_training: float = p(0.1, "share of the know-how gap closed by one week of funded training")
    training_general: float = p(0.3, "training's effect on dimensions without a service the unit is taking up")
    rate_use: float = p(0.002, "weekly know-how gain in a service's dimension from using it, times the gap",
                        src="Arrow 1962")
    rate_forget: float = p(0.003, "weekly share of know-how above the newcomer level forgotten in an unused dimension",
                           src="Darr, Argote & Epple 1995")
    p_socialise_each: tuple[float, ...] = per_person(
        "per-person p1 by staff row, overriding p_socialise (March 1991 Fig. 2 heterogeneous learners)", 0.0, 1.0
    )


@dataclass(frozen=True)
class AdoptionParams(Validated):
    """UTAUT-style adoption (Venkatesh et al. 2003) with Bass and threshold special cases."""

    group: ClassVar[str] = "adoption"
    rule: str = choice("utaut", "adoption rule", ADOPTION_RULES)
    w_performance: float = p(0.30, "weight of performance expectancy (pooled healthcare estimate)", 0.0, 5.0)
    w_effort: float = p(0.20, "weight of effort expectancy (know-how vs complexity); assumption", 0.0, 5.0)
    w_social: float = p(0.25, "weight of social influence (adopting neighbours); assumption", 0.0, 5.0)
    w_facilitating: float = p(0.15, "weight of facilitating conditions (manager support); assumption", 0.0, 5.0)
    w_attitude: float = p(0.10, "weight of the person's attitude to digital change; assumption", 0.0, 5.0)
    intention_threshold: float = p(0.2, "intention at which the adoption hazard is half its maximum", -5.0, 5.0)
    steepness: float = p(12.0, "steepness of the logistic from intention to hazard", 0.0, 100.0)
    rate_adopt: float = p(0.02, "maximum weekly adoption hazard from intention", 0.0, 10.0)
    p_external: float = p(0.0, "Bass p: external (innovation) hazard per week", 0.0, 10.0)
    q_social: float = p(0.0, "Bass q: imitation hazard per unit share of adopting contacts", 0.0, 10.0)
    w_workload: float = p(0.10, "how much workload above capacity lowers intention (no time to change)", 0.0, 5.0,
                          src="Greenhalgh et al. 2017 (NASSS: organisation)")
    w_habit: float = p(0.05, "how much long tenure lowers intention (status quo habit, full at 10 years)", 0.0, 5.0,
                       src="Kim & Kankanhalli 2009")
    resist_physician: float = p(0.10, "intention a physician's role takes off (professional autonomy)", -1.0, 1.0,
                                src="Lapointe & Rivard 2005")
    resist_nurse: float = p(0.0, "intention a nurse's role takes off", -1.0, 1.0)
    resist_assistant: float = p(0.0, "intention an assistant nurse's role takes off", -1.0, 1.0)
    resist_admin: float = p(-0.05, "intention an administrator's role takes off (negative: more open)", -1.0, 1.0)
    p_patient: float = p(0.02, "patients' weekly external uptake hazard of a patient-facing service offered to them",
                         0.0, 1.0, src="Bass 1969")
    q_patient: float = p(0.1, "patients' weekly imitation hazard per uptake share", 0.0, 10.0, src="Bass 1969")
    p_discontinue: float = p(0.05, "weekly probability that a user with low intention stops")
    discontinue_margin: float = p(0.15, "intention below threshold minus this margin may discontinue", 0.0, 5.0)
    threshold: float = p(
        1.0, "threshold rule: adopting contacts needed to adopt (Granovetter 1978; Centola 2010)", 0.0, 1e9
    )
    dt: float = p(1.0, "time step of the hazard in weeks (1: weekly ticks)", 1e-4, 1.0)
    step_probability: str = choice(
        "exponential",
        "hazard h to per-step probability: exponential 1-exp(-h dt) (continuous time) "
        "or linear min(1, h dt) (discrete ticks: Bass's recursion)",
        STEP_PROBABILITIES,
    )
    threshold_each: tuple[float, ...] = per_person(
        "per-person thresholds by staff row, overriding threshold (Granovetter 1978)", 0.0, 1e9
    )
    seed_neighbourhood: bool = flag(
        False, "staff row 0 and all their contacts use every service from the start (Centola 2010)"
    )


@dataclass(frozen=True)
class ScenarioParams(Validated):
    """Switches that reduce the full model to classic models (docking); `full` switches nothing off."""

    group: ClassVar[str] = "scenario"
    name: str = "full"
    management: bool = flag(True, "management senses, seizes and transforms")
    services: bool = flag(True, "e-health services arrive and are adopted")
    knowhow: bool = flag(True, "know-how learning, training, use and forgetting")
    network: str = choice("organisation", "who is in contact with whom", NETWORKS)
    ws_k: int = n(4, "ties per person on the Watts-Strogatz ring", 2, 1000)
    ws_rewiring: float = p(0.0, "rewiring probability of the Watts-Strogatz ring")
    stop_at_equilibrium: bool = flag(False, "stop once March's mutual learning has reached equilibrium")


@dataclass(frozen=True)
class ModelParams(Validated):
    """Everything one run needs; the model takes this, never a DictConfig."""

    group: ClassVar[str] = ""
    seed: int = n(0, "the run's seed; every random stream is spawned from it", 0, 2**63 - 1, src="design")
    weeks: int = n(260, "horizon in weeks (one step is one week)", 1, 100_000, src="design")
    organisation: OrganisationParams = field(default_factory=OrganisationParams)
    practice: PracticeParams = field(default_factory=PracticeParams)
    management: ManagementParams = field(default_factory=ManagementParams)
    environment: EnvironmentParams = field(default_factory=EnvironmentParams)
    services: ServicesParams = field(default_factory=ServicesParams)
    care: CareParams = field(default_factory=CareParams)
    maturity: MaturityParams = field(default_factory=MaturityParams)
    learning: LearningParams = field(default_factory=LearningParams)
    adoption: AdoptionParams = field(default_factory=AdoptionParams)
    scenario: ScenarioParams = field(default_factory=ScenarioParams)

    def check(self) -> None:
        org, pr = self.organisation, self.practice
        if pr.name == "structural" and pr.budget > 0:
            if org.n_innovation_units < 1:
                raise ParamError("organisation.n_innovation_units", org.n_innovation_units,
                                 "at least 1 under practice structural (the budget is spent there)")
            need = structural_innovation_staff(org.n_staff, pr.budget, pr.innovation_share)
            if need > org.n_staff - (org.n_units - org.n_innovation_units):
                raise ParamError("practice.budget", pr.budget,
                                 f"at most {pr.innovation_share * (org.n_staff - org.n_units) / org.n_staff:.3f} "
                                 "under structural (its innovation units would leave a care unit without staff)")
        n_staff = self.organisation.n_staff
        for key, values in (
            ("learning.p_socialise_each", self.learning.p_socialise_each),
            ("adoption.threshold_each", self.adoption.threshold_each),
        ):
            if values and len(values) != n_staff:
                raise ParamError(
                    key, f"{len(values)} values", f"exactly organisation.n_staff ({n_staff}) values, or []"
                )


def structural_innovation_staff(n_staff: int, budget: float, innovation_share: float) -> int:
    """Staff in the innovation units under `structural`: enough that exploring at `innovation_share` they spend
    the region's budget (O'Reilly & Tushman 2013: the exploratory units are sized by the investment)."""
    return int(round(budget * n_staff / innovation_share))


GROUPS: dict[str, type] = {
    "organisation": OrganisationParams,
    "practice": PracticeParams,
    "management": ManagementParams,
    "environment": EnvironmentParams,
    "services": ServicesParams,
    "care": CareParams,
    "maturity": MaturityParams,
    "learning": LearningParams,
    "adoption": AdoptionParams,
    "scenario": ScenarioParams,
}


def from_dict(data: dict[str, Any]) -> ModelParams:
    """Build ModelParams from a plain nested dict; unknown keys are named in the error."""
    top = {f.name for f in dataclasses.fields(ModelParams)}
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        if key not in top:
            raise ParamError(key, value, "a known key: " + ", ".join(sorted(top)))
        if key in GROUPS:
            kwargs[key] = _group_from_dict(key, GROUPS[key], value or {})
        else:
            kwargs[key] = value
    return ModelParams(**kwargs)


def _group_from_dict(group: str, cls: type, data: dict[str, Any]) -> Any:
    names = {f.name for f in dataclasses.fields(cls)}
    for key in data:
        if key not in names:
            raise ParamError(f"{group}.{key}", data[key], "a known key: " + ", ".join(sorted(names)))
    data = dict(data)
    for f in dataclasses.fields(cls):
        if "each" in f.metadata and isinstance(data.get(f.name), list):
            data[f.name] = tuple(data[f.name])
    if cls is ServicesParams and "catalogue" in data:
        data["catalogue"] = tuple(_service_from_dict(i, dict(s)) for i, s in enumerate(data["catalogue"]))
    return cls(**data)


def _service_from_dict(index: int, data: dict[str, Any]) -> ServiceSpec:
    prefix = f"services.catalogue[{index}]"
    try:
        return _group_from_dict(prefix, ServiceSpec, data)
    except ParamError as err:
        raise ParamError(err.key.replace(ServiceSpec.group, prefix), err.value, err.allowed) from None


def to_dict(params: Any) -> dict[str, Any]:
    """A plain nested dict (JSON-ready) of any params dataclass."""
    return dataclasses.asdict(params)
