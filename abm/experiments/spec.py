"""Experiment files (`experiments/NAME.yaml`): load, validate and expand into planned runs.

An experiment is one research question: a base configuration, a sweep (Hydra sweeper syntax), replications,
the metrics to report and a baseline. Every configuration runs the same seed list (common random numbers,
so comparisons are paired; Law 2015, ch. 11). The whole plan is validated before anything is written.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from abm.config.hydra_bridge import compose_config, expand_sweep, resolved_dict, sweep_size, to_params
from abm.config.limits import MAX_RUNS, SEED_MAX, check_memory_once, check_run_count
from abm.config.overrides import as_dict, is_seed, key_of, split
from abm.core.metrics import REGISTRY
from abm.core.params import shown
from abm.errors import UserError
from abm.experiments import posterior as post
from abm.experiments.design import check_sensitivity, design_points
from abm.paths import experiment_dirs
from abm.store.layout import config_hash

ALLOWED_KEYS = ("name", "description", "base", "sweep", "seeds", "metrics", "baseline", "sensitivity",
                "launcher", *post.KEYS)
LAUNCHER_KEYS = ("workers", "partition", "time_min", "cpus_per_task", "mem_gb", "array_parallelism",
                 "qos", "account", "task_minutes", "runs_per_task")
LAUNCHER_INTS = ("workers", "time_min", "cpus_per_task", "array_parallelism", "runs_per_task")  # whole numbers >= 1
LAUNCHER_NUMBERS = ("mem_gb", "task_minutes")  # numbers > 0 (mem_gb >= 1)
LAUNCHER_ALIASES = {"timeout_min": "time_min"}  # hydra.launcher.* names of Hydra's submitit launcher
LAUNCHER_MAX = 1_000_000
MAX_FILE_BYTES = 2**20  # an experiment file is a page of YAML; 1 MiB is far beyond any real one
MAX_NODES = 100_000  # YAML nodes after aliases are expanded (an alias bomb expands to billions)


class BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader that refuses a document whose aliases expand to more than MAX_NODES nodes
    (a "billion laughs" file composes small but explodes when anything walks it) or refer to themselves."""

    def compose_document(self) -> Any:
        node = super().compose_document()
        expanded_size(node, {})
        return node


def expanded_size(node: yaml.Node, sizes: dict[int, int | None]) -> int:
    """Nodes in `node` with every alias expanded; raises yaml.YAMLError above MAX_NODES or on a cycle."""
    if id(node) in sizes:
        size = sizes[id(node)]
        if size is None:
            raise yaml.YAMLError("an alias refers to a node that contains it (a recursive structure)")
        return size
    sizes[id(node)] = None
    total = 1
    if isinstance(node, yaml.SequenceNode):
        total += sum(expanded_size(child, sizes) for child in node.value)
    elif isinstance(node, yaml.MappingNode):
        total += sum(expanded_size(k, sizes) + expanded_size(v, sizes) for k, v in node.value)
    if total > MAX_NODES:
        raise yaml.YAMLError(f"aliases expand it beyond {MAX_NODES:,} nodes (an alias bomb?)")
    sizes[id(node)] = total
    return total


@dataclass
class Spec:
    """A validated experiment file."""

    name: str
    path: Path
    description: str = ""
    base: list[str] = field(default_factory=list)
    sweep: dict[str, str] = field(default_factory=dict)
    seeds: list[int] = field(default_factory=lambda: [0])
    metrics: list[str] = field(default_factory=list)
    baseline: str | None = None
    sensitivity: dict[str, Any] | None = None
    launcher: dict[str, Any] = field(default_factory=dict)
    posterior: str | None = None  # a calibrated posterior (configs/posterior/NAME.parquet) to draw from
    draws: int | None = None  # parameter sets drawn from it, each running every configuration x seeds
    posterior_seed: int = 0
    posterior_draws: list[post.Draw] = field(default_factory=list)  # filled by plan()
    posterior_ess: float | None = None  # the posterior's effective sample size, filled by plan()

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "description": self.description, "base": list(self.base),
                               "sweep": dict(self.sweep), "seeds": list(self.seeds),
                               "metrics": list(self.metrics), "baseline": self.baseline}
        if self.sensitivity:
            out["sensitivity"] = self.sensitivity
        if self.launcher:
            out["launcher"] = self.launcher
        if self.posterior:
            out.update(posterior=self.posterior, draws=self.draws, posterior_seed=self.posterior_seed)
            if self.posterior_draws:
                out["posterior_ess"] = self.posterior_ess
                out["posterior_draws"] = [d.as_dict() for d in self.posterior_draws]
        return out


