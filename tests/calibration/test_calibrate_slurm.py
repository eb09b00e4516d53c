"""A calibration through the SLURM launcher on a real one-node cluster (slurmctld and slurmd started by the
test, submitit array jobs): the same posterior bit for bit as the local launcher's."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from tests.calibration.test_calibrate_cli import calibration_file, configs_env
from tests.helpers.calibration import REPO
from tests.helpers.slurm_cluster import SlurmCluster, running_cluster

pytestmark = [pytest.mark.slurm, pytest.mark.xdist_group("slurm")]  # one cluster at a time under xdist


@pytest.fixture(scope="module")
def cluster() -> Iterator[SlurmCluster]:
    yield from running_cluster()


def test_a_calibration_on_slurm_equals_the_local_one(cluster: SlurmCluster, tmp_path: Path) -> None:
    path = calibration_file(tmp_path, population=4, generations=2, predictive_draws=2,
                            base=["organisation=small", "weeks=60"])
    env = {**cluster.env, "ABM_CONFIGS": configs_env(tmp_path)["ABM_CONFIGS"]}
    before = set(cluster.jobs())
    out = subprocess.run([sys.executable, "-m", "abm.cli", "calibrate", str(path), "--launcher", "slurm",
                          "--root", str(tmp_path / "slurm"), "hydra.launcher.partition=debug"], cwd=REPO, env=env,
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stdout + out.stderr[-3000:] + cluster.logs()
    assert "SLURM array tasks" in out.stderr
    assert len(set(cluster.jobs()) - before) >= 2  # at least one array job per generation
    local = subprocess.run([sys.executable, "-m", "abm.cli", "calibrate", str(path), "--workers", "1", "--root",
                            str(tmp_path / "local")], cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert local.returncode == 0, local.stderr[-2000:]
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "slurm" / "cli" / "posterior.parquet"),
                                  pd.read_parquet(tmp_path / "local" / "cli" / "posterior.parquet"), check_exact=True)
