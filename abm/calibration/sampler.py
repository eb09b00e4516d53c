"""pyabc's sampler fed by this project's launchers, deterministic whatever runs the simulations.

pyabc hands a sampler `simulate_one`, a closure that draws a parameter vector (from the prior, or from the
last generation perturbed by the transition kernel: numpy's global generator), simulates, computes the
distance and decides acceptance. Here evaluation `i` of generation `t` first reseeds numpy from
(calibration seed, t, i), so its draws are a function of those three numbers only. Each batch of
evaluations is then done in two passes:

1. *collect*: every evaluation runs up to the model, which records the particle's runs and raises `Pending`
   instead of simulating;
2. the batch's runs go to one executor (local worker processes or a SLURM array job: abm.experiments.
   executors), which publishes each run atomically into the results store;
3. *evaluate*: every evaluation is replayed from the same seed (the same parameters and run seeds), the model
   now reads its runs from the store, and pyabc computes distance and acceptance.

Evaluations are taken in index order until `n` are accepted; later ones of the last batch are dropped (their
runs stay stored). Batch sizes (from the acceptance rate so far, at least `min_batch`) change only how many
runs are wasted, never which evaluations are kept. The sample is therefore the one a single-core sampler
with the same seeding would return, for any batch size, number of workers or launcher, and a calibration
resumed after a kill repeats the same evaluations, finding their runs in the store.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from pyabc.sampler import Sampler

from abm.experiments.executors import Job

MIN_RATE = 0.02  # the smallest acceptance rate a batch is sized for
MAX_BATCH_FACTOR = 10  # a batch is at most this many times the population


class Pending(Exception):  # noqa: N818 (a signal, not an error)
    """Raised by the model in the collect pass: the runs this evaluation needs."""

    def __init__(self, jobs: list[Job]) -> None:
        super().__init__(f"{len(jobs)} runs pending")
        self.jobs = jobs


def evaluation_seed(seed: int, t: int, i: int) -> int:
    """The numpy seed of evaluation `i` of generation `t` (t = -1: a calibration sample from the prior)."""
    return int(np.random.SeedSequence([seed, t + 1, i]).generate_state(1)[0])


class LauncherSampler(Sampler):
    """Evaluates batches of particles through `run_batch(jobs)` (which runs them into the store).

    `model.collecting` switches the model between the two passes. `log` gets one line per batch."""

    def __init__(self, model: Any, run_batch: Callable[[list[Job]], int], seed: int,
                 log: Callable[[str], None] | None = None, min_batch: int = 1) -> None:
        super().__init__()
        self.min_batch = max(1, min_batch)  # particles: fewer would leave workers idle at a generation's end
        self.model = model
        self.run_batch = run_batch
        self.seed = seed
        self.rate = 1.0  # the last generation's acceptance rate: sizes the next batches
        self.log = log or (lambda line: print(line, file=sys.stderr, flush=True))
        self.runs_launched = 0
        self.batches = 0
        self.run_seconds = 0.0

    def _call(self, simulate_one: Callable[[], Any], t: int, i: int) -> Any:
        np.random.seed(evaluation_seed(self.seed, t, i))
        return simulate_one()

    def sample_until_n_accepted(self, n: int, simulate_one: Callable[[], Any], t: int, *,
                                max_eval: float = np.inf, all_accepted: bool = False,
                                ana_vars: Any = None) -> Any:
        """The first `n` accepted evaluations in index order (generation 0 accepts all: epsilon is infinite)."""
        sample = self._create_empty_sample()
        done = accepted = 0
        while accepted < n and done < max_eval:
            need = n - accepted
            rate = accepted / done if accepted >= 5 else self.rate  # this generation's, once it says something
            size = need if all_accepted or t == 0 else max(math.ceil(need / max(rate, MIN_RATE)), self.min_batch)
            size = int(min(size, MAX_BATCH_FACTOR * n, max_eval - done))
            ids = range(done, done + size)
            jobs: list[Job] = []
            self.model.collecting = True
            try:
                for i in ids:
                    try:
                        self._call(simulate_one, t, i)
                    except Pending as pending:
                        jobs.extend(pending.jobs)
            finally:
                self.model.collecting = False
            start = time.perf_counter()
            launched = self.run_batch(jobs)
            seconds = time.perf_counter() - start
            self.run_seconds += seconds
            self.runs_launched += launched
            self.batches += 1
            last = done + size
            for i in ids:
                particle = self._call(simulate_one, t, i)
                sample.append(particle)
                accepted += bool(particle.accepted)
                if accepted >= n:
                    last = i + 1
                    break
            done = last
            speed = f", {launched / seconds:.2f} runs/s" if launched and seconds > 0 else ""
            self.log(f"  generation {t}: {accepted} of {n} accepted after {done} particles "
                     f"({launched} runs launched{speed}, {len(jobs) - launched} found in the store)")
        self.nr_evaluations_ = done
        if accepted < n:
            sample.ok = False
        elif not all_accepted:
            self.rate = accepted / done
        return sample
