"""From a validated plan to finished runs in the store: the experiment lock, the launchers and the
progress monitor.

`local` runs the missing runs in a pool of forked worker processes (one in-process loop for one worker);
`joblib` and `slurm` hand them to Hydra's joblib or submitit launcher (Hydra composes each job again
there). Only runs missing from the store (or failed or corrupt) are launched, so re-running resumes. A
thread watches the store and drives the progress bar (runs done, failures, time left).

A sweep must always be resumable, however it ends. The lock (abm.store.guard.experiment_lock) is held by
the main process only: each forked worker replaces its inherited copy of the descriptor first thing
(`_worker_init`), so a worker can never keep the lock alive. Workers die with the main process
(PR_SET_PDEATHSIG on Linux, and a thread that watches the parent pid everywhere), so `kill -9` of the
main process stops the whole sweep.
Ctrl-C kills the workers at once and says how many runs are kept (exit status 130).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from abm.config.hydra_bridge import instantiate_launcher
from abm.errors import UserError
from abm.experiments.spec import Configuration, Spec
from abm.experiments.task import RunTask, execute_resolved
from abm.store.files import FAILED_FILE, write_text
from abm.store.guard import (
    check_writable,
    experiment_lock,
    held_lock_fds,
    holds_a_store,
    move_aside,
    refuse_other_plan,
)
from abm.store.layout import SPEC_FILE, inspect_run, run_dir, run_status
from abm.store.publish import clean_partial

LAUNCHERS = ("local", "joblib", "slurm")


class Outcome:
    """What the store holds for the planned runs after a launch."""

    def __init__(self, spec: Spec, exp_dir: Path, configs: list[Configuration], skipped: int, wall: float,
                 error: str | None, corrupt: Sequence[str] = (), replaced: Path | None = None) -> None:
        self.spec, self.exp_dir, self.skipped, self.wall, self.error = spec, exp_dir, skipped, wall, error
        self.corrupt, self.replaced = list(corrupt), replaced  # corrupt runs found (and redone); old store
        self.status = {(c.config_hash, s): run_status(run_dir(exp_dir, c.config_hash, s))
                       for c in configs for s in spec.seeds}

    @property
    def failed(self) -> list[tuple[str, int]]:
        return [k for k, v in self.status.items() if v == "failed"]

    @property
    def complete(self) -> bool:
        return all(v == "ok" for v in self.status.values()) and self.error is None

    def summary(self) -> str:
        n = len(self.status)
        ok = sum(v == "ok" for v in self.status.values())
        missing = sum(v is None for v in self.status.values())
        corrupt = sum(v == "corrupt" for v in self.status.values())
        lines = [f"{self.spec.name}: {n} runs: {ok} ok, {len(self.failed)} failed, {missing} missing"
                 f"{f', {corrupt} corrupt' if corrupt else ''} "
                 f"({self.skipped} already done before) in {self.wall:.1f} s -> {self.exp_dir}"]
        if self.replaced:
            lines.append(f"  the previous store was moved aside to {self.replaced}")
        for problem in self.corrupt[:5]:
            lines.append(f"  corrupt run redone: {problem}")
        if len(self.corrupt) > 5:
            lines.append(f"  ... and {len(self.corrupt) - 5} more corrupt runs redone")
        for h, s in self.failed[:5]:
            lines.append(f"  failed: {run_dir(self.exp_dir, h, s) / FAILED_FILE}: {first_error(h, s, self)}")
        if len(self.failed) > 5:
            lines.append(f"  ... and {len(self.failed) - 5} more failed runs")
        if self.error:
            lines.append(f"  launcher error: {self.error}")
        if not self.complete:
            lines.append("  re-run the same command to retry the failed and missing runs")
        return "\n".join(lines)


def first_error(h: str, seed: int, outcome: Outcome) -> str:
    try:
        data = json.loads((run_dir(outcome.exp_dir, h, seed) / FAILED_FILE).read_text(encoding="utf-8"))
        return str(data.get("error", ""))[:200]
    except (OSError, ValueError):
        return "(unreadable failed.json)"


def write_spec(spec: Spec, configs: list[Configuration], exp_dir: Path) -> None:
    data = spec.as_dict()
    data["configurations"] = [{"config_hash": c.config_hash, "overrides": c.overrides, "values": c.values}
                              for c in configs]
    data["written"] = datetime.now(UTC).isoformat(timespec="seconds")
    write_text(exp_dir / SPEC_FILE, yaml.safe_dump(data, sort_keys=False))


def run_experiment(spec: Spec, configs: list[Configuration], root: Path, workers: int = 1,
                   launcher: str = "local", hydra_overrides: Sequence[str] = (), progress: bool = True,
                   force_new: bool = False) -> Outcome:
    """Launch every planned run not yet finished; return what the store holds afterwards.

    Refused (UserError, nothing written) if the store cannot be written, is locked by a running sweep, or
    holds another plan (unless `force_new`: then the old store is moved aside to `<name>.replaced-<time>`)."""
    exp_dir = root / spec.name
    plan = {c.config_hash: c.overrides for c in configs}
    check_writable(exp_dir)
    if not force_new:
        refuse_other_plan(exp_dir, plan, spec.seeds)  # read-only, before the lock file is created
    replaced = None
    try:
        if force_new and holds_a_store(exp_dir):
            with experiment_lock(exp_dir):  # not while another sweep writes into it
                replaced = move_aside(exp_dir)
        exp_dir.mkdir(parents=True, exist_ok=True)
        with experiment_lock(exp_dir):
            refuse_other_plan(exp_dir, plan, spec.seeds)  # again, now that no other sweep can write it
            outcome = _run_locked(spec, configs, exp_dir, workers, launcher, hydra_overrides, progress)
    except KeyboardInterrupt:
        ok = sum(run_status(run_dir(exp_dir, c.config_hash, s), checksums=False) == "ok"
                 for c in configs for s in spec.seeds)
        print(f"abm: interrupted: {ok} of {len(configs) * len(spec.seeds)} runs are kept in {exp_dir}; "
              "re-run the same command to resume", file=sys.stderr, flush=True)
        raise
    outcome.replaced = replaced
    return outcome


def _run_locked(spec: Spec, configs: list[Configuration], exp_dir: Path, workers: int, launcher: str,
                hydra_overrides: Sequence[str], progress: bool) -> Outcome:
    clean_partial(exp_dir)
    write_spec(spec, configs, exp_dir)
    checks = {(c.config_hash, s): inspect_run(run_dir(exp_dir, c.config_hash, s)) for s in spec.seeds for c in configs}
    pending = [(c, s) for s in spec.seeds for c in configs  # seed-major: partial results stay balanced
               if checks[c.config_hash, s].status != "ok"]
    corrupt = [str(r.problem) for r in checks.values() if r.status == "corrupt"]
    total = len(configs) * len(spec.seeds)
    start, error = time.perf_counter(), None
    if pending:
        monitor = Monitor(exp_dir, pending, total, enabled=progress)
        try:
            if launcher == "local":
                launch_local(pending, exp_dir, spec.name, workers, monitor)
            else:
                monitor.start()
                jobs = [[*c.overrides, f"seed={s}"] for c, s in pending]
                launch_hydra(jobs, RunTask(str(exp_dir.resolve()), spec.name), exp_dir, workers, launcher,
                             spec.launcher, list(hydra_overrides))
        except UserError:
            raise
        except Exception as exc:  # a crashed worker or scheduler error: report it, keep what finished
            error = f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}"
        finally:
            monitor.stop()
    return Outcome(spec, exp_dir, configs, total - len(pending), time.perf_counter() - start, error, corrupt)


def launch_local(pending: list[tuple[Configuration, int]], exp_dir: Path, experiment: str, workers: int,
                 monitor: Monitor) -> None:
    """Run in this process (1 worker) or in forked processes that inherit the imported model (no start-up)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    jobs = [({**c.resolved, "seed": s}, c.overrides) for c, s in pending]
    if workers == 1 or len(jobs) == 1:
        monitor.start()
        for resolved, overrides in jobs:
            execute_resolved(resolved, exp_dir, experiment, overrides)
        return
    context = multiprocessing.get_context("fork")  # before any thread of ours starts
    pool = ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=context, initializer=_worker_init,
                               initargs=(os.getpid(), held_lock_fds()))
    try:
        futures = [pool.submit(execute_resolved, r, exp_dir, experiment, o) for r, o in jobs]
        monitor.start()
        for future in as_completed(futures):
            future.result()
    except BaseException:  # Ctrl-C, or the pool broke: stop every worker now, not after the queued runs
        _kill_workers(pool)
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def _kill_workers(pool: Any) -> None:
    """SIGKILL the pool's processes (a run cut short leaves only a hidden temporary folder)."""
    procs = list((getattr(pool, "_processes", None) or {}).values())
    for proc in procs:
        with contextlib.suppress(OSError, ValueError):
            proc.kill()
    for proc in procs:
        with contextlib.suppress(OSError, ValueError, AssertionError):
            proc.join(timeout=2)


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _worker_init(parent: int, lock_fds: tuple[int, ...]) -> None:
    """First thing in each forked worker: drop the experiment lock, leave Ctrl-C to the parent, die with it.

    The inherited lock descriptor is pointed at /dev/null (dup2: the number stays valid, so nothing closes
    an unrelated file later), so the lock's open file description lives in the main process only."""
    devnull = os.open(os.devnull, os.O_RDONLY)
    for fd in lock_fds:
        os.dup2(devnull, fd, inheritable=False)
    os.close(devnull)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True, name="abm-parent-watch").start()


