"""Where the runs of a sweep execute: one interface, three executors.

Each executor takes the pending runs as a list of jobs `(resolved_config, overrides)` (composed, resolved
and seeded by the planner, so no worker composes anything with Hydra) and the store folder, runs
`abm.experiments.task.execute_resolved` for each job somewhere, and returns when every job has ended, or
raises. Each run is published atomically on its own, so whatever an executor dies of, the runs it finished
stay stored and the next `abm experiment` runs only the rest.

- `Local`: this process (one worker) or a pool of worker processes on this machine (fork on Linux, spawn
  elsewhere: abm.experiments.workers).
- `Slurm`: chunks of runs sized to a target duration per task (`task_minutes`), one SLURM array job
  through submitit; each task runs its chunk one run at a time in one Python process (the model is
  imported and its kernels loaded once per task, not once per run).
- `Mpi`: an `mpi4py.futures.MPIPoolExecutor` over the worker ranks of
  `mpiexec -n N python -m mpi4py.futures -m abm.cli experiment NAME --launcher mpi`.
"""

from __future__ import annotations

import math
import os
import shutil
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from abm.errors import UserError
from abm.experiments.task import execute_resolved

Job = tuple[dict[str, Any], list[str]]  # (resolved config with its seed, the run's overrides without seed)

MPI_COMMAND = "mpiexec -n N python -m mpi4py.futures -m abm.cli experiment NAME --launcher mpi [...]"
TASK_MINUTES = 5.0  # default target duration of one SLURM task (its runs one after another)
# Estimated seconds per run: SECONDS_PER_STAFF_WEEK x staff x weeks + RUN_OVERHEAD_S (measured with
# benchmarks/cluster.py on the 2-core development machine; only chunk sizes depend on it).
SECONDS_PER_STAFF_WEEK = 1.0e-5
RUN_OVERHEAD_S = 0.05


class Executor(Protocol):
    def run(self, jobs: list[Job], exp_dir: Path, experiment: str, started: Callable[[], None]) -> None:
        """Run every job into the store at `exp_dir`; call `started()` once the work is under way."""


class Cancelled(BaseException):
    """SIGTERM in a SLURM task (scancel, preemption): ends the run in flight (its temporary folder removed);
    also raised by a cancellable Local executor once it is cancelled (the app's "Cancel")."""


def _cancel(signum: int, frame: Any) -> None:
    raise Cancelled(f"signal {signum}")


def run_chunk(jobs: Sequence[Job], exp_dir: str, experiment: str) -> dict[str, int]:
    """A batch of runs, one after another, in one process (a SLURM task): counts of ok, failed, skipped.

    SIGTERM stops the task at once (submitit would ignore it until SLURM's SIGKILL, KillWait seconds later):
    the finished runs stay stored, the one in flight leaves nothing, and the next sweep runs the rest."""
    import signal

    previous = signal.signal(signal.SIGTERM, _cancel)
    counts = {"ok": 0, "failed": 0, "skipped": 0}
    try:
        for resolved, overrides in jobs:
            counts[execute_resolved(resolved, Path(exp_dir), experiment, overrides)] += 1
    finally:
        signal.signal(signal.SIGTERM, previous)
    return counts


FORKSERVER_PRELOAD = ["abm.experiments.preload"]  # imported once by a forkserver: its workers start with the kernels
CANCEL_POLL_S = 0.2  # how often a cancellable pool asks whether it was cancelled


