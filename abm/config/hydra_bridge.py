"""The one bridge between Hydra and the model: config location, schemas, composing, conversion, errors.

Nothing outside `abm.config` imports Hydra or OmegaConf: the task function Hydra calls
(`abm.cli.run.run_task`) reads Hydra's run-time state through `job()` here, and `abm run` starts Hydra
through `hydra_main`. The model takes `ModelParams`, never a DictConfig.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import re
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from hydra import compose, initialize_config_dir
from hydra.core.config_store import ConfigStore
from hydra.core.global_hydra import GlobalHydra
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.override_parser.types import RangeSweep
from omegaconf import DictConfig, ListConfig, OmegaConf

from abm.config.limits import MAX_RUNS, ceil_count, check_memory_once, check_run_count, check_seed
from abm.core.params import GROUPS, ModelParams, from_dict, shown
from abm.errors import ParamError, UserError
from abm.paths import config_candidates, scenarios_dir, usable_dir

_LOCK = threading.Lock()  # Hydra's compose API is not thread-safe (the app composes from many sessions)
SCHEMA_NAME = "base_config"


def config_dir() -> Path:
    """`configs/` of the source tree, or the copy packed into the wheel."""
    for candidate in config_candidates():
        if (candidate / "config.yaml").is_file():
            return candidate
    raise UserError(f"no Hydra config tree found in {' or '.join(map(str, config_candidates()))} "
                    "(expected configs/config.yaml)")


def search_path_overrides() -> list[str]:
    """`hydra.searchpath=[file://DIR]` for the user's scenarios folder (abm.paths.scenarios_dir), when it exists,
    so `+workshop=NAME` finds the configs the app saved there; [] otherwise. Hydra searches it after
    `configs/` (the Hydra 1.3 way: a command-line `hydra.searchpath`, which config.yaml does not set)."""
    folder = scenarios_dir()
    if not usable_dir(folder):
        return []
    url = "file://" + folder.resolve().as_posix()
    quoted = "'" + url.replace("\\", "\\\\").replace("'", "\\'") + "'"
    return [f"hydra.searchpath=[{quoted}]"]


def register_schemas() -> None:
    """Register ModelParams as the typed schema that `config.yaml` composes onto."""
    schema = OmegaConf.structured(ModelParams)
    _unfreeze(schema)  # frozen dataclasses give read-only nodes; config groups must merge into them
    ConfigStore.instance().store(name=SCHEMA_NAME, node=schema)


def _unfreeze(node: Any) -> None:
    node._set_flag("readonly", None)
    if isinstance(node, DictConfig | ListConfig):
        keys = node.keys() if isinstance(node, DictConfig) else range(len(node))
        for key in keys:
            _unfreeze(node._get_node(key))


def compose_config(overrides: Sequence[str] = ()) -> DictConfig:
    """Compose the run config from `configs/` and overrides, without touching the working directory."""
    register_schemas()
    with _LOCK:
        GlobalHydra.instance().clear()
        try:
            with initialize_config_dir(version_base="1.3", config_dir=str(config_dir()), job_name="abm"):
                return compose(config_name="config", overrides=[*search_path_overrides(), *overrides])
        except UserError:
            raise
        except Exception as exc:  # Hydra/OmegaConf raise many types; all are the user's input here
            raise hydra_user_error(exc, overrides) from None
        finally:
            GlobalHydra.instance().clear()


@dataclasses.dataclass(frozen=True)
class Job:
    """What Hydra tells a task function about the job it runs."""

    overrides: list[str]  # the job's own overrides (a multirun's swept values, with seed)
    output_dir: str
    multirun: bool
    number: int


def job() -> Job:
    """The running Hydra job (call only from inside a Hydra task function)."""
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode

    hc = HydraConfig.get()
    multirun = hc.mode == RunMode.MULTIRUN
    return Job(list(hc.overrides.task), str(hc.runtime.output_dir), multirun, int(hc.job.num) if multirun else 0)


def hydra_main(task: Callable[[Any], Any], args: Sequence[str]) -> None:
    """Run `task` as Hydra's main function over `configs/`, with `args` as the command line (`abm run`)."""
    import sys

    import hydra

    register_schemas()
    main = hydra.main(version_base="1.3", config_path=str(config_dir()), config_name="config")(task)
    saved = sys.argv
    own = any(a.startswith("hydra.searchpath=") for a in args)  # the user's own search path wins
    sys.argv = ["abm", *args, *([] if own else search_path_overrides())]
    try:
        main()
    finally:
        sys.argv = saved


