"""`abm optimise` as a user meets it: bad input is one line with exit 2 and nothing written; the same file
gives the same designs, front and regret bit for bit with one worker or two; a search killed with SIGKILL
resumes from its optuna storage without losing told trials or finished runs and ends where an uninterrupted
one ends; each objective is the pooled mean of the outcome of the design's stored runs."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from abm.analysis.outcomes import outcome_value, parse_outcome
from abm.analysis.pooled import draw_interval
from abm.experiments import posterior as post
from abm.store.layout import config_hash, run_dir
from abm.store.reader import read_stored_run
from tests.cli.test_bad_input import one_error_line

REPO = Path(__file__).resolve().parents[2]
TINY = ["organisation.n_staff=40", "organisation.n_units=4", "organisation.n_innovation_units=1", "weeks=30"]
SMALL = {
    "kind": "optimisation", "name": "opt", "description": "a tiny search", "base": TINY,
    "environments": ["stable", "turbulent"], "seeds": 2,
    "space": {"practice": ["contextual", "structural"], "practice.budget": [0.02, 0.3],
              "management.pilot_capacity": [0.5, 10.0]},
    "objectives": {"care_production_mean": "maximise", "maturity_total": "maximise"},
    "named": ["exploit_only", "contextual"], "population": 4, "generations": 2, "seed": 1,
}


def abm(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "abm.cli", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=timeout)


def optimisation_file(tmp: Path, **keys: object) -> Path:
    folder = tmp / "files"
    folder.mkdir(exist_ok=True)
    data = {**SMALL, **keys}
    path = folder / f"{data['name']}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def files_in(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def designs(root: Path, name: str = "opt") -> pd.DataFrame:
    return pd.read_parquet(root / name / "designs.parquet")


SPACE = SMALL["space"]
BAD = [
    ({"space": {**SPACE, "practice.nosuch": [0, 1]}}, ["space.practice.nosuch is not a parameter"]),
    ({"space": {**SPACE, "nosuch.x": [0, 1]}}, ["space.nosuch.x is not a parameter"]),
    ({"space": {"practice.budget": [0.3, 0.1]}}, ["space.practice.budget=[0.3, 0.1]", "low < high"]),
    ({"space": {"practice.budget": [0.2, 0.2]}}, ["low < high"]),
    ({"space": {"practice.budget": [0.0, 0.9]}}, ["within the parameter's range [0, 0.5]"]),
    ({"space": {"practice.explore_weeks": [0.5, 10]}}, ["a range [low, high] of integers"]),
    ({"space": {"practice": ["contextual", "atlantis"]}}, ["space.practice: 'atlantis' is not known"]),
    ({"space": {"practice.decided_by": ["units", "committee"]}}, ["at least 2 distinct choices of management"]),
    ({"space": {"environment.p_turbulence": [0.0, 0.01]}}, ["environments are what a design is averaged over"]),
    ({"space": {}}, ["space must map at least one design dimension"]),
    ({"space": {"practice": ["exploit_only", "contextual"], "practice.budget": [0.05, 0.2]}},
     ["the design environment=stable practice=exploit_only practice.budget=0.05 is not valid",
      "0 under practice exploit_only"]),
    ({"objectives": {"maturity": "maximise", "care_production_mean": "maximise"}},
     ["objectives='maturity' is not allowed: a registered metric"]),
    ({"objectives": {"maturity_total": "maximise"}}, ["a mapping of 2 to 6 outcomes"]),
    ({"objectives": {"maturity_total": "more", "services_live": "maximise"}},
     ["objectives.maturity_total='more' is not allowed: maximise or minimise"]),
    ({"environments": ["stable", "volcanic"]}, ["environments: 'volcanic' is not known"]),
    ({"named": ["contextual", "heroic"]}, ["named: 'heroic' is not known"]),
    ({"population": 1}, ["population=1 is not allowed: an integer in [2, 10,000]"]),
    ({"colour": "blue"}, ["unknown key 'colour'"]),
    ({"kind": "experiment"}, ["kind='experiment' is not allowed here: kind: optimisation"]),
    ({"base": [*TINY, "practice.budget=0.1"]}, ["base sets 'practice.budget', a design dimension"]),
    ({"base": [*TINY, "seed=3"]}, ["'seed' cannot be set in base"]),
    ({"base": [*TINY, "environment=turbulent"]}, ["base sets the environment"]),
    ({"posterior": "sweden2021_patterns", "draws": 2, "space": {"learning.p_turnover": [0.001, 0.002]}},
     ["'learning.p_turnover' is a parameter of posterior sweden2021_patterns"]),
    ({"posterior": "no_such_posterior", "draws": 2}, ["no_such_posterior"]),
]


def in_process(capsys: pytest.CaptureFixture[str], *args: str) -> subprocess.CompletedProcess[str]:
    """`abm ARGS` through the console script's main() in this process (as a subprocess would see it)."""
    from abm.cli import main

    code = main(list(args))
    out = capsys.readouterr()
    return subprocess.CompletedProcess(["abm", *args], code, out.out, out.err)


