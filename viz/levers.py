"""The levers a stakeholder moves on the Live and Compare pages, defined by reference to `abm/core/params.py`.

Ranges and help text are read from the parameter fields' metadata (defined once, reused by the CLI, the
Hydra schema and these sliders); validation builds the real parameter dataclass, so a refused value gets
exactly the message `abm run` would print.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

from abm.core.params import (
    PRACTICES,
    LearningParams,
    ManagementParams,
    ModelParams,
    OrganisationParams,
    PracticeParams,
)
from abm.errors import ParamError

ORGANISATIONS = ("small", "default", "region", "system")
ENVIRONMENTS = ("stable", "turbulent", "pandemic_shock")
LARGE_STAFF = 2000  # above this many staff the network is drawn with units as nodes (aggregated)


@dataclass(frozen=True)
class Lever:
    """One slider: a parameter field of a params dataclass, named by its override key."""

    id: str
    label: str
    group: str
    cls: type
    name: str

    @property
    def key(self) -> str:
        return f"{self.group}.{self.name}"

    @property
    def field(self) -> dataclasses.Field[Any]:
        return next(f for f in dataclasses.fields(self.cls) if f.name == self.name)

    @property
    def range(self) -> tuple[float, float]:
        lo, hi = self.field.metadata["range"]
        return float(lo), float(hi)

    @property
    def help(self) -> str:
        return str(self.field.metadata["help"])

    def value_in(self, params: ModelParams) -> float:
        return float(getattr(getattr(params, self.group), self.name))

    def slider_max(self, current: float) -> float:
        """Sliders span the field's range, capped at a span a person can steer (the input takes any value)."""
        lo, hi = self.range
        cap = SLIDER_CAP.get(self.key, hi)
        return max(min(hi, cap), current, lo)

    def slider_step(self, current: float) -> float:
        """A power of ten giving 100 to 1,000 positions, so round defaults sit exactly on a position."""
        span = self.slider_max(current) - self.range[0]
        return float(10 ** math.floor(math.log10(span / 100))) if span > 0 else 1.0

    def validate(self, text: str | float) -> float:
        """The value as a float, or ParamError naming the key, the value and the allowed range."""
        lo, hi = self.range
        try:
            value = float(str(text).strip().replace(",", "."))
        except ValueError:
            raise ParamError(self.key, text, f"a number in [{lo}, {hi}]") from None
        if math.isnan(value) or math.isinf(value):
            raise ParamError(self.key, text, f"a number in [{lo}, {hi}]")
        self.cls(**{self.name: value})  # the dataclass's own validation (same message as `abm run`)
        return value


def _lever(id: str, label: str, group: str, cls: type, name: str) -> Lever:
    return Lever(id, label, group, cls, name)


ALPHA = _lever("alpha", "Exploration share", "practice", PracticeParams, "alpha")
TRAINING = _lever("training", "Training", "management", ManagementParams, "training_rate")
CHAMPIONS = _lever("champions", "Champions", "organisation", OrganisationParams, "share_champions")
CROSS_TIES = _lever("cross_ties", "Cross-unit ties", "organisation", OrganisationParams, "mean_cross_ties")
P_CROSS = _lever("cross_ties", "Cross-unit ties", "practice", PracticeParams, "p_cross_unit")
TURNOVER = _lever("turnover", "Turnover", "learning", LearningParams, "p_turnover")

SLIDER_CAP: dict[str, float] = {
    "management.training_rate": 2.0,
    "organisation.mean_cross_ties": 5.0,
    "practice.p_cross_unit": 0.02,
    "learning.p_turnover": 0.05,
}


def levers_for(practice: str) -> tuple[Lever, ...]:
    """The main levers; cross-unit ties are set by management's tie probability under `networked`."""
    ties = P_CROSS if practice == "networked" else CROSS_TIES
    return (ALPHA, TRAINING, CHAMPIONS, ties, TURNOVER)


@dataclass(frozen=True)
class Settings:
    """What a stakeholder chose: presets, seed and the levers they moved (override key -> value)."""

    organisation: str = "default"
    practice: str = "contextual"
    environment: str = "stable"
    seed: int = 0
    levers: tuple[tuple[str, float], ...] = ()

    def overrides(self) -> list[str]:
        """Hydra overrides that reproduce these settings with `abm run`."""
        base = [f"organisation={self.organisation}", f"practice={self.practice}",
                f"environment={self.environment}", f"seed={self.seed}"]
        return base + [f"{k}={fmt(v)}" for k, v in self.levers]

    def with_lever(self, key: str, value: float) -> Settings:
        levers = dict(self.levers)
        levers[key] = value
        return dataclasses.replace(self, levers=tuple(sorted(levers.items())))

    def with_(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)

    def relevant(self) -> Settings:
        """Drop the lever keys the practice does not use (the cross-ties lever changes with `networked`)."""
        keys = {lv.key for lv in levers_for(self.practice)}
        return dataclasses.replace(self, levers=tuple((k, v) for k, v in self.levers if k in keys))


def fmt(value: float) -> str:
    """A number as the shortest text that reads back to the same float."""
    return repr(float(value)) if not float(value).is_integer() else str(float(value))


PRACTICE_CHOICES = PRACTICES
