"""Hostile input from an independent probe: each gets one `abm: error:` line on stderr naming the key or
option, the value and what is allowed, exit status 2, no traceback and nothing written (all failed on the
code before these checks: tracebacks, hangs, run-time failures or silent misbehaviour)."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from abm.cli import main
from tests.cli.test_cli import ABM, abm, files_under

HUGE = "1" + "0" * 400  # 401 digits: more than a float holds (about 309 digits)
SEED_RANGE = "[0, 9223372036854775807]"


def one_error_line(out: subprocess.CompletedProcess[str], *expected: str) -> str:
    assert out.returncode == 2, (out.returncode, out.stdout[-500:], out.stderr[-500:])
    assert "Traceback" not in out.stderr + out.stdout
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("abm: error: "), out.stderr
    for text in expected:
        assert text in lines[0], (text, lines[0])
    return lines[0]


RUN_INPUTS = [
    (["seed=" + HUGE], ["seed=100000...000 (an integer of 401 digits)", SEED_RANGE]),
    (["organisation.n_staff=" + HUGE], ["organisation.n_staff=100000...000", "an integer in [1, 10000000]"]),
    (["practice.budget=" + HUGE], ["practice.budget=100000...000", "a number in [0.0, 0.5]"]),
    (["-m", "seed=0,9223372036854775808"], ["seed=9223372036854775808", SEED_RANGE]),
    (["-m", "seed=range(0,10000000000000)"], ["10,000,000,000,000 runs", "at most 10,000,000 runs"]),
    (["-m", "practice.budget=range(0,0.9,0.0000001)", "seed=0,1"], ["18,000,000 runs", "at most 10,000,000"]),
    (["-m", "--cfg", "job"], ["--multirun with --cfg", "at most one of -m/--multirun, --cfg, --info"]),
    (["--cfg", "job", "organisation.n_units=1", "organisation.n_innovation_units=5"],
     ["organisation.n_innovation_units=5", "fewer than organisation.n_units (1)"]),
    (["organisation.n_units=1", "organisation.n_innovation_units=5"],
     ["organisation.n_innovation_units=5", "fewer than organisation.n_units (1)"]),
    (["organisation.n_units=1"], ["organisation.n_innovation_units=2", "fewer than organisation.n_units (1)"]),
    (["management.abandon_share=0.7"], ["management.abandon_share=0.7", "below management.routinise_share (0.6)"]),
    (["hydra.run.dir=/proc/abm-out", "weeks=2"], ["hydra.run.dir='/proc/abm-out'", "a writable folder"]),
    (["-m", "hydra.sweep.dir=/proc/abm-out", "seed=0,1"], ["hydra.sweep.dir='/proc/abm-out'", "a writable folder"]),
    (["organisation.n_staff=10000000", "organisation.n_dims=1000", "organisation.n_units=10000",
      "organisation.n_innovation_units=1", "weeks=100000"],
     ["organisation.n_staff=10000000", "needs about", "GiB of memory", "this machine has available"]),
]


@pytest.mark.parametrize(("args", "expected"), RUN_INPUTS, ids=[" ".join(a)[:50] for a, _ in RUN_INPUTS])
def test_hostile_run_input_gets_one_line_exit_2_and_nothing_written(tmp_path, args, expected):
    one_error_line(abm("run", *args, cwd=tmp_path), *expected)
    assert files_under(tmp_path) == []


SMALL = "name: probe\nbase: [organisation=small, weeks=2]\n"


def alias_bomb() -> str:
    lines = [SMALL.strip(), 'l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, 9)]
    return "\n".join([*lines, "description: *l8"]) + "\n"


EXPERIMENT_FILES = [
    (SMALL + "seeds: 1000000000000\n", ["seeds=1000000000000", "a count in [1, 10,000,000]"]),
    (SMALL + f"seeds: {HUGE}\n", ["seeds=100000...000 (an integer of 401 digits)", "[1, 10,000,000]"]),
    (SMALL + "seeds: [0, 9223372036854775808]\n", ["9223372036854775808", f"seeds in {SEED_RANGE}"]),
    (SMALL + "launcher: {workers: two}\n", ["launcher.workers='two'", "an integer in [1, 1,000,000]"]),
    (SMALL + "launcher: {workers: 0}\n", ["launcher.workers=0", "an integer in [1, 1,000,000]"]),
    (SMALL + "launcher: {workers: -4}\n", ["launcher.workers=-4", "an integer in [1, 1,000,000]"]),
    (SMALL + "launcher: {time_min: an hour}\n", ["launcher.time_min='an hour'", "an integer in [1,"]),
    (SMALL + "sweep: {practice.budget: 'range(0,0.9,0.0000001)'}\nseeds: 10\n",
     ["9,000,000 configurations x 10 seeds is 90,000,000 runs", "at most 10,000,000 runs"]),
    ("name: probe\nseeds: 3\nsweep: {practice.budget: '0.1,0.2'}\nbase: [organisation.n_units=1, "
     "organisation.n_innovation_units=5]\n",
     ["organisation.n_innovation_units=5", "fewer than organisation.n_units (1)"]),
    (SMALL.encode() + b"description: caf\xe9\n", ["byte 0xe9 at position", "UTF-8 text"]),
    (alias_bomb(), ["aliases expand it beyond 100,000 nodes"]),
    (SMALL + "description: &d [*d]\n", ["an alias refers to a node that contains it"]),
    (SMALL + "#" * (2**20 + 1) + "\n", ["bytes is not allowed: at most 1,048,576 bytes"]),
]


@pytest.mark.parametrize(("text", "expected"), EXPERIMENT_FILES, ids=[f"file{i}" for i in range(len(EXPERIMENT_FILES))])
def test_hostile_experiment_file_gets_one_line_exit_2_and_nothing_written(tmp_path, text, expected):
    spec = tmp_path / "probe.yaml"
    spec.write_bytes(text if isinstance(text, bytes) else text.encode())
    work = tmp_path / "work"
    work.mkdir()
    line = one_error_line(abm("experiment", str(spec), "--root", "results", "--no-progress", cwd=work), *expected)
    assert "probe.yaml" in line
    assert files_under(work) == []


EXPERIMENT_OPTIONS = [
    (["--seeds", "1000000000000"], ["--seeds=1000000000000", "a count in [1, 10,000,000]"]),
    (["--seeds", HUGE], ["--seeds=100000...000", "a count in [1, 10,000,000]"]),
]


@pytest.mark.parametrize(("args", "expected"), EXPERIMENT_OPTIONS, ids=["seeds-1e12", "seeds-401-digits"])
def test_hostile_experiment_option_gets_one_line_exit_2_and_nothing_written(tmp_path, args, expected):
    one_error_line(abm("experiment", "quickstart", "--root", "results", *args, cwd=tmp_path), *expected)
    assert files_under(tmp_path) == []


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    """A results store with a two-seed quickstart and a tiny Morris design (a few seconds)."""
    root = tmp_path_factory.mktemp("store")
    (root / "tiny_morris.yaml").write_text(
        "name: tiny_morris\nbase: [organisation=small, weeks=3]\nseeds: 1\nmetrics: [maturity_total]\n"
        "sensitivity:\n  method: morris\n  trajectories: 2\n  levels: 4\n"
        "  params: {practice.budget: [0.0, 0.4], learning.p_turnover: [0.0, 0.01]}\n", encoding="utf-8")
    for name in ("quickstart", str(root / "tiny_morris.yaml")):
        out = abm("experiment", name, "--root", str(root / "results"), "--seeds", "2", "weeks=3", "--no-progress",
                  "--workers", "1", cwd=root)
        assert out.returncode == 0, out.stderr
    return root / "results"


def snapshot(root: Path) -> dict[Path, float]:
    return {p: p.stat().st_mtime for p in files_under(root)}


UNWRITABLE_OUT = [
    (["validate", "--quick", "--only", "march_mix", "--out", "/proc/abm-report"], "--out='/proc/abm-report'"),
    (["validate", "--quick", "--only", "march_mix", "--out", "/proc/self/status/report"], "--out='/proc/self/status"),
    (["compare", "quickstart", "--out", "/proc/abm-report"], "--out='/proc/abm-report'"),
    (["sensitivity", "tiny_morris", "--out", "/proc/abm-report"], "--out='/proc/abm-report'"),
]


@pytest.mark.parametrize(("args", "option"), UNWRITABLE_OUT, ids=["validate", "validate-under-file", "compare",
                                                                    "sensitivity"])
def test_an_unwritable_out_is_refused_before_any_work(tmp_path, store, args, option):
    before = snapshot(store)
    started = time.monotonic()
    one_error_line(abm(*args, "--root", str(store), cwd=tmp_path) if args[0] != "validate"
                   else abm(*args, cwd=tmp_path), option, "is not allowed")
    assert time.monotonic() - started < 15  # refused at once, not after the checks ran
    assert files_under(tmp_path) == [] and snapshot(store) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_out_is_refused(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        one_error_line(abm("validate", "--out", str(folder / "report"), cwd=tmp_path), "--out=", "a writable folder")
    finally:
        folder.chmod(0o755)


def test_a_full_disk_is_refused_naming_the_free_space(tmp_path, monkeypatch, capsys):
    import shutil

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(shutil, "disk_usage", lambda p: shutil._ntuple_diskusage(10**9, 10**9 - 4096, 4096))
    for args in (["validate", "--out", "report"], ["run", "weeks=2"]):
        assert main(args) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "at least 16 MiB free" in err[0] and "has 0 MiB free" in err[0], err
    assert files_under(tmp_path) == []


def test_a_run_too_large_for_memory_is_refused_with_the_estimate(tmp_path, monkeypatch, capsys):
    from abm.config import limits

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(limits, "available_bytes", lambda: 2**30)
    assert main(["run", "organisation.n_staff=2000000"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("abm: error: organisation.n_staff=2000000 is not allowed"), err
    assert "needs about 2." in err[0] and "GiB of memory, more than 90% of the 1.0 GiB" in err[0]
    assert files_under(tmp_path) == []
    assert main(["run", "organisation=small", "weeks=2"]) == 0  # a small run still fits in 1 GiB


def test_workers_above_the_cores_are_capped_with_a_note(tmp_path):
    out = abm("experiment", "quickstart", "--root", "results", "--seeds", "1", "weeks=2", "--workers", "100000",
              "--no-progress", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    cores = os.cpu_count()
    assert f"abm: note: --workers=100000 is more than the {cores} cores of this machine: using {cores}" in out.stderr


def test_two_runs_started_together_write_separate_folders(tmp_path):
    procs = [subprocess.Popen([ABM, "run", "organisation=small", "weeks=5", f"seed={s}"], cwd=tmp_path,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for s in (1, 2)]
    for p in procs:
        assert p.wait(timeout=300) == 0, p.stderr.read() if p.stderr else ""
    runs = sorted((tmp_path / "outputs" / "runs").iterdir())
    assert len(runs) == 2 and all((r / "provenance.json").is_file() for r in runs)


def test_stale_hidden_tmp_files_are_removed_by_the_next_run(tmp_path):
    old_run = tmp_path / "outputs" / "runs" / "2020-01-01_00-00-00"
    old_run.mkdir(parents=True)
    stale, fresh = old_run / ".region.parquet.abc.tmp", old_run / ".units.parquet.def.tmp"
    stale.write_bytes(b"half")
    fresh.write_bytes(b"being written")
    os.utime(stale, (time.time() - 3600, time.time() - 3600))
    assert abm("run", "organisation=small", "weeks=2", cwd=tmp_path).returncode == 0
    assert not stale.exists() and fresh.exists()


def test_a_multirun_composes_each_distinct_configuration_once(monkeypatch):
    from abm.config import hydra_bridge
    from abm.core.params import ModelParams

    composed: list[list[str]] = []
    monkeypatch.setattr(hydra_bridge, "compose_params", lambda o: composed.append(list(o)) or ModelParams())
    started = time.monotonic()
    hydra_bridge.validate_overrides(["seed=range(0,100000)", "practice=contextual,adaptive"], multirun=True)
    assert composed == [["practice=contextual", "seed=0"], ["practice=adaptive", "seed=0"]]
    assert time.monotonic() - started < 5


def test_store_warnings_go_to_stderr(capsys):
    from abm.cli.args import printed_store_warnings
    from abm.store.reader import warn

    with printed_store_warnings():
        warn("results/x/region.parquet is unreadable")  # how the reader reports an unreadable file
    out = capsys.readouterr()
    assert out.out == "" and out.err == "abm: warning: results/x/region.parquet is unreadable\n"


def test_the_memory_estimate_errs_high_but_within_a_third_of_the_benchmark():
    """docs/performance.md: organisation=system (100,000 staff) for 260 weeks peaks at 493 MiB RSS."""
    import abm
    from abm.config.limits import estimated_bytes

    mib = estimated_bytes(abm.compose(["organisation=system"])) / 2**20
    assert 493 <= mib <= 493 * 4 / 3, mib
