"""SLURM for real: sweeps through submitit on a local one-node cluster, many runs per array task."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from abm.store.files import read_run
from tests.helpers.experiment_helpers import REPO, run_dirs, table_checksums
from tests.helpers.slurm_cluster import SlurmCluster, running_cluster

pytestmark = [pytest.mark.slurm, pytest.mark.xdist_group("slurm")]  # one cluster at a time under xdist

SWEEP = ["experiment", "quickstart", "organisation=small", "weeks=12", "--seeds", "4", "--no-progress",
         "hydra.launcher.partition=debug"]


@pytest.fixture(scope="module")
def cluster() -> Iterator[SlurmCluster]:
    yield from running_cluster()


def scheduler_states(cluster: SlurmCluster, settle_s: float = 60.0) -> list[str]:
    """The scheduler's job states ("<job>_<task> <state>"), once no job is still running or completing.

    submitit collects a job's result as soon as the job has written it; the job's process then exits and
    slurmd reports it, so the scheduler can show RUNNING for a moment after the runs are already stored.
    """
    deadline = time.monotonic() + settle_s
    while True:
        jobs = cluster.jobs()
        settled = not any(state in j for j in jobs for state in ("RUNNING", "COMPLETING", "PENDING"))
        if settled or time.monotonic() > deadline:
            return jobs
        time.sleep(0.5)


def abm_on(cluster: SlurmCluster, *args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "abm.cli", *args], cwd=REPO, env=cluster.env, capture_output=True,
                          text=True, timeout=timeout)


def test_eight_runs_go_in_three_array_tasks_and_resume_resubmits_nothing(cluster: SlurmCluster,
                                                                          tmp_path: Path) -> None:
    root = tmp_path / "store"
    before = set(cluster.jobs())
    args = [*SWEEP, "--launcher", "slurm", "--root", str(root), "hydra.launcher.runs_per_task=3"]
    out = abm_on(cluster, *args)
    assert out.returncode == 0, out.stdout + out.stderr + cluster.logs()
    assert "8 runs: 8 ok, 0 failed, 0 missing" in out.stdout
    assert "8 runs in 3 SLURM array tasks" in out.stderr
    exp = root / "quickstart"
    dirs = run_dirs(exp)
    assert len(dirs) == 8
    for d in dirs:
        region, _, prov = read_run(d)
        assert prov["status"] == "ok" and prov["experiment"] == "quickstart" and len(region) == 13
    logs = sorted(exp.glob(".slurm/*/*/*_log.out"))
    assert len(logs) == 3, "one submitit log per array task under <root>/<exp>/.slurm/<time>/<job id>/"
    tasks = [j for j in scheduler_states(cluster) if j not in before]
    assert len(tasks) == 3 and all("COMPLETED" in j for j in tasks), tasks  # 3 array tasks, not 8 jobs
    assert len({j.split("_")[0] for j in tasks}) == 1, tasks  # one array job
    jobs_before = set(cluster.jobs())
    again = abm_on(cluster, *args, timeout=120)
    assert again.returncode == 0 and "(8 already done before)" in again.stdout  # resume: nothing resubmitted
    assert set(cluster.jobs()) == jobs_before


def test_a_task_cancelled_mid_chunk_keeps_its_finished_runs_and_the_rerun_completes(cluster: SlurmCluster,
                                                                                    tmp_path: Path) -> None:
    """scancel of the one task running all 8 runs after 2 are stored: the sweep ends with status 1 and the
    stored runs; the same command runs only the rest, each run stored exactly once."""
    root = tmp_path / "store"
    exp = root / "quickstart"
    args = ["experiment", "quickstart", "weeks=260", *SWEEP[4:], "--launcher", "slurm", "--root", str(root),
            "hydra.launcher.runs_per_task=8"]
    proc = subprocess.Popen([sys.executable, "-m", "abm.cli", *args], cwd=REPO, env=cluster.env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 180
        while len(list(exp.glob("runs/*/seed=*/provenance.json"))) < 2 and time.monotonic() < deadline:
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.05)
        running = [j.split()[0] for j in cluster.jobs() if "RUNNING" in j]
        assert len(running) == 1, running
        subprocess.run(["scancel", running[0]], env=cluster.env, check=True, timeout=30)
        out, err = proc.communicate(timeout=180)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
    kept = {p: p.stat().st_mtime_ns for p in exp.glob("runs/*/seed=*/provenance.json")}
    assert proc.returncode == 1, out + err
    assert "launcher error" in out and "1 of 1 SLURM tasks did not finish" in out, out
    assert 2 <= len(kept) < 8, "the task should be killed mid-chunk"
    again = abm_on(cluster, *args)
    assert again.returncode == 0, again.stdout + again.stderr
    assert f"8 runs: 8 ok, 0 failed, 0 missing ({len(kept)} already done before)" in again.stdout
    dirs = run_dirs(exp)
    assert len(dirs) == 8 and len({(d.parent.name, d.name) for d in dirs}) == 8  # each run exactly once
    assert all(p.stat().st_mtime_ns == t for p, t in kept.items())  # kept runs were not redone
    assert not [p for p in exp.rglob(".*") if p.name.startswith((".tmp-", ".trash-"))]


def test_slurm_tables_are_identical_to_local_ones(cluster: SlurmCluster, tmp_path: Path) -> None:
    local = abm_on(cluster, *SWEEP, "--workers", "1", "--root", str(tmp_path / "local"))
    slurm = abm_on(cluster, *SWEEP, "--launcher", "slurm", "--root", str(tmp_path / "slurm"))
    assert local.returncode == 0 and slurm.returncode == 0, local.stderr + slurm.stdout + slurm.stderr
    assert "8 runs in 1 SLURM array tasks" in slurm.stderr  # default task_minutes: 8 short runs are one task
    a, b = table_checksums(tmp_path / "local" / "quickstart"), table_checksums(tmp_path / "slurm" / "quickstart")
    assert len(a) == 8 and a == b


def test_bad_launcher_settings_are_one_line_exit_2(cluster: SlurmCluster, tmp_path: Path) -> None:
    for bad, says in [("hydra.launcher.task_minutes=0", "launcher.task_minutes=0"),
                      ("hydra.launcher.bogus=1", "hydra.launcher.bogus=1"),
                      ("hydra.launcher.partition=nosuch", "sbatch refused")]:
        out = abm_on(cluster, *SWEEP, "--launcher", "slurm", "--root", str(tmp_path / "store"), bad)
        lines = out.stderr.strip().splitlines()  # sbatch's own complaint may come first, on its stderr
        assert out.returncode == 2 and lines[-1].startswith("abm: error: ") and says in lines[-1], (bad, out.stderr)
        assert "Traceback" not in out.stderr and (len(lines) == 1 or says == "sbatch refused"), out.stderr
