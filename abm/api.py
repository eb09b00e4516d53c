"""The Python entry point for notebooks: compose a config from overrides, run it, get DataFrames.

    >>> import abm
    >>> result = abm.run(["practice=structural", "organisation=small", "weeks=52"])
    >>> result.region[["week", "maturity_total"]].tail()

No working-directory side effects: nothing is written unless `out_dir` is given.

`as_function` turns the model into a plain function of keyword arguments returning named outcomes
(abm.analysis.outcomes), which the EMA Workbench wraps as `ReplicatorModel(name, function=f)` with seeds as
replications (docs/experiments.md, "The EMA Workbench").
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from abm.core.params import GROUPS, ModelParams
from abm.errors import UserError
from abm.simulation import RunResult, load_kernels, simulate  # noqa: F401  (load_kernels: re-exported)
from abm.store.files import write_run


def compose(overrides: Sequence[str] = ()) -> ModelParams:
    """Validated parameters from `configs/` plus Hydra overrides (e.g. ["practice=adaptive", "seed=3"])."""
    from abm.config.hydra_bridge import compose_params

    return compose_params(overrides)


def run(
    overrides: Sequence[str] | ModelParams = (), *, out_dir: str | Path | None = None, progress: bool = False
) -> RunResult:
    """Run one simulation from overrides (or ready ModelParams); write its files to `out_dir` if given."""
    if isinstance(overrides, ModelParams):
        params, config = overrides, None
    else:
        from abm.config.hydra_bridge import compose_config, resolved_dict, to_params

        cfg = compose_config(overrides)
        params, config = to_params(cfg), resolved_dict(cfg)
    result = simulate(params, progress=progress, config=config)
    if out_dir is not None:
        write_run(result, out_dir)
    return result


# --- the model as a plain function of keyword arguments (the EMA Workbench's `ReplicatorModel`) -------------

KEY_SEPARATOR = "__"  # `learning__p_turnover` is the config key `learning.p_turnover` (a keyword has no dots)
DEFAULT_OUTCOMES = ("maturity_total", "care_production", "adoption_share")  # an experiment file's default metrics
_PLAIN = re.compile(r"[A-Za-z0-9_.+\-/]+")  # a string value Hydra reads as itself (no quotes, commas or brackets)


@dataclass(frozen=True)
class ModelFunction:
    """The model as a function of keyword arguments returning {outcome name: float}, made by `as_function`.

    A plain frozen dataclass of strings, so it pickles (the workbench's MultiprocessingEvaluator sends it to
    its worker processes). Each call composes `configs/` with the base overrides and then the keywords' own
    (the last value of a key wins, as in Hydra; composed once per process for each set of keywords apart
    from the seed), runs the model with the seed and computes the outcomes with abm.analysis.outcomes, the
    one definition the optimiser and scenario discovery use too. A call equals `abm.run` on the same
    overrides, number for number."""

    overrides: tuple[str, ...]
    outcomes: tuple[str, ...]

    def __call__(self, **kwargs: Any) -> dict[str, float]:
        from abm.analysis.outcomes import outcome_values, parse_outcomes
        from abm.core.params import from_dict
        from abm.experiments.jobs import configured

        seed = kwargs.pop("seed", None)
        overrides = [*self.overrides, *keyword_overrides(kwargs)]
        if isinstance(seed, int | np.integer) and not isinstance(seed, bool | np.bool_):
            resolved = configured(resolved_config(tuple(overrides)), {}, int(seed))
        else:  # no seed (the base's), or one that is not an integer: Hydra reads it, or says what is wrong
            overrides += keyword_overrides({} if seed is None else {"seed": seed})
            resolved = copy.deepcopy(resolved_config(tuple(overrides)))
        result = simulate(from_dict(resolved), config=resolved)
        return outcome_values(result.region, parse_outcomes(list(self.outcomes)))


@functools.lru_cache(maxsize=256)
def resolved_config(overrides: tuple[str, ...]) -> dict[str, Any]:
    """The resolved config of overrides, composed once per process (Hydra's composition costs about 0.3 s,
    several times a small run): replications differ only in their seed, which is set in a copy, as
    `abm experiment` runs each configuration's seeds (abm.experiments.jobs.configured,
    abm.experiments.task.execute_resolved). Callers must not modify the dict."""
    from abm.config.hydra_bridge import compose_config, resolved_dict

    return resolved_dict(compose_config(overrides))


def as_function(overrides: Sequence[str] = (), outcomes: Sequence[str] = DEFAULT_OUTCOMES) -> ModelFunction:
    """The model as a function of keyword arguments, for the EMA Workbench:

        >>> f = abm.api.as_function(["organisation=small", "weeks=52"], outcomes=["maturity_total"])
        >>> f(practice="structural", practice__budget=0.2, seed=3)
        {'maturity_total': ...}
        >>> model = ema_workbench.ReplicatorModel("ehealth", function=f)   # seeds as replications

    Keywords: a config key with its dots written as `__` (`learning__p_turnover=0.002`), a config group's
    choice by the group's name (`practice="structural"`), `seed`, or a top-level key (`weeks`). Floats are
    passed to Hydra as their repr, so they round-trip exactly; same keywords and seed, same numbers.

    The outcomes (abm.analysis.outcomes: a metric's value at the last week, or `<metric>_mean`, its mean over
    the run) and the base overrides are checked here, once: a mistake is a one-line UserError."""
    from abm.analysis.outcomes import parse_outcomes

    if isinstance(overrides, str) or not all(isinstance(o, str) for o in overrides):
        raise UserError(f"overrides={overrides!r} is not allowed: a list of Hydra overrides key=value, "
                        "e.g. ['organisation=small', 'weeks=52']")
    names = tuple(o.name for o in parse_outcomes(outcomes))
    compose(overrides)  # the base configuration must compose and validate by itself
    return ModelFunction(tuple(overrides), names)


def group_choices() -> list[str]:
    """The config groups a keyword may choose by name: the folders of `configs/` holding YAML files."""
    from abm.config.hydra_bridge import config_dir

    return sorted(p.name for p in config_dir().iterdir() if p.is_dir() and any(p.glob("*.yaml")))


def allowed_keywords() -> str:
    """What `ModelFunction` accepts, for the one-line error about a keyword it does not."""
    top = [f.name for f in dataclasses.fields(ModelParams) if f.name not in GROUPS]
    return (f"a config group's choice ({', '.join(group_choices())}), a config key group__name "
            f"(e.g. practice__budget, learning__p_turnover) or a top-level key ({', '.join(top)})")


def keyword_key(keyword: str) -> str:
    """The config key a keyword names (`practice__budget` -> `practice.budget`); UserError if there is none."""
    if not isinstance(keyword, str):
        raise UserError(f"keyword {keyword!r} is not allowed: {allowed_keywords()}")
    group, sep, name = keyword.partition(KEY_SEPARATOR)
    if not sep:
        top = {f.name for f in dataclasses.fields(ModelParams) if f.name not in GROUPS}
        if keyword in top or keyword in group_choices():
            return keyword
        raise UserError(f"keyword {keyword!r} is not known: {allowed_keywords()}")
    if group not in GROUPS:
        raise UserError(f"keyword {keyword!r} is not known: {group!r} is not a config group "
                        f"(one of {', '.join(GROUPS)}); {allowed_keywords()}")
    fields = [f.name for f in dataclasses.fields(GROUPS[group])]
    if name not in fields:
        raise UserError(f"keyword {keyword!r} is not known: {group}.{name} is not a key of {group} "
                        f"(one of {', '.join(fields)})")
    return f"{group}.{name}"


def keyword_value(keyword: str, value: Any) -> str:
    """A keyword's value as Hydra override text: floats as repr (exact round trip, as
    abm.experiments.jobs.value_text), integers and booleans as Hydra reads them, plain words as they are."""
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        return repr(float(value))
    if isinstance(value, str) and _PLAIN.fullmatch(value):
        return value
    raise UserError(f"{keyword}={value!r} is not allowed: a number, a boolean or a plain word "
                    "(letters, digits and _ . + - /), e.g. a config group's option")


def keyword_overrides(kwargs: Mapping[str, Any]) -> list[str]:
    """Hydra overrides `key=value` from a ModelFunction's keywords (checked: UserError naming the keyword)."""
    return [f"{keyword_key(k)}={keyword_value(k, v)}" for k, v in kwargs.items()]