def to_params(cfg: DictConfig) -> ModelParams:
    """Convert a composed config to validated ModelParams (ignoring Hydra's own node)."""
    try:
        data = OmegaConf.to_container(cfg, resolve=True)
    except Exception as exc:
        raise hydra_user_error(exc) from None
    assert isinstance(data, dict)
    data.pop("hydra", None)
    return from_dict(data)


def resolved_dict(cfg: DictConfig) -> dict[str, Any]:
    data = OmegaConf.to_container(cfg, resolve=True)
    assert isinstance(data, dict)
    data.pop("hydra", None)
    return data


def compose_params(overrides: Sequence[str] = ()) -> ModelParams:
    return to_params(compose_config(overrides))


def parse_overrides(overrides: Sequence[str]) -> list[Any]:
    try:
        return OverridesParser.create().parse_overrides(list(overrides))
    except Exception as exc:
        raise hydra_user_error(exc, overrides) from None


def sweep_length(o: Any) -> int:
    """How many values one parsed override sweeps (1 for a plain value), counted without listing a range."""
    if not o.is_sweep_override():
        return 1
    value = o.value()
    if isinstance(value, RangeSweep):
        return ceil_count(value.start, value.stop, value.step)
    return sum(1 for _ in itertools.islice(o.sweep_string_iterator(), MAX_RUNS + 1))


def sweep_size(overrides: Sequence[str]) -> int:
    """The number of combinations a multirun's overrides sweep, without expanding them."""
    return math.prod(sweep_length(o) for o in parse_overrides(overrides))


def expand_sweep(overrides: Sequence[str]) -> list[list[str]]:
    """Every combination of a multirun's sweep overrides (`a=1,2 b=x,y` -> four override lists)."""
    parsed = parse_overrides(overrides)
    check_run_count(math.prod(sweep_length(o) for o in parsed), "the sweep " + " ".join(overrides))
    choices: list[list[str]] = []
    for o in parsed:
        key = o.get_key_element()
        if o.is_sweep_override():
            choices.append([f"{key}={v}" for v in o.sweep_string_iterator()])
        else:
            choices.append([o.input_line])
    return [list(c) for c in itertools.product(*choices)]


def check_seed_sweep(o: Any) -> list[str]:
    """Range-check a multirun's seed values without composing one run per seed; the first value, to compose."""
    value = o.value() if o.is_sweep_override() else None
    if isinstance(value, RangeSweep) and sweep_length(o) > 0:
        last = value.start + (sweep_length(o) - 1) * value.step
        for v in (value.start, last, value.step):
            if isinstance(v, float) and not v.is_integer():
                check_seed(v)
        check_seed(int(min(value.start, last)))
        check_seed(int(max(value.start, last)))
        return [f"seed={int(value.start)}"]
    if not o.is_sweep_override():
        return [o.input_line]
    values = list(o.sweep_string_iterator())
    for v in values[1:]:
        check_seed(v)
    return [f"seed={values[0]}"] if values else []


