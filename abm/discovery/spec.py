"""Discovery files: `experiments/NAME.yaml` with `kind: discovery` (beside the experiment and calibration files).

    kind: discovery
    name: where_structural_wins
    description: ...
    base: [preset=sweden2021_patterns, environment=pandemic_shock, weeks=260]   # overrides for every run
    designs:                        # exactly two practice designs, A first: in which scenarios does B beat A?
      contextual: [practice=contextual]
      structural: [practice=structural]
    criterion: {outcome: maturity_total, better: higher, margin: 0.0}   # B wins when B - A > margin (lower: A - B)
    uncertain:                      # the deep uncertainties: dotted float or integer parameters with ranges
      environment.p_turbulence: [0.0, 0.005]
      environment.shock_week: [26, 208]
    scenarios: 200                  # a Latin hypercube sample of the uncertain factors
    seeds: 1                        # runs per design per scenario (both designs run the same seeds)
    seed: 1                         # the sampler's seed (the factor values and every scenario's run seeds)
    prim: {threshold: 0.8, peel_alpha: 0.05, mass_min: 0.05}
    launcher: {task_minutes: 5}     # the experiment files' launcher keys (workers, partition, time_min, ...)

Everything is checked before anything is written; each mistake is one line naming the file, the key, the
value and what is allowed.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from abm.analysis.outcomes import Outcome, parse_outcome
from abm.config.hydra_bridge import compose_config, resolved_dict, to_params
from abm.config.overrides import is_seed, key_of
from abm.core.params import GROUPS, from_dict, shown
from abm.errors import UserError
from abm.experiments.jobs import configured
from abm.experiments.spec import check_launcher, read_search_file

KIND = "discovery"
ALLOWED_KEYS = ("kind", "name", "description", "base", "designs", "criterion", "uncertain", "scenarios", "seeds",
                "seed", "prim", "launcher")
CRITERION_KEYS = ("outcome", "better", "margin")
BETTER = ("higher", "lower")
PRIM_KEYS = ("threshold", "peel_alpha", "mass_min")
PRIM_DEFAULTS = {"threshold": 0.8, "peel_alpha": 0.05, "mass_min": 0.05}  # EMA Workbench's defaults
PRIM_LIMITS = {"threshold": (0.0, 1.0), "peel_alpha": (0.0, 0.5), "mass_min": (0.0, 1.0)}  # (low, high]
INT_LIMITS = {"scenarios": (4, 100_000), "seeds": (1, 1000), "seed": (0, 2**31 - 1)}
DEFAULTS = {"scenarios": 200, "seeds": 1, "seed": 1}


@dataclass(frozen=True)
class Factor:
    """One uncertain factor: a model parameter `group.name` and the range it is sampled from."""

    key: str
    low: float
    high: float
    integer: bool

    def as_list(self) -> list[float | int]:
        return [int(self.low), int(self.high)] if self.integer else [self.low, self.high]


@dataclass
class Discovery:
    """A validated discovery file, with each design's composed base config."""

    name: str
    path: Path
    description: str
    base: list[str]
    designs: dict[str, list[str]]  # A first, then B
    outcome: Outcome
    better: str
    margin: float
    factors: tuple[Factor, ...]
    scenarios: int
    seeds: int
    seed: int
    prim: dict[str, float]
    launcher: dict[str, Any] = field(default_factory=dict)
    resolved: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)  # design -> config

    @property
    def a(self) -> str:
        return next(iter(self.designs))

    @property
    def b(self) -> str:
        return list(self.designs)[1]

    def overrides_of(self, design: str) -> list[str]:
        return [*self.base, *self.designs[design]]

    def as_dict(self) -> dict[str, Any]:
        return {"kind": KIND, "name": self.name, "description": self.description, "base": list(self.base),
                "designs": {k: list(v) for k, v in self.designs.items()},
                "criterion": {"outcome": self.outcome.name, "better": self.better, "margin": self.margin},
                "uncertain": {f.key: f.as_list() for f in self.factors}, "scenarios": self.scenarios,
                "seeds": self.seeds, "seed": self.seed, "prim": dict(self.prim), "launcher": dict(self.launcher)}


def is_discovery_file(data: Any) -> bool:
    return isinstance(data, dict) and data.get("kind") == KIND