def _exit_with_parent(parent: int) -> None:
    """Where PR_SET_PDEATHSIG is missing (or the parent was replaced): poll the parent pid and exit when it
    changes (the worker was orphaned)."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def launcher_overrides(exp_dir: Path, workers: int, launcher: str, settings: dict[str, Any]) -> tuple[list[str], Path]:
    """Hydra overrides selecting and configuring the launcher, and the sweep folder it may write into."""
    common = ["hydra.output_subdir=null", "hydra/job_logging=none", "hydra/hydra_logging=none",
              "hydra.job.chdir=false"]
    if launcher == "joblib":
        sweep_dir = Path(tempfile.mkdtemp(prefix="abm-sweep-"))
        return [*common, "hydra/launcher=joblib", f"hydra.launcher.n_jobs={workers}",
                f"hydra.sweep.dir={sweep_dir}"], sweep_dir
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    sweep_dir = (exp_dir / ".slurm" / stamp).resolve()
    out = [*common, "hydra/launcher=submitit_slurm", f"hydra.sweep.dir={sweep_dir}",
           f"hydra.launcher.timeout_min={int(settings.get('time_min', 60))}",
           f"hydra.launcher.cpus_per_task={int(settings.get('cpus_per_task', 1))}",
           f"hydra.launcher.array_parallelism={int(settings.get('array_parallelism', 256))}",
           f"hydra.launcher.name=abm_{exp_dir.name}"]
    for key in ("partition", "qos", "account", "mem_gb"):
        if settings.get(key) is not None:
            out.append(f"hydra.launcher.{key}={settings[key]}")
    return out, sweep_dir


def launch_hydra(jobs: list[list[str]], task: RunTask, exp_dir: Path, workers: int, launcher: str,
                 settings: dict[str, Any], extra: list[str]) -> None:
    """Compose the multirun config and hand the job list to Hydra's launcher (as Hydra's sweeper does)."""
    overrides, sweep_dir = launcher_overrides(exp_dir, workers, launcher, settings)
    runner = instantiate_launcher(task, [*overrides, *extra])
    try:
        runner.launch(jobs, initial_job_idx=0)
    finally:
        if launcher == "joblib":
            shutil.rmtree(sweep_dir, ignore_errors=True)


class Monitor:
    """Progress from the store itself (works for every launcher): runs done, failures, time left."""

    def __init__(self, exp_dir: Path, pending: list[tuple[Configuration, int]], total: int, enabled: bool) -> None:
        self.paths = [run_dir(exp_dir, c.config_hash, s) for c, s in pending]
        self.before = {p: _mtime(p / FAILED_FILE) for p in self.paths}
        self.total, self.enabled = total, enabled
        self._ok: set[Path] = set()  # runs seen finished: not verified again at every poll
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def start(self) -> None:
        if self.enabled:
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def counts(self) -> tuple[int, int]:
        failed = 0
        for p in self.paths:
            if p in self._ok:
                continue
            status = run_status(p)
            if status == "ok":
                self._ok.add(p)
            elif status == "failed" and _mtime(p / FAILED_FILE) != self.before[p]:
                failed += 1
        return len(self._ok), failed

    def _loop(self) -> None:
        from tqdm import tqdm

        done_before = self.total - len(self.paths)
        bar = tqdm(total=self.total, initial=done_before, unit="run", file=sys.stderr, dynamic_ncols=True,
                   disable=not sys.stderr.isatty(), smoothing=0.1)
        shown, start, decile = done_before, time.monotonic(), 0
        while True:
            stopping = self._stop.wait(0.5)
            ok, failed = self.counts()
            bar.set_postfix_str(f"failed={failed}", refresh=False)
            bar.update(done_before + ok + failed - shown)
            shown = done_before + ok + failed
            if bar.disable and (ok + failed) * 10 // max(len(self.paths), 1) > decile and not stopping:
                decile = (ok + failed) * 10 // len(self.paths)  # plain lines for logs: every 10%
                left = (time.monotonic() - start) / (ok + failed) * (len(self.paths) - ok - failed)
                print(f"  {shown}/{self.total} runs done, {failed} failed, about {left:.0f} s left",
                      file=sys.stderr, flush=True)
            if stopping:
                break
        bar.close()


def _mtime(path: Path) -> float | None:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return None
