"""`abm experiment`: bad files, failure isolation, resume after SIGKILL, serial == parallel, workshops."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from abm.cli import main
from abm.store.files import read_run
from tests.helpers.experiment_helpers import REPO, SMALL, abm, run_dirs


def write_exp(tmp_path: Path, text: str, name: str = "bad") -> str:
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


GOOD = "name: tiny\nbase: [organisation=small, weeks=4]\nsweep:\n  practice: exploit_only,contextual\nseeds: 2\n"


@pytest.mark.parametrize("text, needle", [
    (GOOD + "colour: blue\n", "unknown key 'colour'"),
    (GOOD.replace("exploit_only,contextual", "range(1,"), "malformed sweep"),
    (GOOD.replace("name: tiny\n", ""), "missing 'name'"),
    (GOOD.replace("exploit_only,contextual", "exploit_only,nonsense"), "practice=nonsense is not a known option"),
    (GOOD + "metrics: [no_such_metric]\n", "metric 'no_such_metric' is not known"),
    (GOOD + "seeds: 0\n", "seeds=0 is not allowed"),
])
def test_bad_experiment_file_one_line_exit_2_nothing_written(tmp_path: Path, text: str, needle: str,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "store"
    assert main(["experiment", write_exp(tmp_path, text), "--root", str(root)]) == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], err
    assert not root.exists()


def test_bad_file_from_the_real_command_line(tmp_path: Path) -> None:
    out = abm("experiment", write_exp(tmp_path, GOOD + "colour: blue\n"), "--root", str(tmp_path / "s"))
    assert out.returncode == 2 and out.stderr.count("\n") == 1 and "unknown key 'colour'" in out.stderr
    assert "Traceback" not in out.stderr and not (tmp_path / "s").exists()


def test_unknown_experiment_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["experiment", "no_such_experiment", "--root", str(tmp_path / "s")]) == 2
    err = capsys.readouterr().err
    assert "one of" in err and "quickstart" in err
    assert not (tmp_path / "s").exists()


def test_failure_isolation_then_resume_reruns_only_the_failed_run(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "store"
    args = ["experiment", "quickstart", *SMALL, "--seeds", "3", "--workers", "1", "--root", str(root)]
    monkeypatch.setenv("ABM_TEST_FAIL", "practice=contextual,seed=1")
    assert main(args) == 1
    assert "5 ok, 1 failed, 0 missing" in capsys.readouterr().out
    failed = list((root / "quickstart").glob("runs/*/seed=1/failed.json"))
    assert len(failed) == 1
    record = json.loads(failed[0].read_text())
    assert "injected failure" in record["error"] and "Traceback" in record["traceback"]
    assert "practice=contextual" in record["overrides"]
    ok_before = {p: p.stat().st_mtime_ns for p in (root / "quickstart").glob("runs/*/*/provenance.json")}
    assert len(ok_before) == 5
    monkeypatch.delenv("ABM_TEST_FAIL")
    assert main(args) == 0
    assert "6 ok, 0 failed, 0 missing (5 already done before)" in capsys.readouterr().out
    assert all(p.stat().st_mtime_ns == t for p, t in ok_before.items())  # finished runs were not redone
    assert not list((root / "quickstart").glob("runs/*/*/failed.json"))


def test_resume_after_sigkill_every_run_exactly_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "store"
    exp = root / "quickstart"
    args = [sys.executable, "-m", "abm.cli", "experiment", "quickstart", "organisation=small", "weeks=40",
            "--seeds", "6", "--workers", "2", "--root", str(root)]
    env = {k: v for k, v in os.environ.items() if k != "ABM_TEST_FAIL"}
    proc = subprocess.Popen(args, cwd=REPO, env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(exp.glob("runs/*/seed=*/provenance.json"))) < 2:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done = len(list(exp.glob("runs/*/seed=*/provenance.json")))
    assert 2 <= done < 12, "the sweep should be killed mid-way"
    for d in run_dirs(exp):  # nothing partial is visible: a run folder is complete or absent
        assert (d / "provenance.json").is_file()
        read_run(d)
    assert main(["experiment", "quickstart", "organisation=small", "weeks=40", "--seeds", "6", "--workers", "1",
                 "--root", str(root)]) == 0  # the restart (here in-process, one run at a time)
    assert f"12 ok, 0 failed, 0 missing ({done} already done before)" in capsys.readouterr().out
    dirs = run_dirs(exp)
    assert len(dirs) == 12 and len({(d.parent.name, d.name) for d in dirs}) == 12
    for d in dirs:
        region, units, prov = read_run(d)
        assert prov["status"] == "ok" and prov["experiment"] == "quickstart" and len(region) == 41
    assert not [p for p in exp.rglob(".*") if p.name.startswith((".tmp-", ".trash-"))]


def test_serial_and_parallel_sweeps_give_identical_results(tmp_path: Path) -> None:
    args = ["experiment", "quickstart", *SMALL, "--seeds", "2", "--no-progress"]
    assert main([*args, "--workers", "1", "--root", str(tmp_path / "1")]) == 0  # in this process, one by one
    # Hydra multirun, 2 loky workers
    out = abm(*args, "--launcher", "joblib", "--workers", "2", "--root", str(tmp_path / "2"))
    assert out.returncode == 0, out.stdout + out.stderr
    serial, parallel = run_dirs(tmp_path / "1" / "quickstart"), run_dirs(tmp_path / "2" / "quickstart")
    assert [d.relative_to(tmp_path / "1") for d in serial] == [d.relative_to(tmp_path / "2") for d in parallel]
    assert len(serial) == 4
    for a, b in zip(serial, parallel, strict=True):
        ra, ua, pa = read_run(a)
        rb, ub, pb = read_run(b)
        pd.testing.assert_frame_equal(ra, rb)
        pd.testing.assert_frame_equal(ua, ub)
        assert pa["config"] == pb["config"] and pa["overrides"] == pb["overrides"]
        assert pa["files"] == pb["files"]  # the very same bytes: sizes and checksums of both tables


def test_workshop_scenario_runs_as_an_experiment(tmp_path: Path) -> None:
    """The app saves configs/workshop/<name>.yaml and experiments/<name>.yaml with base [+workshop=<name>]."""
    folder = REPO / "configs" / "workshop"
    created = not folder.exists()
    folder.mkdir(exist_ok=True)
    name = f"pytest_ws_{os.getpid()}"
    cfg = folder / f"{name}.yaml"
    cfg.write_text(
        "# @package _global_\npractice:\n  name: structural\n  innovation_share: 0.45\norganisation:\n  n_staff: 90\n",
        encoding="utf-8",
    )
    try:
        spec = write_exp(
            tmp_path,
            f"name: {name}\nbase: [+workshop={name}, organisation=small, weeks=4]\n"
            f"seeds: 2\nmetrics: [maturity_total]\n",
            name,
        )
        assert main(["experiment", spec, "--root", str(tmp_path / "store"), "--workers", "1"]) == 0
        dirs = run_dirs(tmp_path / "store" / name)
        assert len(dirs) == 2
        prov = read_run(dirs[0])[2]
        assert prov["config"]["practice"]["innovation_share"] == 0.45
        assert prov["config"]["organisation"]["n_staff"] == 90
        assert prov["overrides"][0] == f"+workshop={name}"
    finally:
        cfg.unlink()
        if created:
            folder.rmdir()


def test_a_second_sweep_of_the_same_experiment_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import fcntl

    exp = tmp_path / "store" / "quickstart"
    exp.mkdir(parents=True)
    with open(exp / ".lock", "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as a running sweep holds it
        assert main(["experiment", "quickstart", *SMALL, "--seeds", "1", "--root", str(tmp_path / "store")]) == 2
    assert "already running" in capsys.readouterr().err
    assert not (exp / "runs").exists()