@dataclass
class Local:
    """This process (workers=1) or a pool of `workers` local processes started with `start_method`
    (None: the policy of abm.experiments.workers.start_method).

    `cancelled`, when given, is asked between runs (a pool: every CANCEL_POLL_S seconds); once it answers
    True the workers are killed and Cancelled is raised: the finished runs stay stored, a run cut short
    leaves only a hidden temporary folder (removed by the next launch), and the next launch runs the rest."""

    workers: int = 1
    start_method: str | None = None
    cancelled: Callable[[], bool] | None = None

    def _stop_if_cancelled(self) -> None:
        if self.cancelled is not None and self.cancelled():
            raise Cancelled("cancelled")

    def run(self, jobs: list[Job], exp_dir: Path, experiment: str, started: Callable[[], None]) -> None:
        from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

        from abm.experiments import workers as w
        from abm.store.guard import held_lock_fds

        if self.workers == 1 or len(jobs) == 1:
            started()
            for resolved, overrides in jobs:
                self._stop_if_cancelled()
                execute_resolved(resolved, exp_dir, experiment, overrides)
            return
        method = w.start_method("fork", self.start_method)
        inherited = held_lock_fds() if method == "fork" else ()  # spawned workers inherit no descriptor
        context = w.mp_context(method)
        if method == "forkserver":
            context.set_forkserver_preload(FORKSERVER_PRELOAD)
        parent = None if method == "forkserver" else os.getpid()  # a forkserver's workers are its children
        pool = ProcessPoolExecutor(max_workers=min(self.workers, len(jobs)), mp_context=context,
                                   initializer=w.worker_init, initargs=(parent, inherited))
        try:
            futures = {pool.submit(execute_resolved, r, exp_dir, experiment, o) for r, o in jobs}
            started()  # after the pool exists: no thread of ours runs while a worker forks from this process
            poll = CANCEL_POLL_S if self.cancelled is not None else None
            while futures:
                done, futures = wait(futures, timeout=poll, return_when=FIRST_COMPLETED)
                for future in done:
                    future.result()
                self._stop_if_cancelled()
        except BaseException:  # Ctrl-C, cancelled, or the pool broke: stop every worker now, not after the rest
            w.kill_workers(pool)
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        pool.shutdown(wait=True)


def estimated_seconds(resolved: dict[str, Any]) -> float:
    """A run's expected duration from its size: staff x weeks (only used to size SLURM chunks)."""
    staff = int((resolved.get("organisation") or {}).get("n_staff", 600))
    return SECONDS_PER_STAFF_WEEK * staff * int(resolved.get("weeks", 260)) + RUN_OVERHEAD_S


