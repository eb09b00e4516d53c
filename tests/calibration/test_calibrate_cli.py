"""`abm calibrate` as a user meets it: bad input is one line with exit 2 and nothing written; the same file
gives the same posterior bit for bit with one worker or two; a calibration killed with SIGKILL resumes from
its database without redoing finished generations or runs, and ends where an uninterrupted one ends; a
corrupt database is reported by its path, never silently restarted."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from tests.cli.test_bad_input import one_error_line
from tests.helpers.calibration import REPO, write_calibration, write_table

TABLE = [("P6", "turnover_per_year", 0.06, 0.15, 0.09), ("P6", "max_dip", 0.0, 0.12, 0.05)]
PARAMS = {"learning.p_turnover": [0.0005, 0.006], "management.implementation_time": [0.0, 0.3]}
SMALL = {"population": 8, "generations": 3, "base": ["organisation=small", "weeks=80"], "predictive_draws": 3}


def abm(*args: str, env: dict[str, str] | None = None, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "abm.cli", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=timeout, env=env)


def configs_env(tmp: Path) -> dict[str, str]:
    """An environment whose config tree is a copy in `tmp` (the preset and posterior are written there)."""
    import shutil

    shutil.copytree(REPO / "configs", tmp / "configs")
    return {**os.environ, "ABM_CONFIGS": str(tmp / "configs")}


def calibration_file(tmp: Path, name: str = "cli", **keys: object) -> Path:
    folder = tmp / "files"
    folder.mkdir(exist_ok=True)
    keys = {**SMALL, **keys}
    params = keys.pop("params", PARAMS)
    return write_calibration(folder, name, write_table(folder, TABLE), params, **keys)


def files_in(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


BAD = [
    ({"params": {"learning.p_nosuch": [0, 1]}}, ["'learning.p_nosuch' is not a parameter of learning"]),
    ({"params": {"nosuch.x": [0, 1]}}, ["'nosuch.x' is not a parameter: GROUP.NAME"]),
    ({"params": {"learning.p_turnover": [0.004, 0.001]}}, ["params.learning.p_turnover=[0.004, 0.001]",
                                                            "low < high"]),
    ({"params": {"learning.p_turnover": [0.002, 0.002]}}, ["low < high"]),
    ({"params": {"learning.p_turnover": [0.0, 2.0]}}, ["within the parameter's range [0, 1]"]),
    ({"params": {"learning.contacts_per_week": [1, 5]}}, ["a float parameter"]),
    ({"params": {}}, ["params must map at least one parameter"]),
    ({"patterns": ["P2"]}, ["pattern 'P2' is not known: one of P1, P3, P4, P6"]),
    ({"patterns": ["P1"]}, ["pattern 'P1' has no target in the table: P6"]),
    ({"preset": "atlantis"}, ["preset='atlantis' is not known: one of sweden2021"]),
    ({"targets": "/nonexistent/table.csv"}, ["target table /nonexistent/table.csv not found"]),
    ({"population": 1}, ["population=1 is not allowed: an integer in [2, 100,000]"]),
    ({"alpha": 0}, ["alpha=0 is not allowed: a number in (0.0, 1.0]"]),
    ({"colour": "blue"}, ["unknown key 'colour'"]),
    ({"kind": "experiment"}, ["kind='experiment' is not allowed here: kind: calibration"]),
    ({"base": ["learning.p_turnover=0.1"]}, ["base sets 'learning.p_turnover=0.1', a free parameter"]),
    ({"base": ["seed=3"]}, ["'seed' cannot be set in base"]),
]


@pytest.mark.parametrize(("keys", "expected"), BAD, ids=[str(b[0])[:40] for b in BAD])
def test_bad_calibration_files_are_one_line_exit_2_and_nothing_written(tmp_path, keys, expected):
    path = calibration_file(tmp_path, **keys)
    out = abm("calibrate", str(path), "--root", str(tmp_path / "store"), "--out", str(tmp_path / "out"))
    one_error_line(out, str(path), *expected)
    assert files_in(tmp_path / "store") == [] and files_in(tmp_path / "out") == []


def test_a_malformed_target_table_and_a_missing_file_are_one_line(tmp_path):
    path = calibration_file(tmp_path)
    (path.parent / "targets.csv").write_text("pattern,quantity\nP6,turnover_per_year\n", encoding="utf-8")
    out = abm("calibrate", str(path), "--root", str(tmp_path / "store"))
    one_error_line(out, "targets.csv: column 'low' is missing")
    one_error_line(abm("calibrate", "no_such_calibration", "--root", str(tmp_path / "store")),
                   "experiment 'no_such_calibration' not found")
    one_error_line(abm("calibrate", str(path), "extra=1", "--root", str(tmp_path / "store")),
                   "the override 'extra=1' is not allowed")
    assert files_in(tmp_path / "store") == []


def posterior(root: Path, name: str = "cli") -> pd.DataFrame:
    return pd.read_parquet(root / name / "posterior.parquet")


def test_one_or_two_workers_give_the_same_posterior_bit_for_bit(tmp_path):
    env = configs_env(tmp_path)
    path = calibration_file(tmp_path)
    for workers in ("1", "2"):
        out = abm("calibrate", str(path), "--workers", workers, "--root", str(tmp_path / f"w{workers}"),
                  "--out", str(tmp_path / f"out{workers}"), env=env)
        assert out.returncode == 0, out.stderr[-2000:]
    one, two = posterior(tmp_path / "w1"), posterior(tmp_path / "w2")
    pd.testing.assert_frame_equal(one, two, check_exact=True)
    assert len(one) == 8 and one["generation"].iloc[0] == 2
    again = abm("calibrate", str(path), "--root", str(tmp_path / "w2"), "--out", str(tmp_path / "out2"), env=env)
    assert again.returncode == 0 and "runs launched" not in again.stderr  # complete: nothing is run again
    pd.testing.assert_frame_equal(posterior(tmp_path / "w2"), two, check_exact=True)


def generations_done(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.2) as conn:
            return int(conn.execute("select count(*) from populations where t >= 0").fetchone()[0])
    except sqlite3.Error:
        return 0


def test_a_killed_calibration_resumes_without_redoing_generations_or_runs(tmp_path):
    env = configs_env(tmp_path)
    path = calibration_file(tmp_path, generations=4)
    reference = abm("calibrate", str(path), "--workers", "2", "--root", str(tmp_path / "ref"), env=env)
    assert reference.returncode == 0, reference.stderr[-2000:]
    root = tmp_path / "killed"
    db = root / "cli" / "abc.db"
    proc = subprocess.Popen([sys.executable, "-m", "abm.cli", "calibrate", str(path), "--workers", "2", "--root",
                             str(root)], cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    deadline = time.monotonic() + 300
    while generations_done(db) < 2 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert proc.poll() is None, "finished before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done = generations_done(db)
    assert 2 <= done < 4
    runs_before = {p: p.stat().st_mtime_ns for p in (root / "cli" / "runs").glob("*/seed=*")}
    resumed = abm("calibrate", str(path), "--workers", "2", "--root", str(root), env=env)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert f"resuming cli after generation {done - 1}" in resumed.stderr
    assert "generation 0:" not in resumed.stderr  # finished generations are not sampled again
    for p, mtime in runs_before.items():  # finished runs are kept, not run again
        assert p.stat().st_mtime_ns == mtime
    pd.testing.assert_frame_equal(posterior(root), posterior(tmp_path / "ref"), check_exact=True)


def test_a_corrupt_database_is_reported_by_path_and_left_alone(tmp_path):
    path = calibration_file(tmp_path)
    folder = tmp_path / "store" / "cli"
    folder.mkdir(parents=True)
    db = folder / "abc.db"
    db.write_bytes(b"this is not an SQLite database" * 40)
    out = abm("calibrate", str(path), "--root", str(tmp_path / "store"))
    one_error_line(out, f"the calibration database {db} is corrupt", "never restarted silently")
    assert db.read_bytes() == b"this is not an SQLite database" * 40


def test_another_calibration_under_the_same_name_is_refused_until_force_new(tmp_path):
    env = configs_env(tmp_path)
    path = calibration_file(tmp_path, generations=1)
    assert abm("calibrate", str(path), "--root", str(tmp_path / "store"), env=env).returncode == 0
    changed = calibration_file(tmp_path, generations=1, seed=9)
    one_error_line(abm("calibrate", str(changed), "--root", str(tmp_path / "store"), env=env),
                   "holds another calibration (seed differ)", "--force-new")
    longer = calibration_file(tmp_path, generations=2)  # a stopping rule may change: it resumes
    out = abm("calibrate", str(longer), "--root", str(tmp_path / "store"), env=env)
    assert out.returncode == 0 and "resuming cli after generation 0" in out.stderr, out.stderr[-1500:]
    assert posterior(tmp_path / "store")["generation"].iloc[0] == 1
    forced = abm("calibrate", str(changed), "--force-new", "--root", str(tmp_path / "store"), env=env)
    assert forced.returncode == 0 and "moved aside" in forced.stderr
    assert len(list((tmp_path / "store").glob("cli.replaced-*"))) == 1