@pytest.mark.parametrize(("keys", "expected"), BAD, ids=[str(b[0])[:50] for b in BAD])
def test_bad_optimisation_files_are_one_line_exit_2_and_nothing_written(tmp_path, capsys, keys, expected):
    path = optimisation_file(tmp_path, **keys)
    out = in_process(capsys, "optimise", str(path), "--root", str(tmp_path / "store"), "--out", str(tmp_path / "out"))
    one_error_line(out, str(path), *expected)
    assert files_in(tmp_path / "store") == [] and files_in(tmp_path / "out") == []


def test_missing_files_and_stray_overrides_are_one_line_without_a_traceback(tmp_path):
    one_error_line(abm("optimise", "no_such_search", "--root", str(tmp_path / "store")),
                   "experiment 'no_such_search' not found")
    path = optimisation_file(tmp_path)
    one_error_line(abm("optimise", str(path), "weeks=3", "--root", str(tmp_path / "store")),
                   "the override 'weeks=3' is not allowed")
    one_error_line(abm("experiment", str(path), "--root", str(tmp_path / "store")),
                   "an optimisation file (kind: optimisation): run it with `abm optimise opt`")
    assert files_in(tmp_path / "store") == []


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """(file, store root, report folder) of one uninterrupted search of 3 generations with two workers: the
    reference the other tests compare with."""
    tmp = tmp_path_factory.mktemp("reference")
    path = optimisation_file(tmp, generations=3)
    out = abm("optimise", str(path), "--workers", "2", "--root", str(tmp / "w2"), "--out", str(tmp / "out2"))
    assert out.returncode == 0, out.stderr[-2000:]
    return path, tmp / "w2", tmp / "out2"


def test_one_or_two_workers_give_the_same_designs_bit_for_bit(tmp_path, reference):
    path, root, report = reference
    out = abm("optimise", str(path), "--workers", "1", "--root", str(tmp_path / "w1"), "--out", str(tmp_path / "o1"))
    assert out.returncode == 0, out.stderr[-2000:]
    one, two = designs(tmp_path / "w1"), designs(root)
    pd.testing.assert_frame_equal(one, two, check_exact=True)
    assert list(one["design"]) == ["exploit_only", "contextual", *(f"T{i}" for i in range(12))]
    assert one["on_front"].any() and (one["generation"].dropna() == [0] * 4 + [1] * 4 + [2] * 4).all()
    for name in ("report.md", "front.csv", "regret.csv", "front.png", "over_time.svg", "front_designs.png"):
        assert (report / "opt" / name).is_file(), name
    again = abm("optimise", str(path), "--root", str(tmp_path / "w1"), "--out", str(tmp_path / "o1"))
    assert again.returncode == 0 and "  generation " not in again.stderr  # complete: no trial is asked again
    pd.testing.assert_frame_equal(designs(tmp_path / "w1"), two, check_exact=True)


def trials_told(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.2) as conn:
            return int(conn.execute("select count(*) from trials where state = 'COMPLETE'").fetchone()[0])
    except sqlite3.Error:
        return 0


