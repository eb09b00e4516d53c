"""The results store: DuckDB queries return pandas; corrupt files are reported by name, not a crash."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from abm.cli import main
from abm.store.reader import (
    StoreWarning,
    list_experiments,
    load_region,
    load_runs,
    load_units,
    show_experiment,
)
from tests.helpers.experiment_helpers import run_in_process

SPEC = ("name: storetest\ndescription: store test\nbase: [organisation=small, weeks=6]\n"
        "sweep:\n  practice: exploit_only,contextual\nseeds: 3\nmetrics: [maturity_total, care_production]\n"
        "baseline: practice=exploit_only\n")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("store")
    run_in_process(SPEC, tmp, tmp / "results")
    return tmp / "results"


def test_layout_and_provenance(store: Path) -> None:
    exp = store / "storetest"
    assert (exp / "experiment.yaml").is_file()
    dirs = sorted(exp.glob("runs/*/seed=*"))
    assert len(dirs) == 6 and {d.name for d in dirs} == {"seed=0", "seed=1", "seed=2"}
    runs = load_runs("storetest", store)
    assert list(runs.columns[:3]) == ["config_hash", "seed", "status"] and "practice" in runs.columns
    assert set(runs["status"]) == {"ok"} and runs.groupby("practice").size().to_dict() == {
        "contextual": 3,
        "exploit_only": 3,
    }
    assert runs["config_hash"].str.len().eq(12).all() and runs["config_hash"].nunique() == 2


def test_load_region_and_units(store: Path) -> None:
    region = load_region("storetest", store, metrics=["maturity_total"])
    assert len(region) == 6 * 7 and set(region.columns) >= {"config_hash", "seed", "practice", "week", "maturity_total"}
    units = load_units("storetest", store)
    assert len(units) == 6 * 7 * 5 and "kind" in units.columns and "practice" in units.columns
    listed = list_experiments(store)
    assert (
        listed.loc[0, "experiment"] == "storetest" and listed.loc[0, "runs_ok"] == 6 and listed.loc[0, "planned"] == 6
    )
    shown = show_experiment("storetest", store)
    assert set(shown["ok"]) == {3} and "mean_maturity_total" in shown.columns


def test_results_cli(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["results", "list", "--root", str(store)]) == 0
    assert "storetest" in capsys.readouterr().out
    assert main(["results", "show", "storetest", "--root", str(store)]) == 0
    out = capsys.readouterr().out
    assert "contextual" in out and "exploit_only" in out
    assert main(["results", "show", "nope", "--root", str(store)]) == 2
    assert "no results for experiment 'nope'" in capsys.readouterr().err


def test_corrupt_files_are_reported_by_name(store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "copy"
    shutil.copytree(store, root)
    runs = sorted((root / "storetest").glob("runs/*/seed=*"))
    bad_parquet = runs[0] / "region.parquet"
    bad_parquet.write_bytes(bad_parquet.read_bytes()[:200])  # truncated
    bad_json = runs[1] / "provenance.json"
    bad_json.write_text('{"truncated', encoding="utf-8")
    with pytest.warns(StoreWarning) as caught:
        region = load_region("storetest", root, metrics=["maturity_total"])
    messages = " ".join(str(w.message) for w in caught)
    assert str(bad_parquet) in messages and str(bad_json) in messages
    assert region["seed"].size == 4 * 7  # the four intact runs
    assert main(["results", "show", "storetest", "--root", str(root)]) == 0
    err = capsys.readouterr().err  # warnings go to stderr
    assert str(bad_parquet) in err and "corrupt" in err


def test_written_files_respect_the_umask(tmp_path) -> None:
    """A results folder shared by a group stays readable by the group (mkstemp alone would give 0600)."""
    import os
    import stat

    from abm.store import files

    old = os.umask(0o027)
    files.file_mode.cache_clear()
    try:
        files.write_text(tmp_path / "a.txt", "x")
        assert stat.S_IMODE((tmp_path / "a.txt").stat().st_mode) == 0o640
    finally:
        os.umask(old)
        files.file_mode.cache_clear()
    files.write_text(tmp_path / "b.txt", "x")
    assert stat.S_IMODE((tmp_path / "b.txt").stat().st_mode) == 0o666 & ~old


def test_collected_notes_see_only_their_own_threads_reads(store: Path, tmp_path: Path) -> None:
    """The app's sessions read the store from their own threads at the same time: each collector gets the
    reports of its own reads only (warnings.catch_warnings would mix them), and outside a collector the
    reader still warns."""
    import threading

    from abm.store.reader import collected_notes

    roots = []
    for name in ("a", "b"):
        root = tmp_path / name
        shutil.copytree(store, root)
        bad = sorted((root / "storetest").glob("runs/*/seed=*"))[0] / "provenance.json"
        bad.write_text("{not json", encoding="utf-8")
        roots.append((root, bad))
    barrier, seen = threading.Barrier(2), {}

    def read(root: Path) -> None:
        with collected_notes() as notes:
            barrier.wait()
            for _ in range(5):
                load_region("storetest", root, metrics=["maturity_total"])
        seen[root] = notes

    threads = [threading.Thread(target=read, args=(root,)) for root, _ in roots]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    for (root, bad), (_, other_bad) in zip(roots, roots[::-1], strict=True):
        assert any(str(bad) in n for n in seen[root]) and not any(str(other_bad) in n for n in seen[root])
        assert len(seen[root]) == len(set(seen[root]))  # each message once
    with pytest.warns(StoreWarning, match="provenance.json"):
        load_region("storetest", roots[0][0], metrics=["maturity_total"])
