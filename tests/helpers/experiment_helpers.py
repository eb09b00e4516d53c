"""Helpers for the experiment, store and compare tests: run the real `abm` CLI in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SMALL = ["organisation=small", "weeks=12"]


def abm(*args: str, env: dict[str, str] | None = None, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    """`abm ARGS` with the test environment, from the repository root."""
    full_env = {**os.environ, **(env or {})}
    if "ABM_TEST_FAIL" not in (env or {}):
        full_env.pop("ABM_TEST_FAIL", None)
    return subprocess.run([sys.executable, "-m", "abm.cli", *args], cwd=REPO, env=full_env,
                          capture_output=True, text=True, timeout=timeout)


def run_dirs(exp_dir: Path) -> list[Path]:
    return sorted(exp_dir.glob("runs/*/seed=*"))


def table_checksums(exp_dir: Path) -> dict[str, dict[str, object]]:
    """{"<config_hash>/seed=<s>": the run's `files` manifest (size and BLAKE2b of each table)} of a store."""
    import json

    return {f"{d.parent.name}/{d.name}": json.loads((d / "provenance.json").read_text(encoding="utf-8"))["files"]
            for d in run_dirs(exp_dir)}


def run_in_process(spec_text: str, tmp: Path, root: Path, name: str = "spec") -> None:
    """Plan and run an experiment file serially in this process (joblib n_jobs=1: no worker start-up)."""
    from abm.experiments.launch import run_experiment
    from abm.experiments.spec import load_spec, plan

    path = tmp / f"{name}.yaml"
    path.write_text(spec_text, encoding="utf-8")
    spec = load_spec(str(path))
    outcome = run_experiment(spec, plan(spec), root, workers=1, progress=False)
    assert outcome.complete, outcome.summary()


def start_abm(*args: str) -> subprocess.Popen[str]:
    """`abm ARGS` in the background, in its own session and process group (pgid == its pid), with Ctrl-C
    delivered as Python's KeyboardInterrupt even if this process was started with SIGINT ignored."""
    import signal

    env = {k: v for k, v in os.environ.items() if k != "ABM_TEST_FAIL"}
    return subprocess.Popen([sys.executable, "-m", "abm.cli", *args], cwd=REPO, env=env, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def wait_for_runs(exp_dir: Path, n: int, proc: subprocess.Popen[str], timeout: float = 120) -> int:
    """Wait until at least `n` runs are stored (or the process ended); return how many are."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        done = len(list(exp_dir.glob("runs/*/seed=*/provenance.json")))
        if done >= n:
            return done
        time.sleep(0.05)
    return len(list(exp_dir.glob("runs/*/seed=*/provenance.json")))


def _stat_fields(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2:].split()  # after "pid (comm) ": state, ppid, pgrp, ...


def live_group_members(pgid: int) -> list[int]:
    """PIDs of the processes of process group `pgid` that are alive (not zombies), from /proc (Linux)."""
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat_fields(int(entry.name))
            if fields and int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
                out.append(int(entry.name))
    return out


def children_of(pid: int) -> list[int]:
    """PIDs whose parent is `pid` (Linux /proc)."""
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat_fields(int(entry.name))
            if fields and int(fields[1]) == pid:
                out.append(int(entry.name))
    return out


def holds_open(pid: int, path: Path) -> bool:
    """Whether process `pid` has a descriptor open on `path` (Linux /proc/PID/fd)."""
    target = str(path.resolve())
    try:
        fds = list(Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return False
    for fd in fds:
        try:
            if os.readlink(fd) == target:
                return True
        except OSError:
            continue
    return False


def tree_snapshot(folder: Path) -> dict[str, int]:
    """Every path under `folder` with its mtime (ns): to prove a refused command wrote nothing."""
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): p.lstat().st_mtime_ns for p in [folder, *folder.rglob("*")]}