def read_file(name: str) -> tuple[Path, dict[str, Any]]:
    """The YAML mapping of a discovery file, found like an experiment file (a name or a path)."""
    return read_search_file(name, KIND, ALLOWED_KEYS)


def load_discovery(name: str) -> Discovery:
    path, data = read_file(name)
    return parse_discovery(data, path)


def numeric_field(key: str) -> tuple[float, float, bool]:
    """(low, high, is_integer) of a float or integer model parameter `group.name`; UserError if none such."""
    group, _, name = key.partition(".")
    if group not in GROUPS or not name:
        raise UserError(f"uncertain: {key!r} is not a parameter: GROUP.NAME with GROUP one of {', '.join(GROUPS)}")
    fields = {f.name: f for f in dataclasses.fields(GROUPS[group])}
    numeric = sorted(n for n, g in fields.items() if "range" in g.metadata and g.type in ("float", float, "int", int))
    f = fields.get(name)
    if f is None:
        raise UserError(f"uncertain: {key!r} is not a parameter of {group}: one of {', '.join(numeric)}")
    if "range" not in f.metadata or f.type not in ("float", float, "int", int):
        raise UserError(f"uncertain: {key!r} is not allowed: a float or integer parameter with a range; those of "
                        f"{group}: {', '.join(numeric)}")
    lo, hi = f.metadata["range"]
    return float(lo), float(hi), f.type in ("int", int)


def _int(data: dict[str, Any], key: str, path: Path) -> int:
    value = data.get(key, DEFAULTS[key])
    lo, hi = INT_LIMITS[key]
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise UserError(f"{path}: {key}={shown(value)!r} is not allowed: an integer in [{lo:,}, {hi:,}]")
    return value


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _strings(value: Any, path: Path, key: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and "=" in v for v in value):
        raise UserError(f"{path}: {key}={value!r} is not allowed: a list of Hydra overrides KEY=VALUE")
    if any(is_seed(o) for o in value):
        raise UserError(f"{path}: 'seed' cannot be set in {key}: each scenario's seeds come from the file's seed")
    return list(value)


def _designs(value: Any, path: Path) -> dict[str, list[str]]:
    if not isinstance(value, dict) or len(value) != 2:
        raise UserError(f"{path}: designs={value!r} is not allowed: exactly two designs, NAME: [overrides], A first "
                        "(the question is where B beats A)")
    out: dict[str, list[str]] = {}
    for name, overrides in value.items():
        if not isinstance(name, str) or not name or not name.replace("_", "").replace("-", "").isalnum():
            raise UserError(f"{path}: designs: the name {name!r} is not allowed: letters, digits, '_' and '-'")
        out[name] = _strings(overrides, path, f"designs.{name}")
    if out[next(iter(out))] == out[list(out)[1]]:
        raise UserError(f"{path}: designs: {' and '.join(out)} have the same overrides: two different designs")
    return out


def _criterion(value: Any, path: Path) -> tuple[Outcome, str, float]:
    if not isinstance(value, dict):
        raise UserError(f"{path}: criterion={value!r} is not allowed: a mapping {{outcome: METRIC, better: "
                        "higher|lower, margin: NUMBER}}")
    unknown = [k for k in value if k not in CRITERION_KEYS]
    if unknown:
        raise UserError(f"{path}: unknown key criterion.{unknown[0]}: one of {', '.join(CRITERION_KEYS)}")
    try:
        outcome = parse_outcome(value.get("outcome"), "criterion.outcome")
    except UserError as err:
        raise UserError(f"{path}: {err}") from None
    better = value.get("better", "higher")
    if better not in BETTER:
        raise UserError(f"{path}: criterion.better={shown(better)!r} is not allowed: one of {', '.join(BETTER)}")
    margin = value.get("margin", 0.0)
    if not _number(margin) or margin < 0:
        raise UserError(f"{path}: criterion.margin={shown(margin)!r} is not allowed: a number >= 0 (B wins when "
                        "it is better than A by more than this)")
    return outcome, str(better), float(margin)