@dataclass
class Configuration:
    """One point of the sweep: its overrides (without seed), config hash and swept values."""

    overrides: list[str]
    config_hash: str
    values: dict[str, str]
    resolved: dict[str, Any] = field(default_factory=dict, repr=False)  # composed once, reused for every seed


def find_spec_file(name: str) -> Path:
    """A path to a YAML file, or the name of a file in one of the experiment folders."""
    if name.endswith((".yaml", ".yml")) or os.sep in name:
        path = Path(name)
        if path.is_file():
            return path
        raise UserError(f"experiment file {name} not found")
    for folder in experiment_dirs():
        path = folder / f"{name}.yaml"
        if path.is_file():
            return path
    known = sorted({p.stem for d in experiment_dirs() if d.is_dir() for p in d.glob("*.yaml")})
    raise UserError(f"experiment {name!r} not found: one of {', '.join(known) or '(none)'}")


def read_mapping(name: str, allowed_keys: Sequence[str]) -> tuple[Path, dict[str, Any]]:
    """A file of experiments/ (by name, or a path) read as a YAML mapping, with the limits every such file has
    (size, UTF-8, an alias bomb, nesting); every mistake is one line naming the file."""
    path = find_spec_file(name)
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise UserError(f"{path}: a file of {size:,} bytes is not allowed: at most {MAX_FILE_BYTES:,} bytes")
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UserError(f"{path}: byte 0x{exc.object[exc.start]:02x} at position {exc.start} is not allowed: "
                        "UTF-8 text") from None
    try:
        data = yaml.load(text, Loader=BoundedLoader)  # noqa: S506 (a SafeLoader)
    except yaml.YAMLError as exc:
        raise UserError(f"{path}: not valid YAML ({' '.join(str(exc).split())[:160]})") from None
    except RecursionError:
        raise UserError(f"{path}: not valid YAML (nested too deeply)") from None
    if not isinstance(data, dict):
        raise UserError(f"{path}: expected a mapping of keys ({', '.join(allowed_keys)})")
    return path, data


def read_search_file(name: str, kind: str, allowed_keys: Sequence[str]) -> tuple[Path, dict[str, Any]]:
    """A calibration, optimisation or discovery file (`kind: KIND`) read as read_mapping reads it; a file of
    another kind is one line naming the command that runs it."""
    path, data = read_mapping(name, allowed_keys)
    found = data.get("kind")
    if found != kind:
        runs = SEARCH_KINDS.get(found, "abm experiment") if isinstance(found, str) or found is None else None
        hint = f" (that file runs with `{runs}`)" if runs else ""
        raise UserError(f"{path}: kind={found!r} is not allowed here: kind: {kind}{hint}")
    return path, data


def load_spec(name: str) -> Spec:
    """Read and check an experiment file; every mistake is one line naming the file and key."""
    path, data = read_mapping(name, ALLOWED_KEYS)
    return parse_spec(data, path)


# Files in experiments/ that are not experiment files, by their `kind:`, and the command that runs each.
SEARCH_KINDS = {"calibration": "abm calibrate", "optimisation": "abm optimise", "discovery": "abm discover"}


