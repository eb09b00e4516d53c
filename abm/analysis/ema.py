"""A stored experiment as the EMA Workbench's results pair `(experiments, outcomes)`, and its `.tar.gz` file.

What ema_workbench 3.0 returns from `perform_experiments` (em_framework/callbacks.py, `DefaultCallback`) and
writes with `save_results` / reads with `load_results` (util/utilities.py):

    experiments  a DataFrame, one row per experiment: one column per parameter (float64, int64 or category)
                 and the bookkeeping columns `scenario`, `policy` and `model` (category)
    outcomes     {name: array}: a scalar outcome is 1-D (one value per row), a time series 2-D
                 (rows x time steps), with the time steps themselves as the 2-D series `TIME`

Here a row is one finished run of the store (read through abm.store.reader, the store's one reader), in
the order of its scenario, then seed. Its parameters are the experiment's swept keys, each named as
`abm.api.as_function` takes it (dots written as `__`: `practice.budget` -> `practice__budget`), so
`ema_workbench.em_framework.points.from_experiments(experiments)` gives scenarios the function runs again;
then the posterior draw (`posterior_draw`, for an experiment over a posterior) and `seed`. `scenario` is the
run's configuration, numbered as the workbench numbers its scenarios (0, 1, ...: the configuration's place
in the experiment's plan, so the runs of one configuration are its replications; a number, because
`load_results` reads a column of hex config hashes back as numbers whenever one looks like a number),
`policy` the workbench's default policy name "None" (the store has no levers apart from its swept keys;
`load_results` reads "None" back as missing, for the workbench's own files too), `model` the experiment's
name. Outcomes are computed by abm.analysis.outcomes (the one definition of an outcome);
series are every stored week (0..W) of a metric.
"""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd

from abm.analysis.outcomes import outcome_values, parse_outcomes
from abm.analysis.pooled import DRAW
from abm.core.metrics import REGISTRY
from abm.errors import UserError
from abm.store.files import atomic_write
from abm.store.reader import experiment_dir, load_region, load_runs, read_spec, swept_keys

TIME = "TIME"  # the workbench's name of the time steps of its time series outcomes
BOOKKEEPING = ("scenario", "policy", "model")  # the last columns of the workbench's experiments, in its order
NO_POLICY = "None"  # the name the workbench gives the policy of experiments run without one
DEFAULT_METRICS = ["maturity_total", "care_production", "adoption_share"]  # an experiment file's default metrics
SUFFIX = ".tar.gz"  # what save_results writes (a gzipped tar of CSV files and metadata.json)
_INTEGER = re.compile(r"[+-]?\d+")


