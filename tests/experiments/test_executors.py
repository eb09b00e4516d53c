"""The executors off the cluster: the start-method policy, spawn and fork workers giving the tables of a
serial sweep, `abm validate` with spawn, MPI through a real mpiexec, the filelock-based experiment lock, and
how runs are packed into SLURM chunks."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from abm.errors import UserError
from abm.experiments.executors import estimated_seconds, pack
from abm.experiments.workers import START_METHOD_ENV, start_method
from tests.helpers.experiment_helpers import REPO, SMALL, abm, table_checksums

SWEEP = ["experiment", "quickstart", *SMALL, "--seeds", "3", "--no-progress"]


def test_the_start_method_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(START_METHOD_ENV, raising=False)
    linux = sys.platform.startswith("linux")
    assert start_method() == ("fork" if linux else "spawn")
    assert start_method("forkserver") == ("forkserver" if linux else "spawn")
    monkeypatch.setenv(START_METHOD_ENV, "spawn")
    assert start_method() == "spawn" and start_method("forkserver") == "spawn"
    assert start_method(override="fork" if linux else "spawn") == ("fork" if linux else "spawn")  # option wins
    monkeypatch.setenv(START_METHOD_ENV, "threads")
    with pytest.raises(UserError, match=r"\$ABM_START_METHOD='threads' is not allowed"):
        start_method()
    monkeypatch.setattr(sys, "platform", "darwin")
    monkeypatch.delenv(START_METHOD_ENV)
    assert start_method() == "spawn" and start_method("forkserver") == "spawn"


def test_a_bad_start_method_is_one_line_exit_2_nothing_written(tmp_path: Path) -> None:
    out = abm(*SWEEP, "--workers", "2", "--root", str(tmp_path / "store"), env={START_METHOD_ENV: "bogus"})
    assert out.returncode == 2 and out.stderr.count("\n") == 1 and "ABM_START_METHOD" in out.stderr
    assert not (tmp_path / "store").exists()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork is the Linux default")
def test_spawn_and_fork_workers_give_the_tables_of_a_serial_sweep(tmp_path: Path) -> None:
    serial = abm(*SWEEP, "--workers", "1", "--root", str(tmp_path / "serial"))
    fork = abm(*SWEEP, "--workers", "2", "--start-method", "fork", "--root", str(tmp_path / "fork"))
    spawn = abm(*SWEEP, "--workers", "2", "--root", str(tmp_path / "spawn"), env={START_METHOD_ENV: "spawn"})
    for out in (serial, fork, spawn):
        assert out.returncode == 0 and "6 runs: 6 ok" in out.stdout, out.stdout + out.stderr
    a = table_checksums(tmp_path / "serial" / "quickstart")
    assert len(a) == 6
    assert table_checksums(tmp_path / "fork" / "quickstart") == a
    assert table_checksums(tmp_path / "spawn" / "quickstart") == a


def test_abm_validate_runs_with_spawned_workers(tmp_path: Path) -> None:
    out = abm("validate", "--quick", "--only", "granovetter", "--out", str(tmp_path / "v"),
              env={START_METHOD_ENV: "spawn"}, timeout=600)
    assert out.returncode == 0, out.stdout + out.stderr
    assert (tmp_path / "v" / "report.md").is_file()


def mpiexec() -> str | None:
    return shutil.which("mpiexec") or shutil.which("mpiexec", path=str(Path(sys.executable).parent))


@pytest.mark.mpi
def test_mpi_with_two_processes_gives_the_tables_of_a_serial_sweep(tmp_path: Path) -> None:
    """`mpiexec -n 2 python -m mpi4py.futures -m abm.cli experiment ... --launcher mpi`: rank 0 plans and
    holds the lock, rank 1 runs every run; the tables are those of a serial sweep; re-running resumes."""
    pytest.importorskip("mpi4py")
    exe = mpiexec()
    if exe is None:
        pytest.skip("no mpiexec (uv sync installs the `mpich` wheel of the dev group)")
    serial = abm(*SWEEP, "--workers", "1", "--root", str(tmp_path / "serial"))
    assert serial.returncode == 0, serial.stderr
    cmd = [exe, "-n", "2", sys.executable, "-m", "mpi4py.futures", "-m", "abm.cli", *SWEEP, "--launcher", "mpi",
           "--root", str(tmp_path / "mpi")]
    out = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0 and "6 runs: 6 ok, 0 failed, 0 missing" in out.stdout, out.stdout + out.stderr
    assert table_checksums(tmp_path / "mpi" / "quickstart") == table_checksums(tmp_path / "serial" / "quickstart")
    again = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0 and "(6 already done before)" in again.stdout, again.stdout + again.stderr


def test_mpi_outside_mpiexec_is_one_line_exit_2(tmp_path: Path) -> None:
    pytest.importorskip("mpi4py")
    out = abm(*SWEEP, "--launcher", "mpi", "--root", str(tmp_path / "store"))
    assert out.returncode == 2 and "python -m mpi4py.futures -m abm.cli" in out.stderr
    assert out.stderr.strip().count("\n") == 0, out.stderr
    assert not (tmp_path / "store").exists()


def test_the_filelock_lock_excludes_a_second_holder_and_forked_workers_drop_it(tmp_path: Path) -> None:
    """experiment_lock (filelock) records its descriptor, so a forked worker can drop it; a second holder,
    through filelock or a plain flock of older versions, is refused while it is held."""
    import fcntl

    from abm.store.guard import experiment_lock, held_lock_fds

    with experiment_lock(tmp_path):
        fds = held_lock_fds()
        assert len(fds) == 1 and Path(f"/proc/self/fd/{fds[0]}").resolve() == (tmp_path / ".lock").resolve()
        code = "import fcntl,sys\nfh=open(sys.argv[1],'a+')\ntry:\n fcntl.flock(fh,fcntl.LOCK_EX|fcntl.LOCK_NB)\n" \
               "except BlockingIOError:\n sys.exit(3)\n"
        assert subprocess.run([sys.executable, "-c", code, str(tmp_path / ".lock")]).returncode == 3
        with pytest.raises(UserError, match="already running"), experiment_lock(tmp_path):
            pass
    assert held_lock_fds() == ()
    with open(tmp_path / ".lock", "a+") as fh:  # released: anyone may take it now
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)


def test_runs_are_packed_into_chunks_of_about_the_target_duration() -> None:
    job = ({"organisation": {"n_staff": 120}, "weeks": 12, "seed": 0}, [])
    per_run = estimated_seconds(job[0])
    jobs = [job] * 100
    chunks = pack(jobs, task_seconds=per_run * 30)
    assert [len(c) for c in chunks] == [25, 25, 25, 25]  # ceil(100 / 30) = 4 chunks, evened out
    assert sum(chunks, []) == jobs
    assert [len(c) for c in pack(jobs, 1e9)] == [100]
    assert [len(c) for c in pack(jobs, 0.0)] == [1] * 100  # a run longer than the target: one run per task
    assert [len(c) for c in pack(jobs[:8], 1e9, runs_per_task=3)] == [3, 3, 2]
    assert pack([], 60) == []


def small_jobs(seeds: int) -> list[tuple[dict, list[str]]]:
    """Planned jobs of a small region for a few weeks, seeds 0..seeds-1."""
    from abm.experiments.spec import Spec, plan

    (config,) = plan(Spec(name="cancel", path=Path("cancel.yaml"), base=SMALL, seeds=list(range(seeds))))
    return [({**config.resolved, "seed": s}, list(config.overrides)) for s in range(seeds)]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forkserver is a Linux start method here")
def test_forkserver_workers_run_a_sweep(tmp_path: Path) -> None:
    """A forkserver's workers are its children, not the main process's (they used to exit at once, breaking
    the pool): what the browser app starts its runs with."""
    from abm.experiments.executors import Local
    from abm.store.layout import run_dirs as published
    from abm.store.layout import run_status

    Local(2, "forkserver").run(small_jobs(2), tmp_path, "cancel", lambda: None)
    assert [run_status(d) for d in published(tmp_path)] == ["ok", "ok"]


@pytest.mark.parametrize("workers", [1, 2])
def test_a_cancelled_local_executor_stops_and_keeps_only_finished_runs(tmp_path: Path, workers: int) -> None:
    """`cancelled` is asked between runs: once True, Cancelled is raised, the workers are gone, and every
    published run folder is a finished run (a run cut short leaves no visible folder)."""
    from abm.experiments.executors import Cancelled, Local
    from abm.store.layout import run_dirs as published
    from abm.store.layout import run_status

    asked: list[int] = []

    def cancelled() -> bool:  # the first question (before any run, or a pool's first poll) says go on
        asked.append(1)
        return len(asked) > 1

    with pytest.raises(Cancelled):
        Local(workers, start_method("forkserver"), cancelled).run(small_jobs(6), tmp_path, "cancel", lambda: None)
    done = published(tmp_path)
    assert len(done) < 6 and all(run_status(d) == "ok" for d in done)
    if workers == 1:
        assert len(done) == 1