def _factors(value: Any, path: Path) -> tuple[Factor, ...]:
    if not isinstance(value, dict) or not value:
        raise UserError(f"{path}: uncertain must map at least one parameter (GROUP.NAME) to a range [low, high]")
    out = []
    for key, rng in value.items():
        try:
            lo_allowed, hi_allowed, integer = numeric_field(str(key))
        except UserError as err:
            raise UserError(f"{path}: {err}") from None
        ok = isinstance(rng, list) and len(rng) == 2 and all(_number(v) for v in rng)
        if not ok or not rng[0] < rng[1]:
            raise UserError(f"{path}: uncertain.{key}={rng!r} is not allowed: a range [low, high] with low < high")
        if integer and not all(float(v).is_integer() for v in rng):
            raise UserError(f"{path}: uncertain.{key}={rng!r} is not allowed: whole numbers (an integer parameter)")
        if rng[0] < lo_allowed or rng[1] > hi_allowed:
            raise UserError(f"{path}: uncertain.{key}={rng!r} is not allowed: within the parameter's range "
                            f"[{lo_allowed:g}, {hi_allowed:g}]")
        out.append(Factor(str(key), float(rng[0]), float(rng[1]), integer))
    return tuple(out)


def _prim(value: Any, path: Path) -> dict[str, float]:
    if not isinstance(value, dict):
        raise UserError(f"{path}: prim={value!r} is not allowed: a mapping of {', '.join(PRIM_KEYS)}")
    unknown = [k for k in value if k not in PRIM_KEYS]
    if unknown:
        raise UserError(f"{path}: unknown key prim.{unknown[0]}: one of {', '.join(PRIM_KEYS)}")
    out = {}
    for key in PRIM_KEYS:
        v = value.get(key, PRIM_DEFAULTS[key])
        lo, hi = PRIM_LIMITS[key]
        if not _number(v) or not lo < v <= hi:
            raise UserError(f"{path}: prim.{key}={shown(v)!r} is not allowed: a number in ({lo}, {hi}]")
        out[key] = float(v)
    return out


def corners(factors: tuple[Factor, ...]) -> list[dict[str, Any]]:
    """The factor values at every factor's low end, and at every factor's high end."""
    def value(f: Factor, x: float) -> float | int:
        return int(x) if f.integer else float(x)

    return [{f.key: value(f, f.low) for f in factors}, {f.key: value(f, f.high) for f in factors}]


def parse_discovery(data: dict[str, Any], path: Path) -> Discovery:
    unknown = [k for k in data if k not in ALLOWED_KEYS]
    if unknown:
        raise UserError(f"{path}: unknown key {unknown[0]!r}: one of {', '.join(ALLOWED_KEYS)}")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip() or not name.replace("_", "").replace("-", "").isalnum():
        raise UserError(f"{path}: name={name!r} is not allowed: letters, digits, '_' and '-'")
    base = _strings(data.get("base") or [], path, "base")
    designs = _designs(data.get("designs"), path)
    outcome, better, margin = _criterion(data.get("criterion"), path)
    factors = _factors(data.get("uncertain"), path)
    keys = {f.key for f in factors}
    for where, overrides in (("base", base), *((f"designs.{d}", o) for d, o in designs.items())):
        clash = [o for o in overrides if key_of(o) in keys]
        if clash:
            raise UserError(f"{path}: {where} sets {clash[0]!r}, an uncertain factor: leave it to uncertain")
    disc = Discovery(
        name=name, path=path, description=str(data.get("description") or ""), base=base, designs=designs,
        outcome=outcome, better=better, margin=margin, factors=factors, scenarios=_int(data, "scenarios", path),
        seeds=_int(data, "seeds", path), seed=_int(data, "seed", path), prim=_prim(data.get("prim") or {}, path),
        launcher=check_launcher(data.get("launcher") or {}, path))
    for design in designs:
        overrides = disc.overrides_of(design)
        try:
            cfg = compose_config(overrides)
            to_params(cfg)
        except UserError as err:
            raise UserError(f"{path}: design {design}'s overrides {overrides}: {err}") from None
        disc.resolved[design] = resolved_dict(cfg)
        for corner in corners(factors):  # the factors' ranges give valid configs in this design
            try:
                from_dict(configured(disc.resolved[design], corner, 0))
            except UserError as err:
                raise UserError(f"{path}: design {design} with the uncertain factors at {corner}: {err}") from None
    return disc
