"""`abm results compact`: a store's run folders become a few Parquet parts, read exactly as before by the one
reader (equal frames), atomically (a SIGKILL at any phase loses or doubles no run) and resumably."""

from __future__ import annotations

import json
import os
import shutil
import warnings
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from abm.cli import main
from abm.store import layout
from abm.store.compact import KILL_ENV, PHASES, compact_experiment, count_entries
from abm.store.reader import (
    StoreWarning,
    list_experiments,
    load_region,
    load_runs,
    load_units,
    read_one_run,
    read_stored_run,
    show_experiment,
    swept_keys,
)
from tests.helpers.experiment_helpers import abm, run_dirs, run_in_process

NAME = "compacttest"
SPEC = (f"name: {NAME}\ndescription: compaction test\nbase: [organisation=small, weeks=6]\n"
        "sweep:\n  practice: exploit_only,contextual\nseeds: 3\nmetrics: [maturity_total, care_production]\n"
        "baseline: practice=exploit_only\n")


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished store (its root): 2 configurations x 3 seeds, never compacted."""
    tmp = tmp_path_factory.mktemp("compact")
    run_in_process(SPEC, tmp, tmp / "results")
    return tmp / "results"


@pytest.fixture
def store(pristine: Path, tmp_path: Path) -> Path:
    """A private copy of the pristine store's root."""
    shutil.copytree(pristine, tmp_path / "results")
    return tmp_path / "results"


def snapshot(root: Path, name: str = NAME) -> dict[str, Any]:
    """Everything the reader returns for the experiment (warnings recorded, not raised)."""
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always", StoreWarning)
        runs = load_runs(name, root)
        return {"runs": runs, "region": load_region(name, root), "units": load_units(name, root),
                "region_metric": load_region(name, root, metrics=["maturity_total"]),
                "units_metric": load_units(name, root, metrics=["stage"]),
                "shown": show_experiment(name, root), "listed": list_experiments(root),
                "keys": swept_keys(name, root, runs)}


def assert_same(a: dict[str, Any], b: dict[str, Any]) -> None:
    for key, value in a.items():
        if isinstance(value, pd.DataFrame):
            pd.testing.assert_frame_equal(value, b[key], check_exact=True, obj=key)
        else:
            assert value == b[key], key


def compacted_files(exp: Path) -> list[Path]:
    return sorted(p for p in (exp / "compact").rglob("*") if p.is_file())


def test_reader_returns_equal_frames_before_and_after_compaction(store: Path) -> None:
    before = snapshot(store)
    assert len(before["runs"]) == 6 and len(before["region"]) == 6 * 7 and before["keys"] == ["practice"]
    report = compact_experiment(store / NAME)
    assert report.compacted == 6 and report.parts == ["part-00000"] and not report.left
    assert run_dirs(store / NAME) == []
    after = snapshot(store)
    assert_same(before, after)
    assert after["units"]["kind"].dtype == before["units"]["kind"].dtype and len(after["units"]) == 6 * 7 * 5


def test_half_compacted_store_reads_the_same(store: Path) -> None:
    """Two of three parts committed (runs_per_part=2), and a part committed whose folders were not yet removed."""
    before = snapshot(store)
    exp = store / NAME
    env = {KILL_ENV: "region:2"}
    r = abm("results", "compact", NAME, "--root", str(store), "--runs-per-part", "2", env=env)
    assert r.returncode == -9, r.stderr
    assert len(run_dirs(exp)) == 2 and len(json.loads((exp / "compact" / "manifest.json").read_text())["parts"]) == 2
    assert_same(before, snapshot(store))
    r = abm("results", "compact", NAME, "--root", str(store), "--runs-per-part", "2", env={KILL_ENV: "manifest:0"})
    assert r.returncode == -9 and len(run_dirs(exp)) == 2  # part-00002 committed, its folders still there
    assert_same(before, snapshot(store))


@pytest.mark.parametrize("phase", [*PHASES, "manifest:1", "remove:1"])
def test_sigkill_at_any_phase_keeps_every_run_once_and_a_rerun_finishes(store: Path, phase: str) -> None:
    before = snapshot(store)
    exp = store / NAME
    r = abm("results", "compact", NAME, "--root", str(store), "--runs-per-part", "4", env={KILL_ENV: phase})
    assert r.returncode == -9, (r.stdout, r.stderr)  # a real SIGKILL, at that point
    assert_same(before, snapshot(store))  # every run exactly once, none lost
    assert layout.run_status(layout.run_dir(exp, before["runs"]["config_hash"][0], 0)) == "ok"
    r = abm("results", "compact", NAME, "--root", str(store), "--runs-per-part", "4")
    assert r.returncode == 0, r.stderr
    assert run_dirs(exp) == [] and not list(exp.glob("runs/*/.*"))
    manifest = json.loads((exp / "compact" / "manifest.json").read_text())
    assert sum(p["n_runs"] for p in manifest["parts"]) == 6 and len(manifest["parts"]) == 2
    listed = {f"{t}/{p['name']}.parquet" for p in manifest["parts"] for t in ("region", "units", "runs")}
    assert {str(p.relative_to(exp / "compact")) for p in compacted_files(exp)} == listed | {"manifest.json"}
    assert_same(before, snapshot(store))


