"""From a validated plan to finished runs in the store: the experiment lock, the executors and the
progress monitor.

The missing runs (or failed or corrupt ones) go to one executor (abm.experiments.executors): `local` runs
them in worker processes on this machine (one in-process loop for one worker; `joblib` is the same since
Hydra's joblib launcher was retired from sweeps), `slurm` in chunks of runs per SLURM array task, `mpi`
on the worker ranks of `mpiexec ... python -m mpi4py.futures`. Only missing runs are launched, so
re-running resumes. A thread watches the store and drives the progress bar (runs done, failures, time left).

A sweep must always be resumable, however it ends. The lock (abm.store.guard.experiment_lock) is held by
the main process only: each forked worker replaces its inherited copy of the descriptor first thing
(abm.experiments.workers.worker_init; a spawned worker inherits none), so a worker can never keep the
lock alive. Workers die with the main process (PR_SET_PDEATHSIG on Linux, and a thread that watches the
parent pid everywhere), so `kill -9` of the main process stops the whole sweep.
Ctrl-C kills the workers at once (cancels the SLURM array job) and says how many runs are kept (exit 130).
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import yaml

from abm.errors import UserError
from abm.experiments.executors import Executor, make_executor
from abm.experiments.spec import Configuration, Spec, launcher_overrides
from abm.store.files import FAILED_FILE, write_text
from abm.store.guard import (
    check_writable,
    experiment_lock,
    holds_a_store,
    move_aside,
    refuse_other_plan,
)
from abm.store.layout import SPEC_FILE, inspect_run, run_dir, run_status
from abm.store.publish import clean_partial

LAUNCHERS = ("local", "joblib", "slurm", "mpi")
POLL_S = {"local": 1.0, "joblib": 1.0, "slurm": 5.0, "mpi": 2.0}  # monitor: one scan of the store per interval


class Outcome:
    """What the store holds for the planned runs after a launch."""

    def __init__(self, spec: Spec, exp_dir: Path, configs: list[Configuration], skipped: int, wall: float,
                 error: str | None, corrupt: Sequence[str] = (), replaced: Path | None = None) -> None:
        self.spec, self.exp_dir, self.skipped, self.wall, self.error = spec, exp_dir, skipped, wall, error
        self.corrupt, self.replaced = list(corrupt), replaced  # corrupt runs found (and redone); old store
        # sizes only: the runs found ok were checksummed when the sweep started, and those it wrote were just
        # published with checksums of their bytes (checking them again would cost 1.4 ms a run, twice a sweep)
        self.status = {(c.config_hash, s): run_status(run_dir(exp_dir, c.config_hash, s), checksums=False)
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
                   force_new: bool = False, start_method: str | None = None,
                   cancelled: Callable[[], bool] | None = None) -> Outcome:
    """Launch every planned run not yet finished; return what the store holds afterwards.

    `cancelled` (the local launcher only) is asked between runs: once True the launch stops and raises
    abm.experiments.executors.Cancelled, keeping every finished run (the app's "Cancel").

    Refused (UserError, nothing written) if the launcher's settings are bad or it cannot run here, the store
    cannot be written, is locked by a running sweep, or holds another plan (unless `force_new`: then the
    old store is moved aside to `<name>.replaced-<time>`)."""
    exp_dir = root / spec.name
    plan = {c.config_hash: c.overrides for c in configs}
    executor = make_executor(launcher, workers, launcher_overrides(spec, hydra_overrides), start_method, cancelled)
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
            outcome = _run_locked(spec, configs, exp_dir, executor, progress, POLL_S.get(launcher, 2.0))
    except KeyboardInterrupt:
        ok = sum(run_status(run_dir(exp_dir, c.config_hash, s), checksums=False) == "ok"
                 for c in configs for s in spec.seeds)
        print(f"abm: interrupted: {ok} of {len(configs) * len(spec.seeds)} runs are kept in {exp_dir}; "
              "re-run the same command to resume", file=sys.stderr, flush=True)
        raise
    outcome.replaced = replaced
    return outcome


def _run_locked(spec: Spec, configs: list[Configuration], exp_dir: Path, executor: Executor, progress: bool,
                poll_s: float) -> Outcome:
    clean_partial(exp_dir)
    write_spec(spec, configs, exp_dir)
    checks = {(c.config_hash, s): inspect_run(run_dir(exp_dir, c.config_hash, s)) for s in spec.seeds for c in configs}
    pending = [(c, s) for s in spec.seeds for c in configs  # seed-major: partial results stay balanced
               if checks[c.config_hash, s].status != "ok"]
    corrupt = [str(r.problem) for r in checks.values() if r.status == "corrupt"]
    total = len(configs) * len(spec.seeds)
    start, error = time.perf_counter(), None
    if pending:
        monitor = Monitor(exp_dir, pending, total, enabled=progress, interval=poll_s)
        jobs = [({**c.resolved, "seed": s}, list(c.overrides)) for c, s in pending]
        try:
            executor.run(jobs, exp_dir, spec.name, monitor.start)
        except UserError:
            raise
        except Exception as exc:  # a crashed worker or scheduler error: report it, keep what finished
            error = f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}"
        finally:
            monitor.stop()
    return Outcome(spec, exp_dir, configs, total - len(pending), time.perf_counter() - start, error, corrupt)


class Monitor:
    """Progress from the store itself (works for every executor): runs done, failures, time left.

    Polls at a rate a shared filesystem tolerates: every `interval` seconds one `os.scandir` of the runs
    folder and of each configuration's folder (no stat of the pending runs); a run folder that appeared
    (or was replaced: another inode than at the start) is looked into once, to tell ok from failed."""

    def __init__(self, exp_dir: Path, pending: list[tuple[Configuration, int]], total: int, enabled: bool,
                 interval: float = 2.0) -> None:
        self.runs = exp_dir / "runs"
        self.pending = {(c.config_hash, f"seed={s}") for c, s in pending}
        self.total, self.enabled, self.interval = total, enabled, interval
        self.before = self._scan() if enabled else {}  # failed or corrupt runs about to be redone
        self.done: dict[tuple[str, str], bool] = {}  # run -> ok (True) or failed (False), seen once
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True, name="abm-monitor")

    def start(self) -> None:
        if self.enabled:
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _scan(self) -> dict[tuple[str, str], int]:
        """{(config_hash, "seed=s"): inode} of the pending runs' folders now in the store."""
        found: dict[tuple[str, str], int] = {}
        hashes = {h for h, _ in self.pending}
        try:
            with os.scandir(self.runs) as configs:
                folders = [e.path for e in configs if e.name in hashes]
        except OSError:
            return found
        for folder in folders:
            h = os.path.basename(folder)
            try:
                with os.scandir(folder) as seeds:
                    for e in seeds:
                        if (h, e.name) in self.pending:
                            found[h, e.name] = e.inode()
            except OSError:
                continue
        return found

    def counts(self) -> tuple[int, int]:
        for key, inode in self._scan().items():
            if key not in self.done and self.before.get(key) != inode:
                self.done[key] = (self.runs / key[0] / key[1] / "provenance.json").exists()
        ok = sum(self.done.values())
        return ok, len(self.done) - ok

    def _loop(self) -> None:
        from tqdm import tqdm

        done_before = self.total - len(self.pending)
        bar = tqdm(total=self.total, initial=done_before, unit="run", file=sys.stderr, dynamic_ncols=True,
                   disable=not sys.stderr.isatty(), smoothing=0.1)
        shown, start, decile = done_before, time.monotonic(), 0
        while True:
            stopping = self._stop.wait(self.interval)
            ok, failed = self.counts()
            bar.set_postfix_str(f"failed={failed}", refresh=False)
            bar.update(done_before + ok + failed - shown)
            shown = done_before + ok + failed
            if bar.disable and (ok + failed) * 10 // max(len(self.pending), 1) > decile and not stopping:
                decile = (ok + failed) * 10 // len(self.pending)  # plain lines for logs: every 10%
                left = (time.monotonic() - start) / (ok + failed) * (len(self.pending) - ok - failed)
                print(f"  {shown}/{self.total} runs done, {failed} failed, about {left:.0f} s left",
                      file=sys.stderr, flush=True)
            if stopping:
                break
        bar.close()