def test_a_killed_search_resumes_without_losing_trials_or_runs(tmp_path, reference):
    path, reference_root, _ = reference
    root = tmp_path / "killed"
    db = root / "opt" / "optuna.db"
    proc = subprocess.Popen([sys.executable, "-m", "abm.cli", "optimise", str(path), "--workers", "2", "--root",
                             str(root)], cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    deadline = time.monotonic() + 300
    while trials_told(db) < 4 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    time.sleep(0.5)  # into the next generation: some of its trials asked, some runs finished
    assert proc.poll() is None, "finished before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    told = trials_told(db)
    assert 4 <= told < 12
    runs_before = {p: p.stat().st_mtime_ns for p in (root / "opt" / "runs").glob("*/seed=*")}
    resumed = abm("optimise", str(path), "--workers", "2", "--root", str(root))
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert f"resuming opt: {told} trials told" in resumed.stderr
    for p, mtime in runs_before.items():  # finished runs are kept, not run again
        assert p.stat().st_mtime_ns == mtime
    pd.testing.assert_frame_equal(designs(root), designs(reference_root), check_exact=True)


def test_a_corrupt_study_is_reported_by_path_and_left_alone(tmp_path):
    path = optimisation_file(tmp_path)
    folder = tmp_path / "store" / "opt"
    folder.mkdir(parents=True)
    db = folder / "optuna.db"
    db.write_bytes(b"this is not an SQLite database" * 40)
    one_error_line(abm("optimise", str(path), "--root", str(tmp_path / "store")),
                   f"{db} is not a readable optuna database")
    assert db.read_bytes() == b"this is not an SQLite database" * 40


def test_another_file_under_the_same_name_is_refused_and_a_longer_budget_resumes(tmp_path):
    path = optimisation_file(tmp_path, generations=1)
    assert abm("optimise", str(path), "--root", str(tmp_path / "store")).returncode == 0
    changed = optimisation_file(tmp_path, generations=1, seed=9)
    one_error_line(abm("optimise", str(changed), "--root", str(tmp_path / "store")),
                   "holds another optimisation (seed differ)", "--force-new")
    longer = optimisation_file(tmp_path, generations=2)
    out = abm("optimise", str(longer), "--root", str(tmp_path / "store"))
    assert out.returncode == 0 and "resuming opt: 4 trials told" in out.stderr, out.stderr[-1500:]
    assert len(designs(tmp_path / "store")) == 2 + 8
    forced = abm("optimise", str(changed), "--force-new", "--root", str(tmp_path / "store"))
    assert forced.returncode == 0 and "moved aside" in forced.stderr
    assert len(list((tmp_path / "store").glob("opt.replaced-*"))) == 1


def test_objectives_are_the_pooled_outcomes_of_the_stored_runs(tmp_path):
    """Over a posterior: each objective is the pool-weighted mean over draws of each draw's mean over its
    environments and seeds, with the pooled interval, from the runs as the store holds them."""
    path = optimisation_file(tmp_path, posterior="sweden2021_patterns", draws=2, posterior_seed=4, seeds=1,
                             generations=1)
    out = abm("optimise", str(path), "--root", str(tmp_path / "store"), "--out", str(tmp_path / "out"))
    assert out.returncode == 0, out.stderr[-2000:]
    from abm.optimisation.designs import jobs, named_design, units
    from abm.optimisation.spec import load_optimisation

    opt = load_optimisation(str(path))
    draws = units(opt)
    assert [d.values for d in draws] == post.draws("sweden2021_patterns", 2, 4)
    table = designs(tmp_path / "store").set_index("design")
    exp = tmp_path / "store" / "opt"
    for o in opt.objectives:
        per_draw = {d.index: [] for d in draws}
        for (_, draw, _), (resolved, _) in jobs(opt, named_design("contextual"), draws).items():
            region, _, _ = read_stored_run(run_dir(exp, config_hash(resolved), int(resolved["seed"])))
            per_draw[draw].append(outcome_value(region, parse_outcome(o.name)))
        means = np.array([np.mean(v) for v in per_draw.values()])
        mean, _, lo, hi = draw_interval(means, np.array([d.weight for d in draws]))
        assert table.at["contextual", o.name] == pytest.approx(mean, rel=1e-12)
        assert (table.at["contextual", f"{o.name}_lo"], table.at["contextual", f"{o.name}_hi"]) == pytest.approx(
            (lo, hi), rel=1e-12)
    assert "posterior `sweden2021_patterns`" in (tmp_path / "out" / "opt" / "report.md").read_text()


def test_shipped_optimisation_files_are_valid():
    from abm.optimisation.spec import load_optimisation

    files = [p for p in (REPO / "experiments").glob("*.yaml") if "\nkind: optimisation" in p.read_text()]
    assert files
    for path in files:
        text = path.read_text()
        assert text.startswith("# What it asks:") and f"uv run abm optimise {path.stem}" in text
        assert load_optimisation(path.stem).name == path.stem
