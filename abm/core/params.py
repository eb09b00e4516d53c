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


def p(default: float, help: str, lo: float = 0.0, hi: float = 1.0) -> Any:
    """A float field with inclusive bounds (a probability unless told otherwise)."""
    return field(default=default, metadata={"help": help, "range": (lo, hi)})


def n(default: int, help: str, lo: int = 0, hi: float = math.inf) -> Any:
    """An integer count field with inclusive bounds."""
    return field(default=default, metadata={"help": help, "range": (lo, hi)})


def choice(default: str, help: str, choices: tuple[str, ...]) -> Any:
    return field(default=default, metadata={"help": help, "choices": choices})


def flag(default: bool, help: str) -> Any:
    return field(default=default, metadata={"help": help})


def per_person(help: str, lo: float, hi: float) -> Any:
    """A tuple of per-staff values by staff row (empty: everyone gets the scalar default)."""
    return field(default=(), metadata={"help": help, "each": (lo, hi)})


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
    """Size and structure of the region: units, staff, ties, champions, managers."""

    group: ClassVar[str] = "organisation"
    name: str = "default"
    n_units: int = n(20, "number of units (care units plus innovation units)", 1, 10_000)
    n_staff: int = n(600, "number of staff members", 1, 10_000_000)
    n_innovation_units: int = n(2, "dedicated e-health/innovation units (used by `structural`)", 0, 10_000)
    share_primary_care: float = p(0.5, "share of care units that are primary-care centres")
    share_wards: float = p(0.3, "share of care units that are hospital wards (the rest are specialist clinics)")
    n_dims: int = n(30, "m, the number of dimensions of what good care needs (March 1991)", 1, 1000)
    ties_within: float = p(10.0, "mean number of ties a staff member has within their own unit", 0.0, 1000.0)
    mean_cross_ties: float = p(0.5, "mean number of cross-unit ties per staff member", 0.0, 100.0)
    share_champions: float = p(0.05, "share of staff who are digital champions")
    champion_tie_boost: float = p(6.0, "how many times more cross-unit ties a champion has", 1.0, 100.0)
    knowhow_mean: float = p(0.3, "mean digital know-how of staff at the start and of newcomers")
    knowhow_sd: float = p(0.12, "spread of initial digital know-how", 0.0, 0.5)
    share_enabling_managers: float = p(0.5, "share of unit managers with an enabling (vs controlling) style")
    demand_per_staff: float = p(0.95, "weekly patient demand per staff member, in care units", 0.0, 10.0)

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


@dataclass(frozen=True)
class PracticeParams(Validated):
    """The balancing practice: how the region splits working time between exploring and exploiting."""

    group: ClassVar[str] = "practice"
    name: str = choice("contextual", "the balancing practice", PRACTICES)
    alpha: float = p(0.15, "exploration share of working time (contextual, networked; adaptive's start)", 0.0, 0.9)
    alpha_innovation: float = p(0.6, "exploration share of innovation units under `structural`", 0.0, 0.9)
    alpha_phase: float = p(0.3, "exploration share during exploration phases under `sequential`", 0.0, 0.9)
    period_weeks: int = n(52, "full cycle of `sequential` (explore the first half, exploit the second)", 2, 10_000)
    p_cross_unit: float = p(0.002, "cross-unit tie probability set by management under `networked`", 0.0, 0.2)
    aspiration_weight: float = p(0.2, "weight of the latest performance in the aspiration level (adaptive)")
    social_aspiration: float = p(0.2, "weight of the best unit's performance in a unit's aspiration (adaptive)")
    adaptive_gain: float = p(
        3.0, "how strongly `adaptive` raises exploration per relative shortfall from aspiration", 0.0, 100.0
    )
    adaptive_step: float = p(0.01, "how far `adaptive` moves a unit's exploration share per week", 0.0, 0.5)
    alpha_max: float = p(0.5, "upper bound on any unit's exploration share under `adaptive`", 0.0, 0.9)
    slack_sensitivity: float = p(
        1.0, "how strongly a controlling manager cuts exploration when workload exceeds capacity", 0.0, 10.0
    )


