"""The levers a stakeholder moves on the Live and Compare pages, defined by reference to `abm/core/params.py`.

Ranges, choices and help text are read from the parameter fields' metadata (defined once, reused by the
CLI, the Hydra schema and these controls); validation builds the real parameter dataclasses, so a refused
value gets exactly the message `abm run` would print. A lever that the chosen practice (or environment)
does not use is shown disabled with a one-line reason, and its key is never passed to the model.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from dataclasses import dataclass
from typing import Any

from abm.core.params import (
    PRACTICES,
    EnvironmentParams,
    LearningParams,
    ManagementParams,
    ModelParams,
    OrganisationParams,
    PracticeParams,
    ServicesParams,
)
from abm.errors import ParamError, UserError
from viz.catalogue import CATALOGUE_KEY, parse_catalogue

ORGANISATIONS = ("small", "default", "region", "system", "sweden2021", "calibrated")
# Region choices that are whole presets (configs/preset/): the organisation and its services, and for the
# calibrated one the values fitted by `abm calibrate sweden2021_patterns`.
PRESETS = {"sweden2021": "sweden2021", "calibrated": "sweden2021_patterns"}
ENVIRONMENTS = ("stable", "turbulent", "pandemic_shock")
LARGE_STAFF = 2000  # above this many staff the network is drawn with units as nodes (aggregated)
EXPLORING = tuple(p for p in PRACTICES if p != "exploit_only")

Value = float | int | str


@dataclass(frozen=True)
class Lever:
    """One control: a parameter field of a params dataclass, named by its override key.

    `practices` are the practices that use it; under any other `unused` is the key (viz/i18n.py TEXT) of the
    one-line reason shown instead. `shock`: used only in an environment with a demand shock.
    """

    id: str
    section: str
    group: str
    cls: type
    name: str
    practices: tuple[str, ...] = PRACTICES
    unused: str = ""
    shock: bool = False

    @property
    def key(self) -> str:
        return f"{self.group}.{self.name}"

    @property
    def field(self) -> dataclasses.Field[Any]:
        return next(f for f in dataclasses.fields(self.cls) if f.name == self.name)

    @property
    def kind(self) -> str:
        """"choice", "int" or "float"."""
        if "choices" in self.field.metadata:
            return "choice"
        return "int" if self.field.type in ("int", int) else "float"

    @property
    def choices(self) -> tuple[str, ...]:
        return tuple(self.field.metadata.get("choices", ()))

    @property
    def range(self) -> tuple[float, float]:
        lo, hi = self.field.metadata["range"]
        return float(lo), float(hi)

    @property
    def help(self) -> str:
        return str(self.field.metadata["help"])

    def reason(self, settings: Settings) -> str:
        """The i18n key of why this lever does not apply to `settings` ("" when it does)."""
        if settings.practice not in self.practices:
            return self.unused
        if self.shock and not has_shock(settings.environment):
            return "unused_no_shock"
        return ""

    def value_in(self, params: ModelParams) -> Value:
        value = getattr(getattr(params, self.group), self.name)
        return value if self.kind == "choice" else (int(value) if self.kind == "int" else float(value))

    def slider_max(self, current: float) -> float:
        """Sliders span the field's range, capped at a span a person can steer (the input takes any value)."""
        lo, hi = self.range
        cap = SLIDER_CAP.get(self.key, hi)
        return max(min(hi, cap), float(current), lo)

    def slider_step(self, current: float) -> float:
        """A power of ten giving 100 to 1,000 positions, so round defaults sit exactly on a position;
        whole numbers for an integer field."""
        span = self.slider_max(current) - self.range[0]
        step = float(10 ** math.floor(math.log10(span / 100))) if span > 0 else 1.0
        return max(step, 1.0) if self.kind == "int" else step

    def text(self, value: float) -> str:
        """A bound or value as this lever shows it (whole numbers for a count)."""
        return str(int(value)) if self.kind == "int" and float(value).is_integer() else fmt(float(value))

    def validate(self, text: Value, base: ModelParams | None = None) -> Value:
        """The value (a float, an int for a count, a string for a choice), or ParamError naming the key, the
        value and what is allowed. With `base` (the draft's parameters) the checks across fields run too."""
        value = self._parse(text)
        self.cls(**{self.name: value})  # the dataclass's own validation (same message as `abm run`)
        if base is not None:
            group = dataclasses.replace(getattr(base, self.group), **{self.name: value})
            dataclasses.replace(base, **{self.group: group})  # ModelParams' checks across groups
        return value

    def _parse(self, text: Value) -> Value:
        if self.kind == "choice":
            if not isinstance(text, str) or text not in self.choices:
                raise ParamError(self.key, text, "one of " + ", ".join(self.choices))
            return text
        lo, hi = self.field.metadata["range"]
        allowed = f"{'an integer' if self.kind == 'int' else 'a number'} in [{lo}, {hi}]"
        if isinstance(text, bool) or not isinstance(text, str | int | float):
            raise ParamError(self.key, text, allowed)
        try:
            value = float(str(text).strip().replace(",", "."))
        except ValueError:
            raise ParamError(self.key, text, allowed) from None
        if math.isnan(value) or math.isinf(value):
            raise ParamError(self.key, text, allowed)
        return int(value) if self.kind == "int" and value.is_integer() else value