def test_compacting_twice_is_a_no_op(store: Path) -> None:
    exp = store / NAME
    compact_experiment(exp)
    stamp = {p: (p.stat().st_mtime_ns, p.stat().st_size) for p in compacted_files(exp)}
    report = compact_experiment(exp)
    assert report.compacted == 0 and report.already == 6 and report.parts == []
    assert {p: (p.stat().st_mtime_ns, p.stat().st_size) for p in compacted_files(exp)} == stamp


def test_resumed_sweep_after_compaction_redoes_nothing_and_extra_seeds_add_a_part(store: Path, tmp_path: Path) -> None:
    exp = store / NAME
    compact_experiment(exp)
    run_in_process(SPEC, tmp_path, store)  # the same plan again: every run is compacted, so "ok"
    assert run_dirs(exp) == []
    run_in_process(SPEC.replace("seeds: 3", "seeds: 5"), tmp_path, store)  # an extended sweep
    assert len(run_dirs(exp)) == 4  # only the new seeds ran
    before = snapshot(store)
    report = compact_experiment(exp)
    assert report.compacted == 4 and report.already == 6 and report.parts == ["part-00001"]
    assert_same(before, snapshot(store))
    assert len(before["runs"]) == 10


def test_run_status_of_compacted_runs_is_ok_and_the_manifest_is_read_once(store: Path) -> None:
    exp = store / NAME
    runs = load_runs(NAME, store)
    compact_experiment(exp)
    layout._INDEX_CACHE.clear()
    statuses = [layout.run_status(layout.run_dir(exp, h, s)) for h, s in zip(runs["config_hash"], runs["seed"],
                                                                            strict=True)]
    assert statuses == ["ok"] * 6 and len(layout._INDEX_CACHE) == 1
    cached = layout._INDEX_CACHE[str(exp / "compact" / "manifest.json")][1]
    assert layout.compact_index(exp) is cached  # unchanged file: not parsed again
    assert layout.run_status(layout.run_dir(exp, runs["config_hash"][0], 99)) is None  # not run


def test_a_200_run_store_compacts_into_a_handful_of_files(pristine: Path, tmp_path: Path) -> None:
    """200 runs (2 configurations x 100 seeds, folders cloned from the real seed-0 runs)."""
    exp = tmp_path / "results" / NAME
    (exp / "runs").mkdir(parents=True)
    spec = yaml.safe_load((pristine / NAME / "experiment.yaml").read_text())
    spec["seeds"] = 100
    (exp / "experiment.yaml").write_text(yaml.safe_dump(spec))
    for config in (pristine / NAME / "runs").iterdir():
        for s in range(100):
            shutil.copytree(config / "seed=0", exp / "runs" / config.name / f"seed={s}")
    before = snapshot(tmp_path / "results")
    files_before, folders_before = count_entries(exp)
    assert files_before == 600 + 1 and folders_before == 1 + 1 + 2 + 200  # + experiment.yaml; exp, runs, configs
    report = compact_experiment(exp)
    files, folders = count_entries(exp)
    assert report.compacted == 200 and files <= 6 and folders <= 6, (files, folders)
    assert_same(before, snapshot(tmp_path / "results"))


def test_corrupt_and_failed_runs_are_not_compacted_and_stay_reported(store: Path) -> None:
    exp = store / NAME
    dirs = run_dirs(exp)
    (dirs[0] / "region.parquet").write_bytes(b"\0" * (dirs[0] / "region.parquet").stat().st_size)
    (dirs[1] / "provenance.json").unlink()
    (dirs[1] / "failed.json").write_text(json.dumps({"status": "failed", "error": "boom"}))
    report = compact_experiment(exp)
    assert report.compacted == 4 and {s for s, _ in report.left} == {"corrupt", "failed"}
    assert any(str(dirs[0]) in what for _, what in report.left)
    assert run_dirs(exp) == dirs[:2]
    assert layout.run_status(dirs[0]) == "corrupt" and layout.run_status(dirs[1]) == "failed"
    with pytest.warns(StoreWarning, match="region.parquet"):
        runs = load_runs(NAME, store)
    assert len(runs) == 5 and list(runs["status"]).count("failed") == 1
    assert compact_experiment(exp).left == report.left  # reported again, still not compacted