def validate_overrides(overrides: Sequence[str], multirun: bool = False) -> list[ModelParams]:
    """Compose and validate every distinct run the command would start; raise UserError on the first bad one.

    A multirun composes each combination of its non-seed values once (with the first seed); the seeds only
    need a range check, so `seed=range(0,100000)` costs one composition per configuration, not 100,000."""
    if not multirun:
        params = [compose_params(overrides)]
    else:
        parsed = parse_overrides(overrides)
        check_run_count(math.prod(sweep_length(o) for o in parsed), "the multirun " + " ".join(overrides))
        seeds = [o for o in parsed if o.get_key_element().lstrip("+~") == "seed"]
        first_seed = check_seed_sweep(seeds[-1]) if seeds else []
        others = [o.input_line for o in parsed if o not in seeds]
        params = [compose_params([*combo, *first_seed]) for combo in expand_sweep(others)]
    check_memory_once(params)
    return params


_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"Could not find '([^']+)/([^']+)'.*?Available options in '[^']+':(.*?)(?:Config search path|$)",
     "{0}={1} is not a known option: one of {2}"),
    (r"Could not load '([^']+)/([^']+)'.*?Available options in '[^']+':(.*?)(?:Config search path|$)",
     "{0}={1} is not a known option: one of {2}"),
    (r"Key '[^']+' not in '(\w+)' full_key: (\S+)", "{1} is not a known key: one of {0}"),
    (r"Key '[^']+' is not in struct full_key: (\S+)", "{0} is not a known key"),
    (r"int too large to convert to float full_key: (\S+)", "{0}={1} is not allowed: {2}"),
    (r"Value '(.*?)' of type '[^']+' could not be converted to (\w+) full_key: (\S+)",
     "{2}={0} is not allowed: a value of type {1}"),
    (r"Value '(.*?)' (?:is not a valid|could not be converted to) (\w+) full_key: (\S+)",
     "{2}={0} is not allowed: a value of type {1}"),
)


def known_keys(class_name: str) -> str:
    """The field names of a params dataclass, by class name."""
    classes = {cls.__name__: cls for cls in (ModelParams, *GROUPS.values())}
    cls = classes.get(class_name)
    return ", ".join(f.name for f in dataclasses.fields(cls)) if cls else class_name


def allowed_for(key: str) -> str:
    """What a numeric field accepts, from its metadata (`practice.budget` -> "a number in [0.0, 0.5]")."""
    group, _, name = key.rpartition(".")
    cls = GROUPS.get(group, ModelParams if not group else None)
    meta = {f.name: f.metadata for f in dataclasses.fields(cls)}.get(name, {}) if cls else {}
    lo, hi = meta.get("range", (None, None))
    return f"a number in [{lo}, {hi}]" if "range" in meta else "a number"


def too_large(overrides: Sequence[str], key: str) -> str:
    """The user's value for `key` (abbreviated), from the overrides."""
    values = [v for o in overrides for k, _, v in [o.partition("=")] if k.lstrip("+~") == key]
    return values[-1] if values else "(a number too large for a float)"


def hydra_user_error(exc: BaseException, overrides: Sequence[str] = ()) -> UserError:
    """Turn a Hydra or OmegaConf exception into one line naming the key, the value and what is allowed."""
    if isinstance(exc, ParamError | UserError):
        return exc
    chain, cause = [], exc
    while cause is not None:
        chain.append(" ".join(str(cause).split()))
        cause = cause.__cause__
    text = " | ".join(reversed(chain))
    for pattern, template in _PATTERNS:
        match = re.search(pattern, text, flags=re.S)
        if match:
            groups = [g.strip().rstrip(".") for g in match.groups()]
            if "too large" in pattern:
                groups += [too_large(overrides, groups[0]), allowed_for(groups[0])]
            groups = [str(shown(g)).strip("'") if len(g) > 60 else g for g in groups]
            if "one of {2}" in template:
                groups[2] = ", ".join(groups[2].split())
            if "known key: one of {0}" in template:
                groups[0] = known_keys(groups[0])
            return UserError(template.format(*groups))
    if type(exc).__name__ == "OverrideParseException":
        return UserError(f"cannot parse the overrides {' '.join(overrides)!r}: expected key=value ({chain[0][:120]})")
    return UserError(f"invalid configuration: {chain[-1][:300]}")
