"""Calibration files: `experiments/NAME.yaml` with `kind: calibration` (beside the experiment files).

    kind: calibration
    name: sweden2021_patterns
    description: ...
    preset: sweden2021            # the Swedish-region preset: P4 is observed in it, the calibrated preset extends it
    targets: patterns             # experiments/targets/patterns.csv (or a path to a CSV)
    patterns: [P1, P3, P4, P6]    # which patterns of the table to fit
    base: [weeks=260]             # overrides for every run (optional)
    params:                       # the free parameters: dotted keys of float parameters, uniform prior ranges
      learning.p_turnover: [0.0005, 0.005]
    seeds_per_particle: 2         # runs per scenario per particle (the seed is a nuisance: fresh seeds each)
    population: 60                # particles per generation
    generations: 6                # at most this many ABC-SMC generations
    max_simulations: 2000         # budget: at most this many particles evaluated in all
    alpha: 0.5                    # epsilon of the next generation: this quantile of the accepted distances
    min_epsilon: 0.0              # stop once epsilon is at most this (0: every target quantity inside its range)
    seed: 1                       # the sampler's seed (parameter proposals and the particles' run seeds)
    predictive_draws: 40          # posterior-predictive check: this many posterior draws, one fresh seed each
    launcher: {task_minutes: 5}   # the experiment files' launcher keys (workers, partition, time_min, ...)

Everything is checked before anything is written; each mistake is one line naming the file, the key, the
value and what is allowed.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from abm.analysis.patterns import PATTERNS
from abm.analysis.targets import DEFAULT_TABLE, Target, load_targets, select
from abm.config.hydra_bridge import compose_config, resolved_dict, to_params
from abm.config.overrides import is_seed
from abm.core.params import GROUPS, shown
from abm.errors import UserError
from abm.experiments.spec import check_launcher, read_search_file

KIND = "calibration"
ALLOWED_KEYS = ("kind", "name", "description", "preset", "targets", "patterns", "base", "params",
                "seeds_per_particle", "population", "generations", "max_simulations", "alpha", "min_epsilon",
                "seed", "predictive_draws", "launcher")
INT_LIMITS = {"seeds_per_particle": (1, 1000), "population": (2, 100_000), "generations": (1, 1000),
              "max_simulations": (1, 10_000_000), "seed": (0, 2**31 - 1), "predictive_draws": (1, 100_000)}
DEFAULTS = {"seeds_per_particle": 2, "population": 50, "generations": 5, "max_simulations": 2000, "seed": 1,
            "predictive_draws": 40, "alpha": 0.5, "min_epsilon": 0.0}


@dataclass
class Calibration:
    """A validated calibration file, with the composed base config of each pattern's scenario."""

    name: str
    path: Path
    description: str
    preset: str
    targets_name: str
    targets: tuple[Target, ...]
    patterns: list[str]
    base: list[str]
    params: dict[str, tuple[float, float]]
    seeds_per_particle: int
    population: int
    generations: int
    max_simulations: int
    alpha: float
    min_epsilon: float
    seed: int
    predictive_draws: int
    launcher: dict[str, Any] = field(default_factory=dict)
    scenarios: dict[str, list[str]] = field(default_factory=dict, repr=False)  # pattern -> its overrides
    resolved: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)  # scenario key -> config

    def as_dict(self) -> dict[str, Any]:
        return {"kind": KIND, "name": self.name, "description": self.description, "preset": self.preset,
                "targets": self.targets_name, "patterns": list(self.patterns), "base": list(self.base),
                "params": {k: list(v) for k, v in self.params.items()},
                "seeds_per_particle": self.seeds_per_particle, "population": self.population,
                "generations": self.generations, "max_simulations": self.max_simulations, "alpha": self.alpha,
                "min_epsilon": self.min_epsilon, "seed": self.seed, "predictive_draws": self.predictive_draws,
                "launcher": dict(self.launcher)}

    def scenario_of(self, pattern: str) -> str:
        """The key of the scenario a pattern is observed in (patterns with the same overrides share runs)."""
        return " ".join(self.scenarios[pattern]) or "(defaults)"


def is_calibration_file(data: Any) -> bool:
    return isinstance(data, dict) and data.get("kind") == KIND


def read_file(name: str) -> tuple[Path, dict[str, Any]]:
    """The YAML mapping of a calibration file, found like an experiment file (a name or a path)."""
    return read_search_file(name, KIND, ALLOWED_KEYS)


def load_calibration(name: str) -> Calibration:
    path, data = read_file(name)
    return parse_calibration(data, path)


def _int(data: dict[str, Any], key: str, path: Path) -> int:
    value = data.get(key, DEFAULTS[key])
    lo, hi = INT_LIMITS[key]
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise UserError(f"{path}: {key}={shown(value)!r} is not allowed: an integer in [{lo:,}, {hi:,}]")
    return value


def _float(data: dict[str, Any], key: str, path: Path, lo: float, hi: float, open_low: bool) -> float:
    value = data.get(key, DEFAULTS[key])
    ok = not isinstance(value, bool) and isinstance(value, int | float) and not math.isnan(value)
    ok = ok and (lo < value if open_low else lo <= value) and value <= hi
    if not ok:
        interval = f"({lo}, {hi}]" if open_low else f"[{lo}, {hi}]"
        raise UserError(f"{path}: {key}={shown(value)!r} is not allowed: a number in {interval}")
    return float(value)


