"""`abm discover` at tiny size as a user meets it: one worker and two give the same tables bit for bit; a
discovery killed with SIGKILL resumes without running finished runs again and ends with the same tables; the
criterion's difference is the outcome computed directly from the stored runs; a different file under the same
name is refused until --force-new; the report folder holds the report, CSVs and figures."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from abm.analysis.outcomes import outcome_value, parse_outcome
from abm.store.reader import read_stored_run
from tests.helpers.discovery import UNCERTAIN, write_discovery

REPO = Path(__file__).resolve().parents[2]
TABLES = ("scenarios.parquet", "runs.parquet")


def abm(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "abm.cli", "discover", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=timeout)


def tables(root: Path, name: str = "tiny") -> dict[str, pd.DataFrame]:
    return {t: pd.read_parquet(root / name / t) for t in TABLES}


def same_tables(one: dict[str, pd.DataFrame], two: dict[str, pd.DataFrame]) -> None:
    for t in TABLES:
        pd.testing.assert_frame_equal(one[t], two[t], check_exact=True)


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """One uninterrupted discovery with one worker: (its file, its store root, its report folder)."""
    tmp = tmp_path_factory.mktemp("reference")
    path = write_discovery(tmp / "files")
    out = abm(str(path), "--workers", "1", "--root", str(tmp / "store"), "--out", str(tmp / "out"))
    assert out.returncode == 0, out.stderr[-2000:]
    return path, tmp / "store", tmp / "out"


def test_one_or_two_workers_give_the_same_tables_bit_for_bit(reference, tmp_path):
    path, root, _ = reference
    out = abm(str(path), "--workers", "2", "--root", str(tmp_path / "w2"), "--out", str(tmp_path / "out"))
    assert out.returncode == 0, out.stderr[-2000:]
    same_tables(tables(root), tables(tmp_path / "w2"))


def finished_runs(folder: Path) -> list[Path]:
    return list((folder / "runs").glob("*/seed=*"))


def test_a_killed_discovery_resumes_without_rerunning_finished_runs_and_ends_the_same(reference, tmp_path):
    path, root, _ = reference
    killed = tmp_path / "killed"
    proc = subprocess.Popen([sys.executable, "-m", "abm.cli", "discover", str(path), "--workers", "2", "--root",
                             str(killed), "--out", str(tmp_path / "out")], cwd=REPO, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    while len(finished_runs(killed / "tiny")) < 4 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.02)
    assert proc.poll() is None, "finished before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    before = {p: p.stat().st_mtime_ns for p in finished_runs(killed / "tiny")}
    assert 4 <= len(before) < 16 and not (killed / "tiny" / "scenarios.parquet").exists()
    resumed = abm(str(path), "--workers", "2", "--root", str(killed), "--out", str(tmp_path / "out"))
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert f"({16 - len(before)} run now" in resumed.stdout, resumed.stdout
    for p, mtime in before.items():  # finished runs are kept, not run again
        assert p.stat().st_mtime_ns == mtime
    same_tables(tables(root), tables(killed))


def test_the_difference_is_the_outcome_of_the_stored_runs(reference):
    _, root, _ = reference
    scenarios = pd.read_parquet(root / "tiny" / "scenarios.parquet")
    outcome = parse_outcome("maturity_total")
    found: dict[tuple[int, str], list[float]] = {}
    for folder in finished_runs(root / "tiny"):
        region, _, provenance = read_stored_run(folder)
        config = provenance["config"]
        values = {k: config[k.split(".")[0]][k.split(".")[1]] for k in UNCERTAIN}
        match = np.ones(len(scenarios), bool)
        for k, v in values.items():
            match &= scenarios[k].to_numpy() == v
        assert match.sum() == 1, values
        i = int(scenarios.loc[match, "scenario"].iloc[0])
        found.setdefault((i, config["practice"]["name"]), []).append(outcome_value(region, outcome))
    assert len(found) == 2 * len(scenarios)
    for row in scenarios.itertuples(index=False):
        a, b = np.mean(found[row.scenario, "contextual"]), np.mean(found[row.scenario, "structural"])
        assert row.difference == b - a and row.b_wins == (b - a > 3.5)
    assert 0 < scenarios["b_wins"].sum() < len(scenarios)  # the margin splits the tiny sample: PRIM has work


def test_the_report_folder_holds_the_report_tables_and_figures(reference):
    _, _, out = reference
    folder = out / "tiny"
    names = {p.name for p in folder.iterdir()}
    assert {"report.md", "scenarios.csv", "runs.csv", "prim_trajectory.csv", "prim_limits.csv",
            "prim_tradeoff.png", "prim_box_limits.png", "scenarios_scatter.png"} <= names
    text = (folder / "report.md").read_text(encoding="utf-8")
    assert "ehealth-abm" in text and "uv run abm discover tiny" in text and "Wilson interval" in text
    assert "**headline**" in text and "The headline is the box with the highest density" in text
    trajectory = pd.read_csv(folder / "prim_trajectory.csv")
    assert trajectory["coverage"].iloc[0] == 1.0 and trajectory["mass"].is_monotonic_decreasing


def test_another_discovery_under_the_same_name_is_refused_until_force_new(reference, tmp_path, capsys):
    import shutil

    from abm.cli import main

    path, root, _ = reference
    store = tmp_path / "store"
    shutil.copytree(root, store)
    changed = write_discovery(tmp_path / "files", seed=9)
    assert main(["discover", str(changed), "--root", str(store), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "holds another discovery (seed differ)" in err[0] and "--force-new" in err[0], err
    assert not (tmp_path / "out").exists()
    # another criterion re-analyses the same runs: nothing runs again, and every scenario now counts as a win
    other = write_discovery(tmp_path / "margin", criterion={"outcome": "maturity_total", "margin": 0.0})
    assert main(["discover", str(other), "--workers", "1", "--root", str(store), "--out", str(tmp_path / "out")]) == 0
    assert "(0 run now" in capsys.readouterr().out
    again = tables(store)
    pd.testing.assert_frame_equal(again["runs.parquet"], tables(root)["runs.parquet"], check_exact=True)
    assert again["scenarios.parquet"]["b_wins"].tolist() == (again["scenarios.parquet"]["difference"] > 0).tolist()
    assert main(["discover", str(changed), "--force-new", "--workers", "1", "--root", str(store),
                 "--out", str(tmp_path / "out")]) == 0
    assert "moved aside" in capsys.readouterr().err and len(list(store.glob("tiny.replaced-*"))) == 1
