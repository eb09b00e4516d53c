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


def run_in_process(spec_text: str, tmp: Path, root: Path, name: str = "spec") -> None:
    """Plan and run an experiment file serially in this process (joblib n_jobs=1: no worker start-up)."""
    from abm.experiments.launch import run_experiment
    from abm.experiments.spec import load_spec, plan

    path = tmp / f"{name}.yaml"
    path.write_text(spec_text, encoding="utf-8")
    spec = load_spec(str(path))
    outcome = run_experiment(spec, plan(spec), root, workers=1, progress=False)
    assert outcome.complete, outcome.summary()