def parse_spec(data: dict[str, Any], path: Path) -> Spec:
    kind = data.get("kind")
    if isinstance(kind, str) and kind in SEARCH_KINDS:
        raise UserError(f"{path}: a{'n' if kind[0] in 'aeiou' else ''} {kind} file (kind: {kind}): run it with "
                        f"`{SEARCH_KINDS[kind]} {path.stem}`")
    unknown = [k for k in data if k not in ALLOWED_KEYS]
    if unknown:
        raise UserError(f"{path}: unknown key {unknown[0]!r}: one of {', '.join(ALLOWED_KEYS)}")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise UserError(f"{path}: missing 'name' (the experiment's name, e.g. name: {path.stem})")
    if not name.replace("_", "").replace("-", "").isalnum():
        raise UserError(f"{path}: name={name!r} is not allowed: letters, digits, '_' and '-'")
    spec = Spec(name=name, path=path, description=str(data.get("description") or ""))
    spec.base = _string_list(data.get("base") or [], path, "base")
    spec.sweep = _sweep(data.get("sweep") or {}, path)
    spec.seeds = _seeds(data.get("seeds", 1), path)
    spec.metrics = _metrics(data.get("metrics") or ["maturity_total", "care_production", "adoption_share"], path)
    baseline = data.get("baseline")
    if baseline is not None and (not isinstance(baseline, str) or "=" not in baseline):
        raise UserError(f"{path}: baseline={baseline!r} is not allowed: KEY=VALUE, e.g. practice=exploit_only")
    spec.baseline = baseline
    sens = data.get("sensitivity")
    if sens is not None:
        spec.sensitivity = check_sensitivity(sens, path)
        if spec.sweep:
            raise UserError(f"{path}: 'sweep' and 'sensitivity' cannot both be given (the design is the sweep)")
    spec.launcher = check_launcher(data.get("launcher") or {}, path)
    spec.posterior, spec.draws, spec.posterior_seed = post.check_keys(data, path)
    return spec


def check_launcher(launcher: Any, path: Path) -> dict[str, Any]:
    """A file's `launcher:` block (experiment and calibration files), checked key by key."""
    if not isinstance(launcher, dict) or any(k not in LAUNCHER_KEYS for k in launcher):
        bad = (
            next(iter(k for k in launcher if k not in LAUNCHER_KEYS), launcher)
            if isinstance(launcher, dict)
            else launcher
        )
        raise UserError(f"{path}: launcher key {bad!r} is not allowed: one of {', '.join(LAUNCHER_KEYS)}")
    for key, value in launcher.items():
        _launcher_value(key, value, path)
    return dict(launcher)


def _launcher_value(key: str, value: Any, path: Path | str) -> None:
    if key == "task_minutes":
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= LAUNCHER_MAX:
            raise UserError(f"{path}: launcher.{key}={shown(value)!r} is not allowed: "
                            f"a number in (0, {LAUNCHER_MAX:,}]")
    elif key in LAUNCHER_INTS or key in LAUNCHER_NUMBERS:
        kinds = (int,) if key in LAUNCHER_INTS else (int, float)
        if isinstance(value, bool) or not isinstance(value, kinds) or not 1 <= value <= LAUNCHER_MAX:
            kind = "an integer" if key in LAUNCHER_INTS else "a number"
            raise UserError(f"{path}: launcher.{key}={shown(value)!r} is not allowed: {kind} in [1, {LAUNCHER_MAX:,}]")
    elif not isinstance(value, str) or not value.strip() or len(value) > 200:
        raise UserError(f"{path}: launcher.{key}={shown(value)!r} is not allowed: a name (text)")


def _string_list(value: Any, path: Path, key: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and "=" in v for v in value):
        raise UserError(f"{path}: {key}={value!r} is not allowed: a list of Hydra overrides KEY=VALUE")
    return list(value)


def _sweep(value: Any, path: Path) -> dict[str, str]:
    if not isinstance(value, dict):
        raise UserError(f"{path}: sweep={value!r} is not allowed: a mapping KEY: comma-separated values")
    out: dict[str, str] = {}
    for key, values in value.items():
        if isinstance(values, list):
            values = ",".join(str(v) for v in values)
        if isinstance(values, bool) or not isinstance(values, str | int | float) or str(values).strip() == "":
            raise UserError(f"{path}: sweep.{key}={values!r} is not allowed: comma-separated values or range(a,b)")
        out[str(key)] = str(values)
    return out