@dataclass(frozen=True)
class ManagementParams(Validated):
    """Top management's budget and routines for sensing, seizing and transforming."""

    group: ClassVar[str] = "management"
    sensing_interval: int = n(4, "weeks between sensing rounds", 1, 520)
    sensing_investment: float = p(1.0, "investment in sensing; noise falls as 1/(1+investment)", 0.0, 100.0)
    sensing_noise: float = p(0.4, "noise of management's value estimates with no investment", 0.0, 10.0)
    bottom_up_weight: float = p(0.5, "how much signals from high-know-how staff reduce sensing noise")
    value_threshold: float = p(0.1, "estimated value a service needs to be piloted", -1.0, 1.0)
    max_pilots: int = n(2, "pilots running at once (the pilot budget)", 0, 1000)
    training_rate: float = p(
        0.2, "weekly chance of funded training per staff member, per unit of exploration share", 0.0, 10.0
    )
    implementation_time: float = p(
        0.05, "working time a unit spends on implementation (support, training) while it implements a service", 0.0, 0.5
    )
    pilot_speed: float = p(0.5, "pilot progress per week at full know-how and exploration share 1", 0.0, 10.0)
    pilot_success_share: float = p(0.3, "adoption share in the pilot unit that makes a pilot succeed")
    routinise_share: float = p(0.6, "adoption share at which an implementing service is routinised")
    abandon_share: float = p(0.1, "adoption share below which a routinised service is abandoned")
    max_pilot_weeks: int = n(40, "a pilot not completed by then is abandoned", 1, 1000)
    scaling_interval: int = n(8, "weeks between scaling rounds (transforming)", 1, 520)
    units_per_scaling: int = n(1, "units a successful service is scaled to per round", 0, 10_000)
    max_implement_weeks: int = n(104, "an implementation not routinised by then is abandoned", 1, 10_000)
    reconfigure_interval: int = n(26, "weeks between reconfiguration reviews", 1, 520)
    ties_per_reconfiguration: int = n(
        5, "cross-unit ties a reconfiguration adds from a lagging unit's champion", 0, 1000
    )

    def check(self) -> None:
        if self.abandon_share >= self.routinise_share:  # else a service is abandoned the week it routinises
            raise ParamError("management.abandon_share", self.abandon_share,
                             f"below management.routinise_share ({self.routinise_share})")


@dataclass(frozen=True)
class EnvironmentParams(Validated):
    """What lies outside anyone's control: turbulence of what good care needs and demand shocks."""

    group: ClassVar[str] = "environment"
    name: str = "stable"
    p_turbulence: float = p(0.0, "p4: weekly probability that each dimension of reality flips")
    demand_growth: float = p(0.0, "yearly growth of patient demand", -0.5, 1.0)
    shock_week: int = n(0, "week a demand shock starts (0: no shock)", 0, 100_000)
    shock_weeks: int = n(0, "duration of the demand shock in weeks", 0, 100_000)
    shock_multiplier: float = p(1.0, "demand multiplier during the shock", 1.0, 10.0)
    shock_remote_share: float = p(0.0, "share of shock demand that remote-care services can absorb")


@dataclass(frozen=True)
class ServiceSpec(Validated):
    """One e-health service in the catalogue."""

    group: ClassVar[str] = "services.catalogue[]"
    name: str = "service"
    label: str = "Service"
    arrival_week: int = n(0, "week the service becomes available", 0, 100_000)
    complexity: float = p(0.5, "know-how needed to use it well")
    relative_advantage: float = p(0.5, "how much better care gets with it (performance expectancy)")
    cost: float = p(0.2, "cost of piloting and running it, as a share of its advantage")
    dimension: str = choice("person_enabled", "maturity dimension it serves", DIMENSIONS)
    remote: bool = flag(False, "whether it delivers remote care (absorbs demand shocks)")


