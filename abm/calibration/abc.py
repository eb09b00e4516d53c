"""ABC-SMC with pyabc (Toni et al. 2009; Klinger, Rickert & Hasenauer 2018) on the pattern targets.

The model pyabc sees maps a parameter vector to the seed-mean of each target quantity over
`seeds_per_particle` runs per pattern scenario, their seeds drawn fresh for every particle (the seed is a
nuisance: the posterior integrates over it). The distance is abm.analysis.targets.distance: 0 when every
quantity is inside its range, so ABC-SMC with a shrinking epsilon ends, if the model can produce the
patterns, in the posterior of the pattern-oriented filter (Hartig et al. 2011): the prior restricted to
parameters whose seed-mean quantities are all inside their ranges. Epsilon: infinity at generation 0 (the
prior sample) and then the `alpha`-quantile of the last generation's weighted distances. Transitions:
pyabc's multivariate normal kernel (Silverman/Scott bandwidth), priors uniform on the file's ranges.

The database (`<root>/<name>/abc.db`, SQLite) holds every finished generation; pyabc writes a generation in
one transaction at its end, so a kill leaves the last finished one. `run_abc` resumes from it; the
unfinished generation's evaluations repeat from their seeds and find their runs in the store.
"""

from __future__ import annotations

import logging
import math
import sqlite3
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from abm.analysis.targets import distance
from abm.calibration.runs import Particle, per_seed, seed_mean
from abm.calibration.sampler import LauncherSampler, Pending
from abm.calibration.spec import Calibration
from abm.errors import UserError
from abm.experiments.executors import Job

DB_FILE = "abc.db"
SEED_MAX = 2**31 - 1


def par_name(key: str) -> str:
    """pyabc's name of a parameter (dots are not safe in its database's columns)."""
    return key.replace(".", "__")


def key_of(name: str) -> str:
    return name.replace("__", ".")


class PatternModel:
    """The callable pyabc simulates: parameters -> seed-mean target quantities (see the module docstring)."""

    def __init__(self, cal: Calibration, exp_dir: Path) -> None:
        self.cal, self.exp_dir = cal, exp_dir
        self.collecting = False
        self.per_seed: dict[tuple[tuple[float, ...], tuple[int, ...]], list[dict[str, float]]] = {}

    def particle(self, pars: Any) -> Particle:
        values = {key: float(pars[par_name(key)]) for key in self.cal.params}
        seeds = np.random.randint(0, SEED_MAX, size=self.cal.seeds_per_particle)
        return Particle(self.cal, values, [int(s) for s in seeds])

    def __call__(self, pars: Any) -> dict[str, float]:
        particle = self.particle(pars)
        if self.collecting:
            raise Pending(list(particle.jobs.values()))
        rows = per_seed(self.cal, particle, self.exp_dir)
        return seed_mean(rows)


def resumable_quantile_epsilon(alpha: float) -> Any:
    """A pyabc QuantileEpsilon that starts at infinity (generation 0 accepts the prior sample, no calibration
    sample is drawn) and, resumed at generation t > 0, takes the quantile of generation t-1 from the
    database, the value an uninterrupted run would have computed."""
    from pyabc.epsilon import QuantileEpsilon

    class ResumableQuantileEpsilon(QuantileEpsilon):
        def requires_calibration(self) -> bool:
            return False

        def initialize(self, t: int, get_weighted_distances: Callable[[], pd.DataFrame],
                       get_all_records: Callable[[], list[dict]], max_nr_populations: int,
                       acceptor_config: dict) -> None:
            if t > 0:
                self._update(t, get_weighted_distances())

    return ResumableQuantileEpsilon(initial_epsilon=math.inf, alpha=alpha, weighted=True)


def quiet_pyabc() -> None:
    for name in ("ABC", "pyabc", "History", "Epsilon", "Distance", "Acceptor", "Sampler", "Transition"):
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.getLogger("ABC.History").setLevel(logging.WARNING)


def check_database(path: Path) -> None:
    """Refuse (one line naming the path) a database that is not a readable pyabc database."""
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            tables = {r[0] for r in conn.execute("select name from sqlite_master where type='table'")}
            conn.execute("pragma integrity_check").fetchone()
    except sqlite3.Error as exc:
        raise UserError(f"the calibration database {path} is corrupt ({exc}): move it aside (or use --force-new) "
                        "to start again; it is never restarted silently") from None
    if tables and not {"abc_smc", "populations", "particles"} <= tables:
        raise UserError(f"the calibration database {path} is not a pyabc database (tables: "
                        f"{', '.join(sorted(tables))}): move it aside or use --force-new")


@dataclass
class AbcOutcome:
    generations: int
    particles_evaluated: int
    runs_launched: int
    run_seconds: float
    reason: str
    wall_seconds: float = 0.0  # this invocation's ABC-SMC, from start to the last generation's end