SEEDS_ALLOWED = f"a count in [1, {MAX_RUNS:,}] or a list of distinct seeds in [0, {SEED_MAX}]"


def seed_count(value: Any, key: str) -> list[int]:
    """Seeds 0..value-1 of a count `key` (the file's seeds, or --seeds), at most MAX_RUNS."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_RUNS:
        raise UserError(f"{key}={shown(value)!r} is not allowed: a count in [1, {MAX_RUNS:,}]"
                        + ("" if key.startswith("--") else f" or a list of distinct seeds in [0, {SEED_MAX}]"))
    return list(range(value))


def _seeds(value: Any, path: Path) -> list[int]:
    if isinstance(value, int) and not isinstance(value, bool):
        return seed_count(value, f"{path}: seeds")
    if isinstance(value, list) and value:
        bad = [s for s in value if isinstance(s, bool) or not isinstance(s, int) or not 0 <= s <= SEED_MAX]
        if bad:
            raise UserError(f"{path}: seeds: {shown(bad[0])!r} is not allowed: {SEEDS_ALLOWED}")
        if len(set(value)) != len(value):
            raise UserError(f"{path}: seeds={shown(value)!r} is not allowed: distinct seeds")
        return list(value)
    raise UserError(f"{path}: seeds={shown(value)!r} is not allowed: {SEEDS_ALLOWED}")


def _metrics(value: Any, path: Path) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise UserError(f"{path}: metrics={value!r} is not allowed: a list of metric names")
    for m in value:
        if m not in REGISTRY:
            raise UserError(f"{path}: metric {m!r} is not known: one of {', '.join(REGISTRY)}")
    return list(value)


def launcher_overrides(spec: Spec, overrides: Sequence[str]) -> dict[str, Any]:
    """The file's `launcher:` settings with command-line `hydra.launcher.KEY=VALUE` overrides applied (the
    names of Hydra's submitit launcher still work: timeout_min is time_min); anything else is one line."""
    settings = dict(spec.launcher)
    for o in overrides:
        key, _, text = o.partition("=")
        name = key.removeprefix("hydra.launcher.")
        name = LAUNCHER_ALIASES.get(name, name)
        if not key.startswith("hydra.launcher.") or not text or name not in LAUNCHER_KEYS:
            raise UserError(f"the override {o!r} is not allowed: hydra.launcher.KEY=VALUE with KEY one of "
                            f"{', '.join(LAUNCHER_KEYS)}")
        try:
            value: Any = yaml.safe_load(text)
        except yaml.YAMLError:
            value = text
        if name not in LAUNCHER_INTS and name not in LAUNCHER_NUMBERS:
            value = text
        _launcher_value(name, value, "the command line")
        settings[name] = value
    return settings


def apply_cli_overrides(spec: Spec, overrides: list[str]) -> Spec:
    """CLI overrides: a key that is swept replaces the sweep; any other key joins `base` (last wins)."""
    for o in overrides:
        if "=" not in o:
            raise UserError(f"cannot parse the override {o!r}: expected key=value")
        key, value = split(o)
        if key in spec.sweep:
            spec.sweep[key] = value
        else:
            spec.base = [b for b in spec.base if key_of(b) != key] + [o]
    return spec


def check_design_size(spec: Spec) -> None:
    """A sensitivity design's points (Morris: trajectories x (k+1); Sobol: samples x (k+2)), before sampling."""
    sens = spec.sensitivity
    if not sens:
        return
    seed = sens.get("seed", 1)
    if not 0 <= seed < 2**32:  # SALib seeds numpy's legacy generator
        raise UserError(f"{spec.path}: sensitivity.seed={shown(seed)!r} is not allowed: an integer in [0, {2**32 - 1}]")
    k = len(sens["params"])
    size = int(sens.get("trajectories", 10)) * (k + 1) if sens["method"] == "morris" else \
        int(sens.get("samples", 64)) * (k + 2)
    check_run_count(size * len(spec.seeds), f"{spec.path}: the {sens['method']} design x {len(spec.seeds):,} seeds")