DEFAULT_CATALOGUE: tuple[ServiceSpec, ...] = (
    ServiceSpec(
        "eservices_1177", "E-services via the patient portal (1177)", 0, 0.25, 0.55, 0.15, "person_enabled", False
    ),
    ServiceSpec("record_access", "Patient access to records (Journalen)", 0, 0.20, 0.40, 0.10, "person_enabled", False),
    ServiceSpec("video_consultation", "Video consultation", 8, 0.40, 0.60, 0.25, "person_enabled", True),
    ServiceSpec(
        "eprescription_support", "E-prescription decision support", 20, 0.50, 0.55, 0.30, "predictive_analytics", False
    ),
    ServiceSpec("digital_selfcare", "Digital self-care support", 40, 0.35, 0.45, 0.20, "person_enabled", True),
    ServiceSpec("remote_monitoring", "Remote patient monitoring", 60, 0.60, 0.65, 0.40, "predictive_analytics", True),
    ServiceSpec("shared_care_plans", "Shared care plans across units", 80, 0.55, 0.50, 0.35, "interoperability", False),
    ServiceSpec("ai_triage", "AI-assisted triage", 120, 0.75, 0.70, 0.50, "predictive_analytics", True),
)


@dataclass(frozen=True)
class ServicesParams(Validated):
    """The e-health service catalogue."""

    group: ClassVar[str] = "services"
    catalogue: tuple[ServiceSpec, ...] = DEFAULT_CATALOGUE

    def check(self) -> None:
        names = [s.name for s in self.catalogue]
        dup = {x for x in names if names.count(x) > 1}
        if dup:
            raise ParamError("services.catalogue.name", sorted(dup)[0], "unique service names")


@dataclass(frozen=True)
class LearningParams(Validated):
    """Mutual learning (March 1991) and know-how learning rates, per week."""

    group: ClassVar[str] = "learning"
    p_socialise: float = p(0.1, "p1: weekly probability per dimension that a belief moves toward the unit code")
    p_code_learning: float = p(0.5, "p2: rate at which the unit code learns from superior staff")
    p_turnover: float = p(0.002, "p3: weekly probability that a staff member leaves (replaced by a newcomer)")
    explore_slows_socialising: float = p(0.5, "how much exploration time slows socialisation (keeps diversity)")
    rate_peer: float = p(0.01, "weekly share of the know-how gap to more skilled colleagues that is learnt", 0.0, 1.0)
    peer_base: float = p(0.3, "share of peer learning that happens without exploration time")
    rate_training: float = p(0.1, "share of the know-how gap closed by one week of funded training")
    rate_use: float = p(0.002, "weekly know-how gain from using a service, per service, times the gap")
    rate_forget: float = p(0.003, "weekly share of know-how forgotten when no service is used")
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
    intention_threshold: float = p(0.3, "intention at which the adoption hazard is half its maximum", -5.0, 5.0)
    steepness: float = p(12.0, "steepness of the logistic from intention to hazard", 0.0, 100.0)
    rate_adopt: float = p(0.02, "maximum weekly adoption hazard from intention", 0.0, 10.0)
    p_external: float = p(0.0, "Bass p: external (innovation) hazard per week", 0.0, 10.0)
    q_social: float = p(0.0, "Bass q: imitation hazard per unit share of adopting contacts", 0.0, 10.0)
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
    seed: int = n(0, "the run's seed; every random stream is spawned from it", 0, 2**63 - 1)
    weeks: int = n(260, "horizon in weeks (one step is one week)", 1, 100_000)
    organisation: OrganisationParams = field(default_factory=OrganisationParams)
    practice: PracticeParams = field(default_factory=PracticeParams)
    management: ManagementParams = field(default_factory=ManagementParams)
    environment: EnvironmentParams = field(default_factory=EnvironmentParams)
    services: ServicesParams = field(default_factory=ServicesParams)
    learning: LearningParams = field(default_factory=LearningParams)
    adoption: AdoptionParams = field(default_factory=AdoptionParams)
    scenario: ScenarioParams = field(default_factory=ScenarioParams)

    def check(self) -> None:
        n_staff = self.organisation.n_staff
        for key, values in (
            ("learning.p_socialise_each", self.learning.p_socialise_each),
            ("adoption.threshold_each", self.adoption.threshold_each),
        ):
            if values and len(values) != n_staff:
                raise ParamError(
                    key, f"{len(values)} values", f"exactly organisation.n_staff ({n_staff}) values, or []"
                )


GROUPS: dict[str, type] = {
    "organisation": OrganisationParams,
    "practice": PracticeParams,
    "management": ManagementParams,
    "environment": EnvironmentParams,
    "services": ServicesParams,
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