def pack(jobs: list[Job], task_seconds: float, runs_per_task: int | None = None) -> list[list[Job]]:
    """Consecutive jobs in chunks of about `task_seconds` of estimated work each (or exactly
    `runs_per_task` runs), evened out so that chunks differ by at most one run."""
    if not jobs:
        return []
    if runs_per_task is None:
        per_run = sum(estimated_seconds(r) for r, _ in jobs) / len(jobs)
        runs_per_task = max(1, int(task_seconds // per_run))
    n_chunks = math.ceil(len(jobs) / runs_per_task)
    base, extra = divmod(len(jobs), n_chunks)
    out, start = [], 0
    for i in range(n_chunks):
        size = base + (i < extra)
        out.append(jobs[start:start + size])
        start += size
    return out


@dataclass
class Slurm:
    """One SLURM array job through submitit; every array task runs a chunk of runs.

    `settings` are the experiment file's `launcher:` keys (with command-line `hydra.launcher.*` overrides
    applied): task_minutes, runs_per_task, time_min, partition, account, qos, mem_gb, cpus_per_task,
    array_parallelism."""

    settings: dict[str, Any] = field(default_factory=dict)
    jobs_submitted: list[Any] = field(default_factory=list, repr=False)  # submitit Job objects (tests read them)

    def check(self) -> None:
        if shutil.which("sbatch") is None:
            raise UserError("--launcher slurm needs SLURM's `sbatch` on PATH (run it on a cluster's login node)")

    def chunks(self, jobs: list[Job]) -> list[list[Job]]:
        s = self.settings
        task_minutes = float(s.get("task_minutes", TASK_MINUTES))
        if s.get("time_min") is not None:  # a task must fit its time limit with room to spare
            task_minutes = min(task_minutes, int(s["time_min"]) / 2)
        return pack(jobs, task_minutes * 60, s.get("runs_per_task"))

    def run(self, jobs: list[Job], exp_dir: Path, experiment: str, started: Callable[[], None]) -> None:
        import submitit

        self.check()
        chunks = self.chunks(jobs)
        s = self.settings
        longest = max(sum(estimated_seconds(r) for r, _ in c) for c in chunks) / 60
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        executor = submitit.AutoExecutor(folder=exp_dir.resolve() / ".slurm" / stamp / "%j", cluster="slurm")
        params: dict[str, Any] = {
            "name": f"abm_{experiment}", "timeout_min": int(s.get("time_min") or max(60, math.ceil(3 * longest))),
            "cpus_per_task": int(s.get("cpus_per_task", 1)),
            "slurm_array_parallelism": int(s.get("array_parallelism", 256))}
        for key in ("partition", "qos", "account"):
            if s.get(key) is not None:
                params[f"slurm_{key}"] = str(s[key])
        if s.get("mem_gb") is not None:
            params["mem_gb"] = s["mem_gb"]
        executor.update_parameters(**params)
        n = len(chunks)
        try:
            submitted = executor.map_array(run_chunk, chunks, [str(exp_dir.resolve())] * n, [experiment] * n)
        except Exception as exc:  # sbatch refused (unknown partition, account, ...): one line
            raise UserError(f"sbatch refused the array job: {' '.join(str(exc).split())[:300]}") from None
        self.jobs_submitted = list(submitted)
        print(f"abm: {len(jobs)} runs in {n} SLURM array tasks (job {submitted[0].job_id.split('_')[0]}; "
              f"logs in {exp_dir / '.slurm' / stamp})", file=sys.stderr, flush=True)
        started()
        errors = []
        try:
            for job in submitted:
                try:
                    job.result()
                except Exception as exc:  # a task killed, cancelled or out of time: its finished runs stay
                    errors.append(f"task {job.job_id}: {type(exc).__name__}: {' '.join(str(exc).split())[:160]}")
        except BaseException:  # Ctrl-C: cancel the array job (its finished runs stay stored)
            for job in submitted:
                job.cancel(check=False)
            raise
        if errors:
            raise RuntimeError(f"{len(errors)} of {n} SLURM tasks did not finish: {errors[0]}")


def in_mpi_futures() -> bool:
    """Whether this is rank 0 of `mpiexec ... python -m mpi4py.futures -m abm.cli ...` (mpi4py.futures then
    holds the shared pool of the other ranks)."""
    core = sys.modules.get("mpi4py.futures._core")
    return core is not None and getattr(core, "SharedPool", None) is not None


@dataclass
class Mpi:
    """The worker ranks of `python -m mpi4py.futures` under mpiexec (this process is rank 0)."""

    chunk: int | None = None  # runs per message to a worker (None: a few per worker, at most 25)

    def check(self) -> int:
        """The number of worker ranks; one line (UserError) if not started the documented way."""
        try:
            from mpi4py import MPI
        except ImportError:
            raise UserError("--launcher mpi needs mpi4py: install the `mpi` extra (uv sync --extra mpi, or pip "
                            "install 'ehealth-abm[mpi]') and an MPI library") from None
        size = MPI.COMM_WORLD.Get_size()
        if not in_mpi_futures() or size < 2:
            raise UserError(f"--launcher mpi runs under mpiexec with at least 2 processes: {MPI_COMMAND}")
        return size - 1

    def run(self, jobs: list[Job], exp_dir: Path, experiment: str, started: Callable[[], None]) -> None:
        from mpi4py.futures import MPIPoolExecutor

        workers = self.check()
        chunk = self.chunk or max(1, min(25, len(jobs) // (4 * workers)))
        n = len(jobs)
        with MPIPoolExecutor(main=False) as pool:  # workers must not import (and run) `abm.cli` as __main__
            started()
            results = pool.map(execute_resolved, [r for r, _ in jobs], [exp_dir] * n, [experiment] * n,
                               [o for _, o in jobs], chunksize=chunk, unordered=True)
            for _ in results:
                pass


def make_executor(launcher: str, workers: int, settings: dict[str, Any], start_method: str | None,
                  cancelled: Callable[[], bool] | None = None) -> Executor:
    """The executor of `--launcher` (local, joblib, slurm, mpi), checked before anything is written;
    `cancelled` (local only) is asked between runs (Local)."""
    if launcher in ("local", "joblib"):
        if launcher == "joblib":
            print("abm: note: --launcher joblib runs the local worker processes (the same runs and tables; "
                  "Hydra's joblib launcher is no longer used by abm experiment)", file=sys.stderr, flush=True)
        if workers > 1:
            from abm.experiments.workers import start_method as policy

            policy("fork", start_method)  # a bad --start-method or $ABM_START_METHOD: one line, before any write
        return Local(workers, start_method, cancelled)
    if launcher == "slurm":
        executor = Slurm(dict(settings))
        executor.check()
        return executor
    if launcher == "mpi":
        mpi = Mpi()
        mpi.check()
        return mpi
    raise UserError(f"--launcher {launcher!r} is not known: one of local, joblib, slurm, mpi")