def _history_state(db: Path) -> tuple[int, float, int]:
    """(finished generations, the last one's epsilon, particles evaluated) from the database."""
    from pyabc import History

    history = History(f"sqlite:///{db}")
    if history.n_populations == 0:  # an analysis created but no generation finished
        return 0, math.inf, 0
    pops = history.get_all_populations()
    pops = pops[pops["t"] >= 0]
    last = pops.iloc[-1]
    return int(last["t"]) + 1, float(last["epsilon"]), int(pops["samples"].sum())


def finished(cal: Calibration, db: Path) -> str | None:
    """Why the stored calibration is complete, or None if it should go on."""
    if not db.exists():
        return None
    done, eps, evaluated = _history_state(db)
    if done >= cal.generations:
        return f"{done} generations (the file's limit)"
    if done and eps <= cal.min_epsilon:
        return f"epsilon {eps:.4g} <= min_epsilon {cal.min_epsilon:g}"
    if evaluated >= cal.max_simulations:
        return f"{evaluated} particles evaluated (max_simulations {cal.max_simulations})"
    return None


def run_abc(cal: Calibration, exp_dir: Path, run_batch: Callable[[list[Job]], int],
            log: Callable[[str], None], min_batch: int = 1) -> AbcOutcome:
    """Run (or resume) ABC-SMC until a stopping rule of the file holds; the database holds the result."""
    import time

    import pyabc

    start = time.perf_counter()
    quiet_pyabc()
    db = exp_dir / DB_FILE
    model = PatternModel(cal, exp_dir)
    sampler = LauncherSampler(model, run_batch, cal.seed, log, min_batch)
    prior = pyabc.Distribution(**{par_name(k): pyabc.RV("uniform", lo, hi - lo) for k, (lo, hi) in cal.params.items()})
    targets = cal.targets

    def pattern_distance(x: dict[str, float], x_0: dict[str, float]) -> float:
        return distance(x, targets)

    abc = pyabc.ABCSMC(model, prior, pattern_distance, population_size=cal.population, sampler=sampler,
                       eps=resumable_quantile_epsilon(cal.alpha))
    observed = {t.key: t.low for t in targets}  # recorded in the database; the distance reads the ranges
    url = f"sqlite:///{db}"
    resumed = db.exists() and _history_state(db)[0] > 0
    if resumed:
        abc.load(url, 1)
    else:
        db.unlink(missing_ok=True)  # an analysis that never finished a generation: begin it again
        abc.new(url, observed)
    done, _eps, evaluated = _history_state(db) if resumed else (0, math.inf, 0)
    if resumed:
        pops = abc.history.get_all_populations()
        sampler.rate = float(pops.iloc[-1]["particles"] / max(pops.iloc[-1]["samples"], 1)) \
            if "particles" in pops else 0.5
        log(f"resuming {cal.name} after generation {done - 1} ({evaluated} particles evaluated)")
    reason = finished(cal, db) if resumed else None
    if reason is None:
        warnings.filterwarnings("ignore", message="invalid value encountered in scalar subtract",
                                category=RuntimeWarning)  # pyabc compares inf - inf epsilons after generation 0
        abc.run(minimum_epsilon=cal.min_epsilon, max_nr_populations=cal.generations - done,
                max_total_nr_simulations=cal.max_simulations)
        reason = finished(cal, db) or "pyabc stopped (a generation could not be completed within the budget)"
    done, _eps, evaluated = _history_state(db)
    return AbcOutcome(done, evaluated, sampler.runs_launched, sampler.run_seconds, reason,
                      time.perf_counter() - start)


def posterior_table(db: Path, cal: Calibration) -> pd.DataFrame:
    """The last generation: one row per particle, a column per parameter (dotted keys), its weight, its
    distance and its seed-mean quantities (columns `P1.weeks_first_to_80`, ...)."""
    from pyabc import History

    history = History(f"sqlite:///{db}")
    t = history.max_t
    population = history.get_population(t=t)
    rows = []
    for p in population.particles:
        row: dict[str, Any] = {key: float(p.parameter[par_name(key)]) for key in cal.params}
        row["weight"] = float(p.weight)
        row["distance"] = float(p.distance)
        row["generation"] = int(t)
        for key, value in (p.sum_stat or {}).items():
            row[f"stat:{key}"] = float(value)
        rows.append(row)
    df = pd.DataFrame(rows)
    df["weight"] = df["weight"] / df["weight"].sum()
    return df


def generations_table(db: Path) -> pd.DataFrame:
    """Per generation: epsilon, particles evaluated, acceptance rate."""
    from pyabc import History

    pops = History(f"sqlite:///{db}").get_all_populations()
    pops = pops[pops["t"] >= 0].copy()
    out = pd.DataFrame({"generation": pops["t"].astype(int), "epsilon": pops["epsilon"].astype(float),
                        "particles_evaluated": pops["samples"].astype(int)})
    return out.reset_index(drop=True)
