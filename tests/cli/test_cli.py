"""The `abm` console script, run as a real subprocess: outputs, reproducibility across processes,
multiruns, and bad input (one line, exit status 2, nothing written)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ABM = str(Path(sys.executable).parent / "abm")


def abm(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([ABM, *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def files_under(path: Path) -> list[Path]:
    return [p for p in path.rglob("*") if p.is_file()]


def test_run_prints_a_summary_and_writes_results_atomically(tmp_path):
    out = abm("run", "organisation=small", "weeks=30", "seed=2", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "Digital maturity score" in out.stdout and "Care delivered" in out.stdout
    runs = list((tmp_path / "outputs" / "runs").iterdir())
    assert len(runs) == 1
    names = {p.name for p in runs[0].iterdir()}
    assert {"region.parquet", "units.parquet", "provenance.json"} <= names
    assert not [n for n in names if n.endswith(".tmp")]
    region = pd.read_parquet(runs[0] / "region.parquet")
    assert region["week"].tolist() == list(range(31))


def test_same_config_and_seed_give_identical_tables_in_two_processes(tmp_path):
    tables = []
    for name in ("a", "b"):
        folder = tmp_path / name
        folder.mkdir()
        assert abm("run", "organisation=small", "weeks=40", "seed=9", "practice=adaptive", cwd=folder).returncode == 0
        run = next((folder / "outputs" / "runs").iterdir())
        tables.append((pd.read_parquet(run / "region.parquet"), pd.read_parquet(run / "units.parquet")))
    pd.testing.assert_frame_equal(tables[0][0], tables[1][0])
    pd.testing.assert_frame_equal(tables[0][1], tables[1][1])


def test_multirun_runs_every_combination_in_parallel_processes(tmp_path):
    out = abm(
        "run", "-m", "organisation=small", "weeks=10", "practice=exploit_only,contextual", "seed=0,1", cwd=tmp_path
    )
    assert out.returncode == 0, out.stderr
    sweep = next((tmp_path / "outputs" / "multiruns").iterdir())
    done = sorted(p.parent.name for p in sweep.glob("*/provenance.json"))
    assert done == ["0", "1", "2", "3"]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["practice=nonsense"], "practice=nonsense is not a known option: one of adaptive, contextual"),
        (["practice.budget=2"], "practice.budget=2.0 is not allowed: a number in [0.0, 0.5]"),
        (["practice=exploit_only", "practice.budget=0.1"],
         "practice.budget=0.1 is not allowed: 0 under practice exploit_only"),
        (["practice=structural", "organisation=small", "organisation.n_innovation_units=0"],
         "organisation.n_innovation_units=0 is not allowed: at least 1 under practice structural"),
        (["learning.p_turnover=-0.1"], "learning.p_turnover=-0.1 is not allowed: a number in [0.0, 1.0]"),
        (["organisation.n_staff=-5"], "organisation.n_staff=-5 is not allowed: an integer in [1,"),
        (["learning.p_bogus=1"], "learning.p_bogus is not a known key: one of p_socialise"),
        (["bogus=1"], "bogus is not a known key"),
        (["seed=abc"], "seed=abc is not allowed: a value of type Integer"),
        (["-m", "practice=contextual,nonsense"], "practice=nonsense is not a known option"),
        (["-m", "seed=0,1", "learning.p_socialise=0.5,1.5"], "learning.p_socialise=1.5 is not allowed"),
    ],
)
def test_bad_input_gets_one_line_exit_2_and_nothing_written(tmp_path, args, expected):
    out = abm("run", *args, cwd=tmp_path)
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("abm: error: ") and expected in lines[0], out.stderr
    assert "Traceback" not in out.stderr + out.stdout
    assert files_under(tmp_path) == []


def test_unknown_command_is_refused(tmp_path):
    out = abm("fly", cwd=tmp_path)
    assert out.returncode == 2 and "unknown command 'fly'" in out.stderr


def test_help_lists_commands(tmp_path):
    out = abm("--help", cwd=tmp_path)
    assert out.returncode == 0 and "abm run" in out.stdout
