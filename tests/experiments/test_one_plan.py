"""A store belongs to one plan (its configurations by config_hash, and its seeds): another plan under the
same name is refused with one line and nothing written; more seeds extend it; --force-new replaces it; and
`abm compare` on a store whose runs do not match its plan says so in one line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from abm.cli import main
from tests.helpers.experiment_helpers import abm, run_dirs, tree_snapshot

BASE = "name: tiny\nbase: [organisation=small, weeks=3]\nsweep:\n  practice: exploit_only,contextual\nseeds: 2\n"
RUN = ["--workers", "1", "--no-progress"]


def write(tmp: Path, text: str, file: str = "tiny.yaml") -> str:
    path = tmp / file
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.fixture
def store(tmp_path: Path) -> Path:
    root = tmp_path / "results"
    assert main(["experiment", write(tmp_path, BASE), *RUN, "--root", str(root)]) == 0
    return root


OTHER_PLANS = {
    "an added override": (BASE, ["environment=turbulent"], "new: environment=turbulent"),
    "another file with the same name": (BASE.replace("exploit_only,contextual", "structural"), [],
                                        "not in this plan"),
    "a changed base": (BASE.replace("weeks=3", "weeks=4"), [], "new: weeks=4"),
    "fewer seeds": (BASE.replace("seeds: 2", "seeds: 1"), [], "the store has seeds 0,1, this plan 0"),
    "other seeds": (BASE.replace("seeds: 2", "seeds: [5, 6]"), [], "the store has seeds 0,1, this plan 5,6"),
    "a changed sweep value": (BASE, ["practice=exploit_only,structural"], "new: practice=structural"),
}


@pytest.mark.parametrize("case", list(OTHER_PLANS))
def test_another_plan_under_the_same_name_is_one_line_exit_2_nothing_written(
        case: str, store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text, overrides, needle = OTHER_PLANS[case]
    capsys.readouterr()
    before = tree_snapshot(store)
    file = write(tmp_path, text, "other.yaml")
    assert main(["experiment", file, *overrides, *RUN, "--root", str(store)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "holds another plan" in err[0] and needle in err[0], err
    assert "--force-new" in err[0] and "name:" in err[0]
    assert tree_snapshot(store) == before


def test_another_plan_from_the_real_command_line_is_refused_without_a_traceback(store: Path, tmp_path: Path) -> None:
    out = abm("experiment", write(tmp_path, BASE, "again.yaml"), "environment=turbulent", *RUN, "--root", str(store))
    assert out.returncode == 2 and out.stderr.count("\n") == 1 and "Traceback" not in out.stderr


def test_more_seeds_extend_the_store_and_metadata_may_change(store: Path, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    text = BASE.replace("seeds: 2", "seeds: 3") + "description: now with three seeds\n"
    assert main(["experiment", write(tmp_path, text), *RUN, "--root", str(store)]) == 0
    assert "6 ok, 0 failed, 0 missing (4 already done before)" in capsys.readouterr().out
    assert "three seeds" in (store / "tiny" / "experiment.yaml").read_text()


def test_force_new_moves_the_old_store_aside_and_starts_afresh(store: Path, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    old_runs = {d.relative_to(store / "tiny") for d in run_dirs(store / "tiny")}
    file = write(tmp_path, BASE)
    assert main(["experiment", file, "environment=turbulent", *RUN, "--force-new", "--root", str(store)]) == 0
    out = capsys.readouterr().out
    assert "4 ok, 0 failed, 0 missing (0 already done before)" in out
    aside = [p for p in store.iterdir() if p.name.startswith("tiny.replaced-")]
    assert len(aside) == 1 and f"moved aside to {aside[0]}" in out
    assert {d.relative_to(aside[0]) for d in run_dirs(aside[0])} == old_runs  # kept whole
    assert not {d.relative_to(store / "tiny") for d in run_dirs(store / "tiny")} & old_runs
    assert main(["compare", "tiny", "--no-figures", "--root", str(store)]) == 0
    assert main(["experiment", file, "environment=turbulent", *RUN, "--root", str(store)]) == 0  # now it resumes
    assert "(4 already done before)" in capsys.readouterr().out


def test_compare_on_a_store_whose_runs_do_not_match_its_plan_is_one_line(store: Path, tmp_path: Path) -> None:
    """As a store mixed by the previous version looks: runs of another plan beside the planned ones."""
    other = tmp_path / "other"
    assert main(["experiment", write(tmp_path, BASE), "environment=turbulent", *RUN, "--root", str(other)]) == 0
    for config in (other / "tiny" / "runs").iterdir():
        shutil.copytree(config, store / "tiny" / "runs" / config.name)
    out = abm("compare", "tiny", "--no-figures", "--root", str(store))
    assert out.returncode == 2 and "Traceback" not in out.stderr, out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "4 stored runs are not in the plan" in lines[0] and "--force-new" in lines[0]
    assert not (store / "tiny" / "compare").exists()


def test_an_unreadable_stored_plan_is_one_line_and_force_new_replaces_it(
        store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (store / "tiny" / "experiment.yaml").write_bytes(b"name: [tiny\n\xff\xfe")
    before = tree_snapshot(store)
    capsys.readouterr()
    file = write(tmp_path, BASE)
    assert main(["experiment", file, *RUN, "--root", str(store)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "unreadable experiment.yaml" in err[0] and "--force-new" in err[0], err
    assert tree_snapshot(store) == before
    assert main(["experiment", file, *RUN, "--force-new", "--root", str(store)]) == 0
    assert "4 ok, 0 failed, 0 missing (0 already done before)" in capsys.readouterr().out