def _lever(id: str, section: str, cls: type, name: str, practices: tuple[str, ...] = PRACTICES,
           unused: str = "", shock: bool = False) -> Lever:
    """A lever; its plain name and explanation are `viz.words.LEVERS[id]`."""
    return Lever(id, section, cls.group, cls, name, practices, unused, shock)  # type: ignore[attr-defined]


LEVERS: tuple[Lever, ...] = (
    _lever("budget", "section_practice", PracticeParams, "budget", EXPLORING,
           "unused_exploit_only"),
    _lever("decided_by", "section_practice", PracticeParams, "decided_by", EXPLORING,
           "unused_exploit_only"),
    _lever("explore_weeks", "section_practice", PracticeParams, "explore_weeks",
           EXPLORING, "unused_exploit_only"),
    _lever("innovation_share", "section_practice", PracticeParams,
           "innovation_share", ("structural",), "unused_structural"),
    _lever("period_weeks", "section_practice", PracticeParams, "period_weeks",
           ("sequential",), "unused_sequential"),
    _lever("cross_share", "section_practice", PracticeParams, "cross_share",
           ("networked",), "unused_networked"),
    _lever("adaptive_gain", "section_practice", PracticeParams, "adaptive_gain",
           ("adaptive",), "unused_adaptive"),
    _lever("pilot_capacity", "section_management", ManagementParams, "pilot_capacity"),
    _lever("scaling_capacity", "section_management", ManagementParams, "scaling_capacity"),
    _lever("ehealth_staff", "section_management", ManagementParams, "ehealth_staff"),
    _lever("training", "section_management", ManagementParams, "training_rate"),
    _lever("champions", "section_organisation", OrganisationParams, "share_champions"),
    _lever("cross_ties", "section_organisation", OrganisationParams, "mean_cross_ties",
           tuple(p for p in PRACTICES if p != "networked"), "unused_cross_ties"),
    _lever("turnover", "section_organisation", LearningParams, "p_turnover"),
    _lever("shock_boost", "section_environment", EnvironmentParams,
           "shock_remote_boost", shock=True),
    _lever("shock_rollout", "section_environment", EnvironmentParams,
           "shock_rollout", shock=True),
    _lever("proposals", "section_services", ServicesParams, "proposals_per_year"),
    _lever("advantage_scale", "section_services", ServicesParams, "advantage_scale"),
    _lever("mandate_delay", "section_services", ServicesParams, "mandate_delay"),
)
BY_ID: dict[str, Lever] = {lv.id: lv for lv in LEVERS}
BY_KEY: dict[str, Lever] = {lv.key: lv for lv in LEVERS}
SECTIONS = tuple(dict.fromkeys(lv.section for lv in LEVERS))

