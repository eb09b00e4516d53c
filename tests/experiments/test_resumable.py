"""A sweep stays resumable however it ends: its main process alone killed, Ctrl-C, or a store that cannot be
written (refused before anything is written). Real `abm experiment` processes, real signals (Linux /proc
is read to find a sweep's processes)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from abm.cli import main
from abm.store.files import read_run
from tests.helpers.experiment_helpers import (
    REPO,
    SMALL,
    abm,
    children_of,
    holds_open,
    live_group_members,
    run_dirs,
    start_abm,
    tree_snapshot,
    wait_for_runs,
)

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc to find the processes")

SWEEP = ["experiment", "quickstart", "organisation=small", "weeks=60", "--seeds", "8", "--no-progress"]
N_RUNS = 16


def wait_until_gone(pgid: int, timeout: float = 10) -> tuple[list[int], float]:
    """Poll until no live process of the group is left; (what is left, seconds waited)."""
    start = time.monotonic()
    left = live_group_members(pgid)
    while left and time.monotonic() - start < timeout:
        time.sleep(0.05)
        left = live_group_members(pgid)
    return left, time.monotonic() - start


def kill_group(pgid: int) -> None:
    for pid in live_group_members(pgid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_killing_only_the_main_process_stops_its_workers_and_the_sweep_resumes(tmp_path: Path, sig: int) -> None:
    """`kill -9 <main pid>` (or SIGTERM, the OOM killer, Popen.kill()): the workers hold no lock, die within
    seconds, and the same command resumes without 'already running', each run stored exactly once."""
    root = tmp_path / "store"
    exp = root / "quickstart"
    args = [*SWEEP, "--workers", "2", "--root", str(root)]
    proc = start_abm(*args)
    try:
        assert wait_for_runs(exp, 2, proc) >= 2, proc.communicate()
        workers = [p for p in children_of(proc.pid) if p in live_group_members(proc.pid)]
        assert workers, "the sweep should run in worker processes"
        assert holds_open(proc.pid, exp / ".lock")  # the main process holds the lock ...
        assert not [w for w in workers if holds_open(w, exp / ".lock")]  # ... and no worker shares it
        os.kill(proc.pid, sig)  # the main process only, not its group
        proc.communicate(timeout=30)
        left, waited = wait_until_gone(proc.pid)
        assert not left, f"workers {left} outlived their main process"
        print(f"workers gone {waited:.2f} s after the main process died")
    finally:
        kill_group(proc.pid)
    kept = {p: p.stat().st_mtime_ns for p in exp.glob("runs/*/seed=*/provenance.json")}
    assert 2 <= len(kept) < N_RUNS, "the sweep should be killed mid-way"
    start = time.monotonic()
    out = abm(*args)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "already running" not in out.stderr
    assert f"{N_RUNS} ok, 0 failed, 0 missing ({len(kept)} already done before)" in out.stdout
    print(f"resume after {signal.Signals(sig).name}: {time.monotonic() - start:.1f} s for {N_RUNS - len(kept)} runs")
    dirs = run_dirs(exp)
    assert len(dirs) == N_RUNS and len({(d.parent.name, d.name) for d in dirs}) == N_RUNS
    for d in dirs:
        assert read_run(d)[2]["status"] == "ok"
    assert all(p.stat().st_mtime_ns == t for p, t in kept.items())  # kept runs were not redone
    assert not [p for p in exp.rglob(".*") if p.name.startswith((".tmp-", ".trash-"))]


@pytest.mark.parametrize("workers", [2, 1])
def test_ctrl_c_stops_a_local_sweep_at_once_and_says_how_many_runs_are_kept(tmp_path: Path, workers: int) -> None:
    """SIGINT to the main process: exit 130 within about a second, the workers killed, one line saying how
    many runs are kept and that re-running resumes; the re-run then finishes the rest."""
    root = tmp_path / "store"
    exp = root / "quickstart"
    args = [*SWEEP, "--workers", str(workers), "--root", str(root)]
    proc = start_abm(*args)
    try:
        assert wait_for_runs(exp, 1, proc) >= 1, proc.communicate()
        start = time.monotonic()
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
        stopped = time.monotonic() - start
        left, _ = wait_until_gone(proc.pid, timeout=5)
    finally:
        kill_group(proc.pid)
    print(f"Ctrl-C with {workers} workers: stopped in {stopped:.2f} s")
    assert proc.returncode == 130, err
    assert not left, f"processes {left} left after Ctrl-C"
    assert stopped < 3.0, f"Ctrl-C took {stopped:.1f} s"
    kept = len(list(exp.glob("runs/*/seed=*/provenance.json")))
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    assert f"{kept} of {N_RUNS} runs are kept in {exp}" in lines[0] and "re-run the same command to resume" in lines[0]
    assert kept < N_RUNS
    out = abm(*args)
    assert out.returncode == 0 and f"{N_RUNS} ok, 0 failed, 0 missing ({kept} already done before)" in out.stdout


@pytest.mark.parametrize("kind", ["a folder", "a link into a missing folder"])
def test_a_lock_that_cannot_be_opened_is_one_line_exit_2_nothing_written(kind: str, tmp_path: Path,
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    exp = tmp_path / "store" / "quickstart"
    exp.mkdir(parents=True)
    if kind == "a folder":
        (exp / ".lock").mkdir()
    else:
        (exp / ".lock").symlink_to(tmp_path / "missing" / "lock")
    before = tree_snapshot(tmp_path / "store")
    assert main(["experiment", "quickstart", *SMALL, "--seeds", "1", "--root", str(tmp_path / "store")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"{exp / '.lock'}" in err[0] and "lock" in err[0], err
    assert tree_snapshot(tmp_path / "store") == before


def test_a_lock_held_by_another_process_is_refused(tmp_path: Path) -> None:
    """The lock excludes a second sweep from another process (as a running sweep's main process holds it)."""
    exp = tmp_path / "store" / "quickstart"
    exp.mkdir(parents=True)
    code = ("import fcntl, sys, time\nfh = open(sys.argv[1], 'a+')\nfcntl.flock(fh, fcntl.LOCK_EX)\n"
            "print('locked', flush=True)\ntime.sleep(60)\n")
    holder = subprocess.Popen([sys.executable, "-c", code, str(exp / ".lock")], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        out = abm("experiment", "quickstart", *SMALL, "--seeds", "1", "--root", str(tmp_path / "store"))
    finally:
        holder.kill()
        holder.wait()
    assert out.returncode == 2 and "already running" in out.stderr and out.stderr.count("\n") == 1
    assert not (exp / "runs").exists() and not (exp / "experiment.yaml").exists()


AS_NOBODY = """
import os, sys
from abm.cli import main
from abm.experiments.spec import load_spec, plan
plan(load_spec("quickstart"))  # as root: every lazy import done (the interpreter's own files are root's)
os.setgroups([]); os.setgid(65534); os.setuid(65534)
sys.exit(main(sys.argv[1:]))
"""


def run_as_nobody(args: list[str]) -> subprocess.CompletedProcess[str]:
    """`abm ARGS` with the uid and gid of nobody (root ignores permission bits, so a read-only folder is only
    read-only to another user)."""
    env = {k: v for k, v in os.environ.items() if k != "ABM_TEST_FAIL"}
    return subprocess.run([sys.executable, "-c", AS_NOBODY, *args], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=120)


def read_only_store(kind: str) -> tuple[Path, Path]:
    """(the root, a folder to snapshot) for each unwritable store."""
    base = Path(tempfile.mkdtemp(prefix="abm-ro-"))  # under /tmp: readable by nobody, unlike pytest's tmp_path
    base.chmod(0o755)
    if kind == "root is a file":
        (base / "results").write_text("not a folder", encoding="utf-8")
        return base / "results", base
    if kind == "root on a filesystem that refuses files":
        return Path("/proc/abm-results"), base
    root = base / "results"
    if kind == "read-only root":
        root.mkdir(mode=0o555)
        root.chmod(0o555)
    else:  # "read-only experiment folder": an existing store whose folder became read-only
        assert main(["experiment", "quickstart", "organisation=small", "weeks=2", "--seeds", "1", "--workers", "1",
                     "--root", str(root), "--no-progress"]) == 0
        for p in [root, *root.rglob("*")]:
            p.chmod(0o555 if p.is_dir() else 0o444)
    return root, base


@pytest.mark.parametrize("kind", ["read-only root", "read-only experiment folder", "root is a file",
                                  "root on a filesystem that refuses files"])
def test_an_unwritable_results_store_is_one_line_exit_2_nothing_written(kind: str, tmp_path: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    root, base = read_only_store(kind)
    capsys.readouterr()
    before = tree_snapshot(base)
    args = ["experiment", "quickstart", "organisation=small", "weeks=2", "--seeds", "2", "--workers", "1",
            "--root", str(root)]
    try:
        if os.geteuid() == 0 and kind.startswith("read-only"):
            out = run_as_nobody(args)
            rc, err = out.returncode, out.stderr
        else:
            rc = main(args)
            err = capsys.readouterr().err
        assert rc == 2, err
        lines = err.strip().splitlines()
        assert len(lines) == 1 and "cannot write the results store" in lines[0], err
        assert tree_snapshot(base) == before
        assert not Path("/proc/abm-results").exists()
    finally:
        for p in [base, *base.rglob("*")]:
            p.chmod(0o755)
        subprocess.run(["rm", "-rf", str(base)], check=False)


ORPHANED_POOL = """
import multiprocessing, os, sys, time
from concurrent.futures import ProcessPoolExecutor
import abm.experiments.workers as workers
workers.PR_SET_PDEATHSIG = 0  # prctl(0, ...) does nothing: only the thread watching the parent pid is left
pool = ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("fork"), initializer=workers.worker_init,
                           initargs=(os.getpid(), ()))
futures = [pool.submit(time.sleep, 60) for _ in range(2)]
print(" ".join(map(str, pool._processes)), flush=True)
time.sleep(60)
"""


def test_without_pdeathsig_the_parent_watch_still_ends_orphaned_workers() -> None:
    """Where PR_SET_PDEATHSIG is missing (not Linux), each worker's thread sees its parent pid change and exits."""
    proc = subprocess.Popen([sys.executable, "-c", ORPHANED_POOL], cwd=REPO, stdout=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        assert proc.stdout is not None
        workers = [int(p) for p in proc.stdout.readline().split()]
        assert len(workers) == 2 and set(workers) <= set(live_group_members(proc.pid))
        proc.kill()
        proc.wait()
        left, waited = wait_until_gone(proc.pid, timeout=10)
        assert not left, f"orphaned workers {left} kept running"
        print(f"orphaned workers exited {waited:.2f} s after their parent died (parent watch only)")
    finally:
        kill_group(proc.pid)