def float_field(key: str) -> tuple[float, float]:
    """The allowed range of a float model parameter `group.name`; UserError if there is none such."""
    group, _, name = key.partition(".")
    if group not in GROUPS or not name:
        raise UserError(f"params: {key!r} is not a parameter: GROUP.NAME with GROUP one of {', '.join(GROUPS)}")
    fields = {f.name: f for f in dataclasses.fields(GROUPS[group])}
    f = fields.get(name)
    floats = sorted(n for n, g in fields.items() if "range" in g.metadata and g.type in ("float", float))
    if f is None:
        raise UserError(f"params: {key!r} is not a parameter of {group}: one of {', '.join(floats)}")
    if "range" not in f.metadata or f.type not in ("float", float):
        raise UserError(f"params: {key!r} is not allowed: a float parameter (ABC perturbs values continuously); "
                        f"those of {group}: {', '.join(floats)}")
    lo, hi = f.metadata["range"]
    return float(lo), float(hi)


def _params(value: Any, path: Path) -> dict[str, tuple[float, float]]:
    if not isinstance(value, dict) or not value:
        raise UserError(f"{path}: params must map at least one parameter (GROUP.NAME) to a prior range [low, high]")
    out: dict[str, tuple[float, float]] = {}
    for key, rng in value.items():
        try:
            lo_allowed, hi_allowed = float_field(str(key))
        except UserError as err:
            raise UserError(f"{path}: {err}") from None
        ok = isinstance(rng, list) and len(rng) == 2 and all(
            isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in rng)
        if not ok or not rng[0] < rng[1]:
            raise UserError(f"{path}: params.{key}={rng!r} is not allowed: a prior range [low, high] with "
                            "low < high")
        if rng[0] < lo_allowed or rng[1] > hi_allowed:
            raise UserError(f"{path}: params.{key}={rng!r} is not allowed: within the parameter's range "
                            f"[{lo_allowed:g}, {hi_allowed:g}]")
        out[str(key)] = (float(rng[0]), float(rng[1]))
    return out


def _strings(value: Any, path: Path, key: str, need_eq: bool) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and (not need_eq or "=" in v) for v in value):
        what = "a list of Hydra overrides KEY=VALUE" if need_eq else "a list of names"
        raise UserError(f"{path}: {key}={value!r} is not allowed: {what}")
    return list(value)


def with_preset(overrides: tuple[str, ...], preset: str) -> list[str]:
    """A pattern's scenario with its `preset=` (if any) set to the calibration's preset."""
    return [f"preset={preset}" if o.startswith("preset=") else o for o in overrides]


def parse_calibration(data: dict[str, Any], path: Path) -> Calibration:
    unknown = [k for k in data if k not in ALLOWED_KEYS]
    if unknown:
        raise UserError(f"{path}: unknown key {unknown[0]!r}: one of {', '.join(ALLOWED_KEYS)}")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip() or not name.replace("_", "").replace("-", "").isalnum():
        raise UserError(f"{path}: name={name!r} is not allowed: letters, digits, '_' and '-'")
    preset = data.get("preset")
    if not isinstance(preset, str) or not preset.strip():
        raise UserError(f"{path}: missing 'preset' (the config preset the calibration is for, e.g. sweden2021)")
    targets_name = data.get("targets", DEFAULT_TABLE)
    if not isinstance(targets_name, str) or not targets_name.strip():
        raise UserError(f"{path}: targets={targets_name!r} is not allowed: a target table's name or path")
    try:
        table = load_targets(targets_name)
    except UserError as err:
        raise UserError(f"{path}: targets: {err}") from None
    patterns = _strings(data.get("patterns", sorted({t.pattern for t in table})), path, "patterns", False)
    if not patterns or len(set(patterns)) != len(patterns):
        raise UserError(f"{path}: patterns={patterns!r} is not allowed: distinct names, at least one")
    targets = select(table, patterns, f"{path}: patterns")
    base = _strings(data.get("base") or [], path, "base", True)
    if any(is_seed(o) for o in base):
        raise UserError(f"{path}: 'seed' cannot be set in base: each particle's runs get fresh seeds")
    params = _params(data.get("params"), path)
    overlap = [o for o in base if o.split("=", 1)[0].lstrip("+~") in params]
    if overlap:
        raise UserError(f"{path}: base sets {overlap[0]!r}, a free parameter: leave it to params")
    launcher = check_launcher(data.get("launcher") or {}, path)
    cal = Calibration(
        name=name, path=path, description=str(data.get("description") or ""), preset=preset,
        targets_name=targets_name, targets=targets, patterns=patterns, base=base, params=params,
        seeds_per_particle=_int(data, "seeds_per_particle", path), population=_int(data, "population", path),
        generations=_int(data, "generations", path), max_simulations=_int(data, "max_simulations", path),
        alpha=_float(data, "alpha", path, 0.0, 1.0, open_low=True),
        min_epsilon=_float(data, "min_epsilon", path, 0.0, math.inf, open_low=False),
        seed=_int(data, "seed", path), predictive_draws=_int(data, "predictive_draws", path),
        launcher=launcher)
    from abm.config.hydra_bridge import config_dir

    known = sorted(p.stem for p in (config_dir() / "preset").glob("*.yaml"))
    if preset not in known:
        raise UserError(f"{path}: preset={preset!r} is not known: one of {', '.join(known)}")
    for pattern in patterns:
        overrides = [*with_preset(PATTERNS[pattern].scenario, preset), *base]
        cal.scenarios[pattern] = overrides
        key = cal.scenario_of(pattern)
        if key not in cal.resolved:
            try:
                cfg = compose_config(overrides)
                to_params(cfg)
            except UserError as err:
                raise UserError(f"{path}: pattern {pattern}'s scenario {overrides}: {err}") from None
            cal.resolved[key] = resolved_dict(cfg)
    return cal