SLIDER_CAP: dict[str, float] = {
    "practice.explore_weeks": 260.0,  # the default horizon
    "practice.period_weeks": 260.0,
    "practice.adaptive_gain": 20.0,
    "management.pilot_capacity": 20.0,
    "management.scaling_capacity": 200.0,
    "management.ehealth_staff": 20.0,
    "management.training_rate": 2.0,
    "organisation.mean_cross_ties": 5.0,
    "learning.p_turnover": 0.05,
    "services.proposals_per_year": 20.0,
    "services.mandate_delay": 260.0,
}


@functools.lru_cache(maxsize=16)
def has_shock(environment: str) -> bool:
    """Whether the environment preset has a demand shock (what `shock_remote_boost` acts on)."""
    env = preset(ORGANISATIONS[1], PRACTICES[1], environment)
    return env is not None and env.environment.shock_week > 0 and env.environment.shock_weeks > 0


@functools.lru_cache(maxsize=32)
def preset(organisation: str, practice: str, environment: str) -> ModelParams | None:
    """The composed presets with no lever moved (None for a preset name `configs/` does not have)."""
    from abm.api import compose

    try:
        return compose([*region_overrides(organisation), f"practice={practice}", f"environment={environment}"])
    except UserError:
        return None


def region_overrides(organisation: str) -> list[str]:
    """The Hydra override that chooses a region: an organisation preset, or a whole preset (PRESETS)."""
    return [f"preset={PRESETS[organisation]}"] if organisation in PRESETS else [f"organisation={organisation}"]


@dataclass(frozen=True)
class Settings:
    """What a stakeholder chose: presets, seed and the levers they moved (override key -> value)."""

    organisation: str = "default"
    practice: str = "contextual"
    environment: str = "stable"
    seed: int = 0
    levers: tuple[tuple[str, Value], ...] = ()

    @property
    def presets(self) -> tuple[str, str, str]:
        return self.organisation, self.practice, self.environment

    def overrides(self) -> list[str]:
        """Hydra overrides that reproduce these settings with `abm run`."""
        base = [*region_overrides(self.organisation), f"practice={self.practice}",
                f"environment={self.environment}", f"seed={self.seed}"]
        return base + [f"{k}={fmt(v)}" for k, v in self.levers]

    def with_lever(self, key: str, value: Value) -> Settings:
        levers = dict(self.levers)
        levers[key] = value
        return dataclasses.replace(self, levers=tuple(sorted(levers.items())))

    def with_(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)

    def relevant(self) -> Settings:
        """Drop the lever keys that the practice or environment does not use (shown disabled instead)."""
        keep = tuple((k, v) for k, v in self.levers if k not in BY_KEY or not BY_KEY[k].reason(self))
        return dataclasses.replace(self, levers=keep)

    def params(self) -> ModelParams | None:
        """The presets with the moved levers applied (validated), without Hydra's seed; None if refused."""
        base = preset(*self.presets)
        if base is None:
            return None
        groups: dict[str, dict[str, Value]] = {}
        for key, value in self.levers:
            group, name = key.split(".", 1)
            groups.setdefault(group, {})[name] = field_value(key, value)
        try:
            changed = {g: dataclasses.replace(getattr(base, g), **kw) for g, kw in groups.items()}
            return dataclasses.replace(base, **changed)
        except (UserError, TypeError, AttributeError):
            return None


def field_value(key: str, value: Value) -> Any:
    """A lever value as its dataclass field takes it: the region's service list (viz.region) as ServiceSpecs."""
    return parse_catalogue(str(value)) if key == CATALOGUE_KEY else value


def fmt(value: Value) -> str:
    """A value as override text: a choice as is, an int as digits, a float as the shortest text that reads
    back to the same float."""
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return repr(float(value)) if not float(value).is_integer() else str(float(value))


PRACTICE_CHOICES = PRACTICES
