"""A run's files are checked against what was recorded when it was written: a corrupt run is reported by
path, skipped by the reader and redone by the next sweep; stores written before the manifest still resume."""

from __future__ import annotations

import json
import shutil
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from abm.cli import main
from abm.store.files import FILES_KEY, read_run
from abm.store.layout import inspect_run, run_status
from abm.store.reader import StoreWarning, load_region, load_runs
from tests.helpers.experiment_helpers import run_dirs

SPEC = ("name: integrity\nbase: [organisation=small, weeks=6]\nsweep:\n  practice: exploit_only,contextual\n"
        "seeds: 2\nmetrics: [maturity_total]\nbaseline: practice=exploit_only\n")


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the experiment file, a finished store of it): 2 configurations x 2 seeds."""
    tmp = tmp_path_factory.mktemp("integrity")
    spec = tmp / "integrity.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    assert main(["experiment", str(spec), "--workers", "1", "--no-progress", "--root", str(tmp / "results")]) == 0
    return spec, tmp / "results"


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:200])


def same_size_garbage(path: Path) -> None:
    path.write_bytes(b"\0" * path.stat().st_size)


def flip_one_bit(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def garble_manifest(path: Path) -> None:
    prov = json.loads(path.read_text())
    prov[FILES_KEY] = "not a manifest"
    path.write_text(json.dumps(prov))


CORRUPTIONS: dict[str, tuple[str, Callable[[Path], None]]] = {
    "truncated region table": ("region.parquet", truncate),
    "units table overwritten, same size": ("units.parquet", same_size_garbage),
    "one bit flipped in the region table": ("region.parquet", flip_one_bit),
    "region table deleted": ("region.parquet", Path.unlink),
    "truncated provenance": ("provenance.json", truncate),
    "provenance that is not an object": ("provenance.json", lambda p: p.write_text("[1, 2]")),
    "garbled manifest": ("provenance.json", garble_manifest),
}


@pytest.mark.parametrize("case", list(CORRUPTIONS))
def test_a_corrupt_run_is_reported_by_path_and_redone_by_the_next_sweep(
        case: str, pristine: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec, store = pristine
    root = tmp_path / "results"
    shutil.copytree(store, root)
    runs = run_dirs(root / "integrity")
    victim = runs[1]
    name, corrupt = CORRUPTIONS[case]
    corrupt(victim / name)
    check = inspect_run(victim)
    assert check.status == "corrupt" and str(victim) in str(check.problem)
    assert run_status(runs[0]) == "ok"
    with pytest.warns(StoreWarning) as caught:  # the reader skips it and names it
        region = load_region("integrity", root, metrics=["maturity_total"])
    assert any(str(victim) in str(w.message) for w in caught)
    assert region.groupby(["config_hash", "seed"]).ngroups == 3
    assert main(["results", "show", "integrity", "--root", str(root)]) == 0
    err = capsys.readouterr().err  # store warnings go to stderr
    assert str(victim) in err and "corrupt" in err
    others = {p: p.stat().st_mtime_ns for d in runs if d != victim for p in d.iterdir()}
    assert main(["experiment", str(spec), "--workers", "1", "--no-progress", "--root", str(root)]) == 0
    out = capsys.readouterr().out
    assert "4 ok, 0 failed, 0 missing (3 already done before)" in out
    assert f"corrupt run redone: {victim}" in out
    assert all(p.stat().st_mtime_ns == t for p, t in others.items())  # the intact runs were not touched
    assert run_status(victim) == "ok"
    redone, original = read_run(victim), read_run(store / victim.relative_to(root))
    pd.testing.assert_frame_equal(redone[0], original[0])  # same config and seed: the same tables
    pd.testing.assert_frame_equal(redone[1], original[1])
    assert redone[2][FILES_KEY] == original[2][FILES_KEY]  # bit for bit: same sizes and checksums
    assert not [p for p in (root / "integrity").rglob(".*") if p.name.startswith((".tmp-", ".trash-"))]


def test_the_manifest_records_each_table_and_keeps_every_provenance_key(pristine: tuple[Path, Path]) -> None:
    _, store = pristine
    for d in run_dirs(store / "integrity"):
        prov = read_run(d)[2]
        assert set(prov[FILES_KEY]) == {"region.parquet", "units.parquet"}
        for name, entry in prov[FILES_KEY].items():
            assert entry["size"] == (d / name).stat().st_size and len(entry["blake2b"]) == 32
        assert {"config", "seed", "experiment", "config_hash", "overrides", "status", "wall_time_s"} <= set(prov)
        assert sorted(p.name for p in d.iterdir()) == ["provenance.json", "region.parquet", "units.parquet"]


def test_a_store_written_before_manifests_still_reads_and_resumes(
        pristine: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec, store = pristine
    root = tmp_path / "results"
    shutil.copytree(store, root)
    for d in run_dirs(root / "integrity"):  # as the previous version wrote them: no manifest
        prov = json.loads((d / "provenance.json").read_text())
        del prov[FILES_KEY]
        (d / "provenance.json").write_text(json.dumps(prov, indent=2))
    stamps = {p: p.stat().st_mtime_ns for p in (root / "integrity").glob("runs/*/*/*")}
    assert {run_status(d) for d in run_dirs(root / "integrity")} == {"ok"}
    with warnings.catch_warnings():
        warnings.simplefilter("error", StoreWarning)
        assert len(load_runs("integrity", root)) == 4
        assert load_region("integrity", root, metrics=["maturity_total"]).groupby(["config_hash", "seed"]).ngroups == 4
    assert main(["experiment", str(spec), "--workers", "1", "--no-progress", "--root", str(root)]) == 0
    assert "4 ok, 0 failed, 0 missing (4 already done before)" in capsys.readouterr().out
    assert all(p.stat().st_mtime_ns == t for p, t in stamps.items())


def test_intact_runs_verify_ok_with_and_without_checksums(pristine: tuple[Path, Path]) -> None:
    """Also prints what verifying costs per run (not a timed assertion): sizes only, and with checksums."""
    _, store = pristine
    dirs = run_dirs(store / "integrity")
    for checksums in (False, True):
        start = time.perf_counter()
        for _ in range(50):
            assert all(run_status(d, checksums=checksums) == "ok" for d in dirs)
        per_run = (time.perf_counter() - start) / (50 * len(dirs)) * 1e3
        print(f"verifying a run ({'sizes and checksums' if checksums else 'sizes'}): {per_run:.3f} ms")
