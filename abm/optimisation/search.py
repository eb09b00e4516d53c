"""The multi-objective search: optuna's NSGA-II (Deb et al. 2002) over the design space, ask-and-tell, with
its storage inside the results store (`<root>/<name>/optuna.db`, SQLite) so that a killed search resumes.

Generation by generation, `population` trials are asked, their runs go to one executor call (local worker
processes or a SLURM array job), and each trial is stored with its robust objective values in trial order.
NSGA-II places a trial in a generation by counting the completed trials (optuna's GA base), so asking a whole
generation before telling any keeps generations intact.

Determinism: a generation is asked in a study in memory that holds the completed generations (copied from the
storage), and before each ask the sampler is made anew with the seed derived from (file seed, trial number),
so a generation's trials are a function of that seed and the completed generations only. The storage only
ever receives finished trials, each in one transaction (`add_trial`). A search killed at any point asks the
same generation again on resume, leaves out the trials already stored and evaluates the rest from their runs
(the finished ones are in the results store): the same trials an uninterrupted search stores, with the same
values.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from abm.errors import UserError
from abm.optimisation.spec import DIRECTIONS, Dimension, Optimisation

STUDY_FILE = "optuna.db"


def optuna_quiet() -> Any:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna


def trial_seed(seed: int, number: int) -> int:
    """The sampler's seed when it asks trial `number`."""
    return int(np.random.SeedSequence([seed, number]).generate_state(1)[0])


def distributions(space: list[Dimension]) -> dict[str, Any]:
    optuna = optuna_quiet()
    d = optuna.distributions
    out: dict[str, Any] = {}
    for dim in space:
        if dim.choices:
            out[dim.key] = d.CategoricalDistribution(list(dim.choices))
        elif dim.kind == "int":
            out[dim.key] = d.IntDistribution(int(dim.low), int(dim.high))
        else:
            out[dim.key] = d.FloatDistribution(float(dim.low), float(dim.high))
    return out


def storage_url(exp_dir: Path) -> str:
    return f"sqlite:///{exp_dir / STUDY_FILE}"


def check_study(exp_dir: Path) -> None:
    """A study database that cannot be read is reported by its path (and left untouched)."""
    import sqlite3

    path = exp_dir / STUDY_FILE
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as con:
            con.execute("SELECT count(*) FROM trials").fetchone()
    except sqlite3.Error as exc:
        raise UserError(f"{path} is not a readable optuna database ({exc}): move it aside or use --force-new") from None


def open_study(opt: Optimisation, exp_dir: Path) -> Any:
    optuna = optuna_quiet()
    return optuna.create_study(study_name=opt.name, storage=storage_url(exp_dir), load_if_exists=True,
                               directions=[DIRECTIONS[d] for d in opt.directions])


def sampler_for(opt: Optimisation, number: int) -> Any:
    optuna = optuna_quiet()
    return optuna.samplers.NSGAIISampler(population_size=opt.population, seed=trial_seed(opt.seed, number))


@dataclass
class Asked:
    number: int
    params: dict[str, Any]
    generation: int
    system_attrs: dict[str, Any] = field(default_factory=dict)


GENERATION_KEY = "NSGAIISampler:generation"


def generation_of(trial: Any) -> int:
    return int(trial.system_attrs.get(GENERATION_KEY, 0))


def in_memory_copy(opt: Optimisation, completed: list[Any]) -> Any:
    """A study in memory holding the given completed trials (in trial order): where a generation is asked."""
    optuna = optuna_quiet()
    mem = optuna.create_study(directions=[DIRECTIONS[d] for d in opt.directions],
                              storage=optuna.storages.InMemoryStorage())
    mem.add_trials(completed)
    return mem


def next_batch(opt: Optimisation, study: Any) -> list[Asked]:
    """The trials of the next generation not yet told.

    The generation is asked in a study in memory that holds the completed generations only (trials 0..k*P-1,
    P the population), so it is the same generation whether none, some or all of its trials were told before
    a kill; the ones told already are left out."""
    optuna = optuna_quiet()
    dists = distributions(opt.space)
    complete = sorted(study.get_trials(deepcopy=False, states=[optuna.trial.TrialState.COMPLETE]),
                      key=lambda t: t.number)
    first = len(complete) // opt.population * opt.population
    mem = in_memory_copy(opt, complete[:first])
    batch = []
    for _ in range(opt.population):
        mem.sampler = sampler_for(opt, len(mem.trials))
        trial = mem.ask(fixed_distributions=dists)
        frozen = mem._storage.get_trial(trial._trial_id)  # noqa: SLF001 (the generation optuna assigned)
        batch.append(Asked(trial.number, dict(trial.params), generation_of(frozen), dict(frozen.system_attrs)))
    return batch[len(complete) - first:]


def tell(opt: Optimisation, study: Any, asked: Asked, values: list[float]) -> None:
    """Store a told trial in the study: one transaction, so a kill leaves it stored or not at all."""
    optuna = optuna_quiet()
    if len(study.trials) != asked.number:
        raise RuntimeError(f"the study {study.study_name} has {len(study.trials)} trials, expected {asked.number}")
    study.add_trial(optuna.trial.create_trial(params=asked.params, distributions=distributions(opt.space),
                                              values=values, system_attrs=asked.system_attrs))


@dataclass
class SearchOutcome:
    trials: int  # completed trials in the study
    generations: int
    runs_launched: int
    run_seconds: float
    wall_seconds: float


def run_search(opt: Optimisation, exp_dir: Path, evaluate_batch: Callable[[list[Asked]], list[list[float]]],
               log: Callable[[str], None]) -> SearchOutcome:
    """Run (or resume) the search until `opt.generations` generations are told."""
    optuna = optuna_quiet()
    start = time.perf_counter()
    study = open_study(opt, exp_dir)
    study.set_user_attr("population", opt.population)
    complete = optuna.trial.TrialState.COMPLETE
    told = len(study.get_trials(deepcopy=False, states=[complete]))
    if told:
        log(f"resuming {opt.name}: {told} trials told")
    while len(study.get_trials(deepcopy=False, states=[complete])) < opt.generations * opt.population:
        batch = next_batch(opt, study)
        values = evaluate_batch(batch)
        for asked, v in zip(batch, values, strict=True):
            tell(opt, study, asked, v)
        done = len(study.get_trials(deepcopy=False, states=[complete]))
        log(f"  generation {batch[0].generation}: {done} trials told")
    done = len(study.get_trials(deepcopy=False, states=[complete]))
    return SearchOutcome(done, done // opt.population, 0, 0.0, time.perf_counter() - start)


def trials(opt: Optimisation, exp_dir: Path) -> list[Asked]:
    """Every completed trial of the study, in trial order."""
    optuna = optuna_quiet()
    study = open_study(opt, exp_dir)
    done = study.get_trials(deepcopy=False, states=[optuna.trial.TrialState.COMPLETE])
    return [Asked(t.number, dict(t.params), generation_of(t)) for t in sorted(done, key=lambda t: t.number)]