def sweep_points(spec: Spec) -> list[tuple[list[str], dict[str, str]]]:
    """(overrides, swept values) per configuration, before composing."""
    if spec.sensitivity:
        return [(list(spec.base) + o, v) for o, v in design_points(spec.sensitivity)]
    sweep_overrides = [f"{k}={v}" for k, v in spec.sweep.items()]
    try:
        combos = expand_sweep(sweep_overrides) if sweep_overrides else [[]]
    except UserError as err:
        raise UserError(f"{spec.path}: malformed sweep: {err}") from None
    points = []
    for combo in combos:
        values = as_dict(combo)
        points.append((list(spec.base) + combo, values))
    return points


def posterior_points(spec: Spec, points: list[tuple[list[str], dict[str, str]]]
                     ) -> list[tuple[list[str], dict[str, str]]]:
    """Every sweep point on each of the spec's posterior draws (drawn here, kept in `spec.posterior_draws`)."""
    if not spec.posterior or spec.draws is None:
        return points
    try:
        spec.posterior_draws = post.sample(spec.posterior, spec.draws, spec.posterior_seed)
        spec.posterior_ess = post.posterior_ess(spec.posterior)
    except UserError as err:
        raise UserError(f"{spec.path}: {err}") from None
    clash = post.conflicting_key(list(spec.posterior_draws[0].values), list(spec.sweep),
                                 [key_of(b) for b in spec.base])
    if clash:
        where = "the sweep" if clash[1] == "sweep" else "base (or the command line)"
        raise UserError(f"{spec.path}: {where} sets {clash[0]}, which is not allowed: posterior "
                        f"{spec.posterior} draws it (remove it there, or calibrate without it)")
    return post.with_draws(points, spec.posterior_draws)


def draws_text(draws: int | None) -> str:
    return f"{draws:,} posterior draws x " if draws else ""


def plan(spec: Spec) -> list[Configuration]:
    """Compose and validate every configuration; raise UserError (naming the file) on the first bad one."""
    configs: list[Configuration] = []
    seen: set[str] = set()
    check_design_size(spec)
    if spec.sweep and not spec.sensitivity:  # counted before expanding (a range can hold billions)
        try:
            n = sweep_size([f"{k}={v}" for k, v in spec.sweep.items()])
        except UserError as err:
            raise UserError(f"{spec.path}: malformed sweep: {err}") from None
        check_run_count(n * (spec.draws or 1) * len(spec.seeds), f"{spec.path}: {n:,} configurations x "
                        f"{draws_text(spec.draws)}{len(spec.seeds):,} seeds")
    points = sweep_points(spec)
    check_run_count(len(points) * (spec.draws or 1) * len(spec.seeds), f"{spec.path}: {len(points):,} "
                    f"configurations x {draws_text(spec.draws)}{len(spec.seeds):,} seeds")
    points = posterior_points(spec, points)
    params = []
    for overrides, values in points:
        if any(is_seed(o) for o in overrides):
            raise UserError(f"{spec.path}: 'seed' cannot be set in base or sweep: use 'seeds' (common random numbers)")
        try:
            cfg = compose_config(overrides)
            params.append(to_params(cfg))
        except UserError as err:
            raise UserError(f"{spec.path}: {err}") from None
        resolved = resolved_dict(cfg)
        h = config_hash(resolved)
        if h not in seen:
            seen.add(h)
            configs.append(Configuration(overrides, h, values, resolved))
    try:
        check_memory_once(params)
    except UserError as err:
        raise UserError(f"{spec.path}: {err}") from None
    if spec.baseline:
        key, value = spec.baseline.split("=", 1)
        if not any(c.values.get(key) == value for c in configs):
            raise UserError(f"{spec.path}: baseline {spec.baseline} matches no configuration of the sweep")
    return configs