def workbench() -> ModuleType:
    """`ema_workbench`, imported without its "ipyparallel not installed" UserWarning (an evaluator unused here)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="ipyparallel not installed", category=UserWarning)
        import ema_workbench

    return ema_workbench


def column_name(key: str) -> str:
    """A swept config key as the workbench parameter (and as_function keyword) that names it."""
    return key.replace(".", "__")


def typed(values: Sequence[str | None]) -> pd.Series:
    """Override values (text) as the workbench types its parameters: int64 if every value is an integer,
    float64 if every value is a number (a missing value makes integers float, as in the workbench), else
    category."""
    present = [v for v in values if v is not None]
    if present and all(_INTEGER.fullmatch(v) for v in present) and len(present) == len(values):
        return pd.Series([int(v) for v in present], dtype="int64")
    try:
        return pd.Series([float(v) if v is not None else np.nan for v in values], dtype="float64")
    except ValueError:
        return pd.Series(list(values), dtype="category")


def check_series(series: Sequence[str]) -> list[str]:
    """Distinct registered metrics; UserError naming the value and what is allowed."""
    if isinstance(series, str):
        series = [series]
    for s in series:
        if s not in REGISTRY:
            raise UserError(f"series={s!r} is not allowed: a registered metric (its value every week), one of "
                            f"{', '.join(REGISTRY)}")
    if len(set(series)) != len(series):
        raise UserError(f"series={list(series)!r} is not allowed: each metric once")
    return list(series)


def scenario_numbers(spec: dict[str, Any], hashes: pd.Series) -> dict[str, int]:
    """Each configuration's scenario name, an integer as the workbench names the scenarios it samples: its
    position in the plan of the experiment's experiment.yaml (the sweep's order), then any stored
    configuration the plan does not list, in config_hash order."""
    planned = [c.get("config_hash") for c in spec.get("configurations") or [] if isinstance(c, dict)]
    order = list(dict.fromkeys([*planned, *sorted(set(hashes))]))
    return {h: i for i, h in enumerate(order)}


def export(experiment: str, outcomes: Sequence[str] = (), series: Sequence[str] = (),
           root: str | Path | None = None) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """The finished runs of a stored experiment as the workbench's `(experiments, outcomes)`.

    `outcomes` are outcome names (abm.analysis.outcomes); by default the experiment's metrics at the last
    week, apart from those exported as `series`. `series` are metrics exported every week, each a 2-D array
    (runs x weeks), with `TIME` (the weeks). A name may be an outcome or a series, not both."""
    series = check_series(series)
    experiment_dir(experiment, root)  # an unknown experiment is one line naming those the store holds
    spec = read_spec(experiment, root)
    names = list(outcomes) or [m for m in (spec.get("metrics") or DEFAULT_METRICS) if m not in series]
    parsed = parse_outcomes(names, "outcome")
    both = [o.name for o in parsed if o.name in series]
    if both:
        raise UserError(f"outcome={both[0]!r} is not allowed: it is also a series (each name once, as an outcome "
                        "at the last week or as a series every week)")
    runs = load_runs(experiment, root)
    keys = swept_keys(experiment, root, runs)
    taken = [k for k in keys if column_name(k) in (*BOOKKEEPING, DRAW)]
    if taken:
        raise UserError(f"experiment {experiment!r} sweeps {taken[0]!r}, the name of a column the EMA Workbench "
                        f"keeps for itself ({', '.join(BOOKKEEPING)}): it cannot be exported as a parameter")
    metrics = list(dict.fromkeys([*(o.metric for o in parsed), *series]))
    region = load_region(experiment, root, metrics=metrics)
    if region.empty:
        raise UserError(f"experiment {experiment!r} has no finished runs to export")
    number = scenario_numbers(spec, region["config_hash"])
    region = region.assign(scenario=region["config_hash"].map(number))
    region = region.sort_values(["scenario", "seed", "week"], kind="stable")
    groups = [(k[1:], run) for k, run in region.groupby(["scenario", "config_hash", "seed"], sort=True)]
    done = pd.DataFrame([k for k, _ in groups], columns=["config_hash", "seed"])
    labels = done.merge(runs.drop_duplicates(["config_hash", "seed"]), on=["config_hash", "seed"], how="left")

    experiments = pd.DataFrame({column_name(k): typed([v if isinstance(v, str) else None for v in labels[k]])
                                for k in keys})
    draws = {c.get("config_hash"): (c.get("values") or {}).get(DRAW) for c in spec.get("configurations") or []
             if isinstance(c, dict)}
    if spec.get("posterior_draws") and any(v is not None for v in draws.values()):
        experiments[DRAW] = pd.Series([int(draws[h]) for h in done["config_hash"]], dtype="int64")
    experiments["seed"] = done["seed"].astype("int64")
    experiments["scenario"] = pd.Series(done["config_hash"].map(number), dtype="category")
    experiments["policy"] = pd.Series([NO_POLICY] * len(done), dtype="category")
    experiments["model"] = pd.Series([experiment] * len(done), dtype="category")

    values = [outcome_values(run, parsed) for _, run in groups]
    out: dict[str, np.ndarray] = {o.name: np.array([v[o.name] for v in values], dtype="float64") for o in parsed}
    if series:
        lengths = sorted({len(run) for _, run in groups})
        if len(lengths) > 1:
            raise UserError(f"series={series[0]!r} is not allowed for experiment {experiment!r}: its runs have "
                            f"{lengths[0] - 1} to {lengths[-1] - 1} weeks (weeks is swept), and a series needs "
                            "one length; export its outcomes without --series")
        for s in series:
            out[s] = np.stack([run[s].to_numpy(dtype="float64") for _, run in groups])
        out[TIME] = np.stack([run["week"].to_numpy(dtype="int64") for _, run in groups])
    return experiments, out


def register(outcomes: dict[str, np.ndarray]) -> None:
    """Declare each outcome to the workbench's process-wide register (save_results and load_results look
    them up there): a 1-D array as a ScalarOutcome, a 2-D one as a TimeSeriesOutcome."""
    ew = workbench()
    for name, value in outcomes.items():
        kind = ew.ScalarOutcome if value.ndim == 1 else ew.TimeSeriesOutcome
        try:
            kind(name)
        except ValueError:
            known = ew.em_framework.outcomes.register.outcomes[name].__name__
            raise UserError(f"outcome {name!r} is already declared to the EMA Workbench in this process as a "
                            f"{known}, not a {kind.__name__}: export it in a new process") from None


def check_destination(path: str | Path, option: str = "--ema") -> Path:
    """A results file's path: a name ending in .tar.gz that is not a folder (UserError naming `option`)."""
    path = Path(path)
    if not path.name.endswith(SUFFIX) or path.name == SUFFIX:
        raise UserError(f"{option}={str(path)!r} is not allowed: a file name ending in {SUFFIX} (what the EMA "
                        "Workbench's save_results writes), e.g. results.tar.gz")
    if path.is_dir():
        raise UserError(f"{option}={str(path)!r} is not allowed: a file, not a folder")
    return path


def save(results: tuple[pd.DataFrame, dict[str, np.ndarray]], path: str | Path) -> Path:
    """Write `results` with the workbench's `save_results` into a temporary file beside `path`, then rename
    it over `path` (abm.store.files.atomic_write): a reader never sees half a file."""
    path = check_destination(path)
    ew = workbench()
    register(results[1])
    quiet = logging.getLogger("EMA")
    level = quiet.level
    quiet.setLevel(max(level, logging.WARNING))  # its "results saved successfully" note is not ours to print
    try:
        with warnings.catch_warnings():  # TimeSeriesOutcome.to_disk warns "still to be tested" on every save
            warnings.filterwarnings("ignore", message="Timeseries outcome", category=UserWarning)
            atomic_write(path, lambda tmp: ew.save_results(results, tmp))
    finally:
        quiet.setLevel(level)
    return path


def describe(results: tuple[pd.DataFrame, dict[str, Any]], path: Path) -> str:
    """One line saying what was written."""
    experiments, outcomes = results
    shapes = ", ".join(f"{k} {'x'.join(map(str, v.shape))}" for k, v in outcomes.items())
    return f"wrote {path}: {len(experiments)} runs x {experiments.shape[1]} experiment columns; outcomes {shapes}"