def test_a_damaged_part_is_reported_and_its_runs_are_corrupt(store: Path) -> None:
    exp = store / NAME
    compact_experiment(exp, runs_per_part=3)
    part = exp / "compact" / "region" / "part-00000.parquet"
    data = bytearray(part.read_bytes())
    data[len(data) // 2] ^= 1
    part.write_bytes(bytes(data))
    with pytest.warns(StoreWarning, match="part-00000"):
        runs = load_runs(NAME, store)
    assert len(runs) == 3
    manifest = json.loads((exp / "compact" / "manifest.json").read_text())
    h, seeds = next(iter(manifest["parts"][0]["runs"].items()))
    assert layout.run_status(layout.run_dir(exp, h, seeds[0])) == "corrupt"  # a resumed sweep redoes it


def test_duckdb_and_pandas_read_the_parts_without_this_project(store: Path) -> None:
    import duckdb

    before = load_region(NAME, store)
    compact_experiment(store / NAME)
    glob = str(store / NAME / "compact" / "region" / "*.parquet")
    query = f"SELECT count(*), count(DISTINCT (config_hash, seed)) FROM read_parquet('{glob}')"
    n, runs = duckdb.sql(query).fetchall()[0]
    assert (n, runs) == (len(before), 6)
    by_practice = duckdb.sql(f"SELECT practice, count(*) FROM read_parquet('{glob}') GROUP BY 1 ORDER BY 1").fetchall()
    assert by_practice == [("contextual", 21), ("exploit_only", 21)]
    units = pd.read_parquet(store / NAME / "compact" / "units")
    assert len(units) == 6 * 7 * 5 and {"config_hash", "seed", "practice", "kind", "stage"} <= set(units.columns)
    provenance = pd.read_parquet(store / NAME / "compact" / "runs")
    assert len(provenance) == 6 and json.loads(provenance["provenance"][0])["status"] == "ok"


def test_one_run_reads_the_same_from_its_folder_and_compacted(store: Path) -> None:
    runs = load_runs(NAME, store)
    path, h, s = runs["path"][3], runs["config_hash"][3], int(runs["seed"][3])
    region, units, provenance = read_stored_run(path)
    compact_experiment(store / NAME)
    assert not Path(path).exists()
    for got in (read_stored_run(path), read_one_run(NAME, h, s, store)):
        pd.testing.assert_frame_equal(got[0], region, check_exact=True)
        pd.testing.assert_frame_equal(got[1], units, check_exact=True)
        assert got[2] == provenance
    from viz import store_reader

    replay_units, config = store_reader.read_replay(path)
    pd.testing.assert_frame_equal(replay_units, units)
    assert config == provenance["config"]


def test_compare_and_results_show_give_the_same_tables_on_a_compacted_store(
        store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    outputs = {}
    for when in ("before", "after"):
        if when == "after":
            assert main(["results", "compact", NAME, "--root", str(store)]) == 0
        capsys.readouterr()
        assert main(["compare", NAME, "--root", str(store), "--out", str(tmp_path / when), "--no-figures"]) == 0
        assert main(["results", "show", NAME, "--root", str(store)]) == 0
        outputs[when] = capsys.readouterr().out.replace(str(tmp_path / when), "<out>")
    assert outputs["before"] == outputs["after"]
    for f in ("summary.csv", "paired.csv", "differing_keys.csv"):
        assert (tmp_path / "before" / f).read_text() == (tmp_path / "after" / f).read_text(), f
    assert "practice.name" in (tmp_path / "after" / "differing_keys.csv").read_text()
    table = [line for line in (tmp_path / "after" / "report.md").read_text().splitlines() if line.startswith("|")]
    assert table and table == [line for line in (tmp_path / "before" / "report.md").read_text().splitlines()
                               if line.startswith("|")]


def test_sensitivity_gives_the_same_indices_on_a_compacted_store(tmp_path: Path) -> None:
    from abm.analysis.sensitivity import indices

    text = ("name: sens_c\nbase: [organisation=small, weeks=4]\nsensitivity:\n  method: morris\n  trajectories: 2\n"
            "  levels: 4\n  params:\n    practice.budget: [0.0, 0.4]\n    learning.p_socialise: [0.01, 0.5]\n"
            "seeds: 1\nmetrics: [maturity_total]\n")
    root = tmp_path / "results"
    run_in_process(text, tmp_path, root)
    before = indices("sens_c", "maturity_total", root=root)
    assert main(["results", "compact", "sens_c", "--root", str(root)]) == 0
    pd.testing.assert_frame_equal(indices("sens_c", "maturity_total", root=root), before, check_exact=True)
    assert main(["sensitivity", "sens_c", "--root", str(root)]) == 0


def test_compact_cli_refuses_an_unknown_experiment_and_a_running_sweep(store: Path) -> None:
    r = abm("results", "compact", "nope", "--root", str(store))
    assert r.returncode == 2 and "no results for experiment 'nope'" in r.stderr
    assert "compact" in abm("results", "--help").stdout
    import fcntl

    with open(store / NAME / ".lock", "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        r = abm("results", "compact", NAME, "--root", str(store))
    assert r.returncode == 2 and "already running" in r.stderr and len(run_dirs(store / NAME)) == 6
    assert not os.path.exists(store / NAME / "compact" / "manifest.json")
