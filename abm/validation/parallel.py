"""Running many short docking runs: deterministic per-run seeds and a process pool with a progress bar
(its start method from the policy of abm.experiments.workers.start_method: forkserver on Linux, spawn elsewhere).

A run's seed depends only on (base seed, run index), never on the worker that runs it, so results are
identical whatever the number of workers (and runs pair across cells: common random numbers).
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import numpy as np

from abm.experiments.workers import die_with_parent, start_method

PRELOAD = ["abm.validation.march", "abm.validation.bass", "abm.validation.contagion"]
CHUNK = 25  # runs per task: tasks of tens of milliseconds keep process overhead small


def run_seeds(seed: int, runs: int) -> list[int]:
    """The model seed of each run index: a SeedSequence over (seed, index), stable across processes."""
    return [int(np.random.SeedSequence([seed, i]).generate_state(1, np.uint64)[0] >> np.uint64(1))
            for i in range(runs)]


def chunks(items: Sequence[Any], size: int = CHUNK) -> list[Sequence[Any]]:
    return [items[i:i + size] for i in range(0, len(items), size)]


class Runner:
    """Maps a picklable function over tasks, in this process (workers=1) or a process pool."""

    def __init__(self, workers: int | None = None, progress: bool = False) -> None:
        self.workers = max(1, workers if workers is not None else (os.cpu_count() or 1))
        self.progress = progress
        self._pool: ProcessPoolExecutor | None = None
        self.cpu_seconds = 0.0  # CPU time of the tasks run in worker processes

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # forkserver on Linux: forking a multi-threaded parent (pytest, Solara, BLAS) can deadlock; the
            # server imports the model once and workers fork from it, so start-up stays cheap. Elsewhere
            # (or with $ABM_START_METHOD=spawn) spawn: every task is a module-level function.
            method = start_method("forkserver")
            context = multiprocessing.get_context(method)
            if method == "forkserver":
                context.set_forkserver_preload(PRELOAD)
            parent = None if method == "forkserver" else os.getpid()  # a forkserver's workers are its children
            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=context,
                                             initializer=die_with_parent, initargs=(parent,))
        return self._pool

    def map(self, fn: Callable[..., Any], tasks: Iterable[tuple[Any, ...]], desc: str = "") -> list[Any]:
        """`[fn(*task) for task in tasks]`, in order, with a progress bar over tasks when asked."""
        from tqdm.auto import tqdm

        tasks = list(tasks)
        bar = tqdm(total=len(tasks), desc=desc, disable=not self.progress, leave=False, unit="task")
        try:
            if self.workers == 1 or len(tasks) == 1:
                out = []
                for task in tasks:
                    out.append(fn(*task))
                    bar.update()
                return out
            futures = [self.pool().submit(timed_call, fn, *task) for task in tasks]
            for f in futures:
                f.add_done_callback(lambda _: bar.update())
            timed = [f.result() for f in futures]
            self.cpu_seconds += sum(cpu for _, cpu in timed)
            return [out for out, _ in timed]
        finally:
            bar.close()


def timed_call(fn: Callable[..., Any], *args: Any) -> tuple[Any, float]:
    """(fn(*args), CPU seconds it took in this process)."""
    start = time.process_time()
    out = fn(*args)
    return out, time.process_time() - start


def serial() -> Runner:
    return Runner(workers=1)
