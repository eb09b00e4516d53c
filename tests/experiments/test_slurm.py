"""SLURM for real: the quickstart experiment through Hydra's submitit launcher on a local one-node cluster."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from abm.store.files import read_run
from tests.helpers.experiment_helpers import REPO
from tests.helpers.slurm_cluster import SlurmCluster, missing_tools

pytestmark = pytest.mark.slurm


@pytest.fixture(scope="module")
def cluster() -> Iterator[SlurmCluster]:
    missing = missing_tools()
    if missing:
        pytest.skip(f"SLURM tools not installed: {', '.join(missing)} (apt-get install slurm-wlm munge)")
    c = SlurmCluster()
    try:
        c.start()
        yield c
    finally:
        c.stop()


def scheduler_states(cluster: SlurmCluster, settle_s: float = 60.0) -> list[str]:
    """The scheduler's job states, once no job is still running or completing.

    submitit collects a job's result as soon as the job has written it; the job's process then exits and
    slurmd reports it, so the scheduler can show RUNNING for a moment after the runs are already stored.
    """
    deadline = time.monotonic() + settle_s
    while True:
        out = subprocess.run(["squeue", "-h", "-r", "-t", "all", "-o", "%i %T"], env=cluster.env,
                             capture_output=True, text=True, timeout=30).stdout
        jobs = [line for line in out.split("\n") if line]
        settled = not any(state in j for j in jobs for state in ("RUNNING", "COMPLETING", "PENDING"))
        if settled or time.monotonic() > deadline:
            return jobs
        time.sleep(0.5)


def test_quickstart_through_submitit_on_slurm(cluster: SlurmCluster, tmp_path: Path) -> None:
    root = tmp_path / "store"
    args = [sys.executable, "-m", "abm.cli", "experiment", "quickstart", "organisation=small", "weeks=12",
            "--seeds", "2", "--launcher", "slurm", "--root", str(root), "--no-progress",
            "hydra.launcher.partition=debug"]
    out = subprocess.run(args, cwd=REPO, env=cluster.env, capture_output=True, text=True, timeout=240)
    assert out.returncode == 0, out.stdout + out.stderr + cluster.logs()
    assert "4 runs: 4 ok, 0 failed, 0 missing" in out.stdout
    exp = root / "quickstart"
    dirs = sorted(exp.glob("runs/*/seed=*"))
    assert len(dirs) == 4
    for d in dirs:
        region, _, prov = read_run(d)
        assert prov["status"] == "ok" and prov["experiment"] == "quickstart" and len(region) == 13
    logs = list(exp.glob(".slurm/*/.submitit/*/*_log.out"))
    assert logs, "submitit wrote no SLURM job logs: the runs did not go through the scheduler"
    jobs = scheduler_states(cluster)
    assert sum("COMPLETED" in j for j in jobs) == 4, jobs
    again = subprocess.run(args, cwd=REPO, env=cluster.env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0 and "(4 already done before)" in again.stdout  # resume: nothing resubmitted
