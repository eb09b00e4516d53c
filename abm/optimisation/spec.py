"""Optimisation files: `experiments/NAME.yaml` with `kind: optimisation` (beside the experiment files).

    kind: optimisation
    name: practice_designs
    description: ...
    base: [preset=sweden2021_patterns, weeks=260]   # overrides for every run
    environments: [stable, turbulent, pandemic_shock]   # futures every design is averaged over (configs/environment)
    posterior: sweden2021_patterns                  # optional: average over draws of a calibrated posterior
    draws: 8                                        #   that many parameter sets (abm.experiments.posterior)
    posterior_seed: 0
    seeds: 1                                        # runs per (environment, draw): seeds 0..N-1, shared by all designs
    space:                                          # the design space
      practice: [contextual, structural, sequential, adaptive, networked]   # a config group: its choices
      practice.budget: [0.02, 0.30]                 # a float or int field: a range [low, high]
      practice.decided_by: [management, units]      # a field with named choices: a list of them
    objectives:                                     # registered outcomes (abm.analysis.outcomes) and a direction
      care_production_mean: maximise
      maturity_total: maximise
    named: [exploit_only, contextual, structural]   # the named practices, as configured, judged against the front
    population: 16                                  # NSGA-II population (trials per generation)
    generations: 5                                  # generations of trials (may be raised on resume)
    seed: 1                                         # the sampler's seed
    launcher: {task_minutes: 5}                     # the experiment files' launcher keys

Everything is checked before anything is written; each mistake is one line naming the file, the key, the
value and what is allowed.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from abm.analysis.outcomes import Outcome, parse_outcome
from abm.config.hydra_bridge import compose_config, config_dir, resolved_dict, to_params
from abm.config.overrides import is_seed
from abm.core.params import GROUPS, shown
from abm.errors import UserError
from abm.experiments import posterior as post
from abm.experiments.spec import check_launcher, read_search_file

KIND = "optimisation"
ALLOWED_KEYS = ("kind", "name", "description", "base", "environments", *post.KEYS, "seeds", "space", "objectives",
                "named", "population", "generations", "seed", "launcher")
DIRECTIONS = {"maximise": "maximize", "minimise": "minimize"}  # the file's words -> optuna's
INT_LIMITS = {"seeds": (1, 1000), "population": (2, 10_000), "generations": (1, 10_000), "seed": (0, 2**31 - 1)}
DEFAULTS = {"seeds": 1, "population": 16, "generations": 5, "seed": 1}
MAX_OBJECTIVES = 6
NOT_IN_SPACE = {"environment": "environments are what a design is averaged over (key environments), not a choice",
                "seed": "seeds are replications (key seeds)", "weeks": "the horizon belongs in base"}


@dataclass(frozen=True)
class Dimension:
    """One axis of the design space: a config group's choices, a field's choices, or a numeric range."""

    key: str
    kind: str  # "group" | "choice" | "float" | "int"
    choices: tuple[Any, ...] = ()
    low: float = 0.0
    high: float = 0.0

    def override(self, value: Any) -> str:
        if self.kind == "float":
            return f"{self.key}={float(value)!r}"
        if isinstance(value, bool):
            return f"{self.key}={str(value).lower()}"
        return f"{self.key}={value}"

    def as_data(self) -> list[Any]:
        return list(self.choices) if self.choices else [self.low, self.high]


@dataclass
class Optimisation:
    """A validated optimisation file."""

    name: str
    path: Path
    description: str
    base: list[str]
    environments: list[str]
    posterior: str | None
    draws: int | None
    posterior_seed: int
    seeds: list[int]
    space: list[Dimension]
    objectives: list[Outcome]
    directions: list[str]  # "maximise" | "minimise", one per objective
    named: list[str]
    population: int
    generations: int
    seed: int
    launcher: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"kind": KIND, "name": self.name, "description": self.description, "base": list(self.base),
                "environments": list(self.environments), "posterior": self.posterior, "draws": self.draws,
                "posterior_seed": self.posterior_seed, "seeds": len(self.seeds),
                "space": {d.key: d.as_data() for d in self.space},
                "objectives": {o.name: d for o, d in zip(self.objectives, self.directions, strict=True)},
                "named": list(self.named), "population": self.population, "generations": self.generations,
                "seed": self.seed, "launcher": dict(self.launcher)}

    @property
    def signs(self) -> list[float]:
        """+1 for an objective to maximise, -1 to minimise: sign * value is 'larger is better'."""
        return [1.0 if d == "maximise" else -1.0 for d in self.directions]


def read_file(name: str) -> tuple[Path, dict[str, Any]]:
    """The YAML mapping of an optimisation file, found like an experiment file (a name or a path)."""
    return read_search_file(name, KIND, ALLOWED_KEYS)


def load_optimisation(name: str) -> Optimisation:
    path, data = read_file(name)
    return parse_optimisation(data, path)


def _int(data: dict[str, Any], key: str, path: Path) -> int:
    value = data.get(key, DEFAULTS[key])
    lo, hi = INT_LIMITS[key]
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise UserError(f"{path}: {key}={shown(value)!r} is not allowed: an integer in [{lo:,}, {hi:,}]")
    return value


def _strings(value: Any, path: Path, key: str, need_eq: bool) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and (not need_eq or "=" in v) for v in value):
        what = "a list of Hydra overrides KEY=VALUE" if need_eq else "a list of names"
        raise UserError(f"{path}: {key}={value!r} is not allowed: {what}")
    return list(value)


def group_options(group: str) -> list[str]:
    """The config files of a config group (configs/<group>/*.yaml), by name."""
    return sorted(p.stem for p in (config_dir() / group).glob("*.yaml"))


def _names(value: Any, path: Path, key: str, allowed: list[str], at_least: int) -> list[str]:
    names = _strings(value, path, key, False)
    if len(names) < at_least or len(set(names)) != len(names):
        raise UserError(f"{path}: {key}={names!r} is not allowed: at least {at_least} distinct names of "
                        f"{', '.join(allowed)}")
    bad = [n for n in names if n not in allowed]
    if bad:
        raise UserError(f"{path}: {key}: {bad[0]!r} is not known: one of {', '.join(allowed)}")
    return names


def _number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def _dimension(key: str, value: Any, path: Path) -> Dimension:
    where = f"{path}: space.{key}"
    top = key.split(".", 1)[0]
    if top in NOT_IN_SPACE:
        raise UserError(f"{where} is not allowed: {NOT_IN_SPACE[top]}")
    if "." not in key:
        if key not in GROUPS:
            raise UserError(f"{where} is not a design dimension: a config group (one of {', '.join(GROUPS)}) or "
                            "GROUP.NAME of a parameter")
        options = group_options(key)
        if not options:
            raise UserError(f"{where} is not allowed: config group {key} has no choices in configs/{key}/")
        return Dimension(key, "group", tuple(_names(value, path, f"space.{key}", options, 2)))
    group, name = key.split(".", 1)
    fields = {f.name: f for f in dataclasses.fields(GROUPS[group])} if group in GROUPS else {}
    if not fields or name not in fields or name == "name":
        known = sorted(n for n, f in fields.items() if n != "name" and ("range" in f.metadata or "choices" in
                                                                         f.metadata or f.type in ("bool", bool)))
        allowed = f"one of {', '.join(known)}" if known else f"GROUP.NAME with GROUP one of {', '.join(GROUPS)}"
        raise UserError(f"{where} is not a parameter: {allowed}")
    f = fields[name]
    if "choices" in f.metadata or f.type in ("bool", bool):
        allowed_choices = list(f.metadata.get("choices", (False, True)))
        if not isinstance(value, list) or len(value) < 2 or any(v not in allowed_choices for v in value) \
                or len(set(map(str, value))) != len(value):
            raise UserError(f"{where}={value!r} is not allowed: at least 2 distinct choices of "
                            f"{', '.join(map(str, allowed_choices))}")
        return Dimension(key, "choice", tuple(value))
    if "range" not in f.metadata or f.type not in ("float", float, "int", int):
        raise UserError(f"{where} is not allowed: a numeric parameter with a range, or one with named choices")
    is_int = f.type in ("int", int)
    ok = isinstance(value, list) and len(value) == 2 and all(_number(v) for v in value)
    if is_int:
        ok = ok and all(isinstance(v, int) for v in value)
    if not ok or not value[0] < value[1]:
        kind = "integers" if is_int else "numbers"
        raise UserError(f"{where}={value!r} is not allowed: a range [low, high] of {kind} with low < high")
    lo, hi = f.metadata["range"]
    if value[0] < lo or value[1] > hi:
        raise UserError(f"{where}={value!r} is not allowed: within the parameter's range [{lo:g}, {hi:g}]")
    if is_int:
        return Dimension(key, "int", (), int(value[0]), int(value[1]))
    return Dimension(key, "float", (), float(value[0]), float(value[1]))


def _space(value: Any, path: Path) -> list[Dimension]:
    if not isinstance(value, dict) or not value:
        raise UserError(f"{path}: space must map at least one design dimension (a config group or GROUP.NAME) to "
                        "its choices or range [low, high]")
    return [_dimension(str(k), v, path) for k, v in value.items()]


def _objectives(value: Any, path: Path) -> tuple[list[Outcome], list[str]]:
    if not isinstance(value, dict) or not 2 <= len(value) <= MAX_OBJECTIVES:
        raise UserError(f"{path}: objectives={value!r} is not allowed: a mapping of 2 to {MAX_OBJECTIVES} outcomes "
                        "to maximise or minimise, e.g. {care_production_mean: maximise, maturity_total: maximise}")
    outcomes, directions = [], []
    for name, direction in value.items():
        outcomes.append(parse_outcome(name, f"{path}: objectives"))
        if direction not in DIRECTIONS:
            raise UserError(f"{path}: objectives.{name}={direction!r} is not allowed: maximise or minimise")
        directions.append(str(direction))
    return outcomes, directions


def corner_points(space: list[Dimension]) -> list[list[str]]:
    """Overrides of design points that together touch every choice and both ends of every range: each choice
    of each categorical dimension with the others at their first choice, and every range at its low end,
    then at its high end (a design the model refuses is found before anything runs)."""
    cats = [d for d in space if d.choices]
    nums = [d for d in space if not d.choices]
    points = []
    for end in ("low", "high"):
        numeric = [d.override(getattr(d, end)) for d in nums]
        first = {d.key: d.choices[0] for d in cats}
        variants = [first] + [{**first, d.key: c} for d in cats for c in d.choices[1:]]
        for v in variants:
            points.append([*(d.override(v[d.key]) for d in cats if d.kind == "group"),
                           *(d.override(v[d.key]) for d in cats if d.kind == "choice"), *numeric])
    return [list(p) for p in dict.fromkeys(tuple(p) for p in points)]


def parse_optimisation(data: dict[str, Any], path: Path) -> Optimisation:
    unknown = [k for k in data if k not in ALLOWED_KEYS]
    if unknown:
        raise UserError(f"{path}: unknown key {unknown[0]!r}: one of {', '.join(ALLOWED_KEYS)}")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip() or not name.replace("_", "").replace("-", "").isalnum():
        raise UserError(f"{path}: name={name!r} is not allowed: letters, digits, '_' and '-'")
    base = _strings(data.get("base") or [], path, "base", True)
    if any(is_seed(o) for o in base):
        raise UserError(f"{path}: 'seed' cannot be set in base: seeds are replications (key seeds)")
    environments = _names(data.get("environments", ["stable"]), path, "environments", group_options("environment"), 1)
    if any(o.split("=", 1)[0].lstrip("+~").split(".")[0] == "environment" for o in base):
        raise UserError(f"{path}: base sets the environment: name the futures in environments instead")
    posterior, draws, posterior_seed = post.check_keys(data, path)
    seeds = list(range(_int(data, "seeds", path)))
    space = _space(data.get("space"), path)
    base_keys = [o.split("=", 1)[0].lstrip("+~") for o in base]
    for d in space:
        if d.key in base_keys:
            raise UserError(f"{path}: base sets {d.key!r}, a design dimension: leave it to space")
    objectives, directions = _objectives(data.get("objectives"), path)
    named = _names(data.get("named", []), path, "named", group_options("practice"), 0) if data.get("named") else []
    opt = Optimisation(
        name=name, path=path, description=str(data.get("description") or ""), base=base,
        environments=environments, posterior=posterior, draws=draws, posterior_seed=posterior_seed, seeds=seeds,
        space=space, objectives=objectives, directions=directions, named=named,
        population=_int(data, "population", path), generations=_int(data, "generations", path),
        seed=_int(data, "seed", path), launcher=check_launcher(data.get("launcher") or {}, path))
    if posterior:
        keys = post.param_columns(post.read_posterior(posterior))
        clash = [k for k in keys if k in {d.key for d in space} or k in base_keys]
        if clash:
            raise UserError(f"{path}: {clash[0]!r} is a parameter of posterior {posterior} (its draws set it): "
                            "leave it out of space and base")
    check_composes(opt)
    return opt


def check_composes(opt: Optimisation) -> None:
    """Every corner of the design space and every named practice composes into valid parameters (in the first
    environment; environments are checked once each)."""
    first = [f"environment={opt.environments[0]}"]
    named = [[f"practice={n}"] for n in opt.named]
    envs = [[f"environment={e}"] for e in opt.environments[1:]]
    for overrides in itertools.chain(([*first, *c] for c in corner_points(opt.space)), ([*first, *n] for n in named),
                                     envs):
        try:
            to_params(compose_config([*opt.base, *overrides]))
        except UserError as err:
            raise UserError(f"{opt.path}: the design {' '.join(overrides)} is not valid: {err}") from None


def resolved_config(opt: Optimisation, overrides: list[str]) -> dict[str, Any]:
    """The resolved config of the base plus overrides (a design in an environment)."""
    return resolved_dict(compose_config([*opt.base, *overrides]))
