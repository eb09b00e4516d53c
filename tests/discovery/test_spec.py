"""Discovery files: each bad input is one line naming the file, the key and what is allowed, exit status 2,
and nothing written (through the real CLI); every shipped discovery file is valid."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from abm.cli import main
from abm.discovery.spec import load_discovery
from tests.helpers.discovery import UNCERTAIN, write_discovery

REPO = Path(__file__).resolve().parents[2]
DESIGNS = {"contextual": ["practice=contextual"], "structural": ["practice=structural"]}

BAD = [
    ({"criterion": {"outcome": "no_such_metric"}}, ["criterion.outcome='no_such_metric' is not allowed",
                                                    "a registered metric"]),
    ({"criterion": {"outcome": "maturity_total", "better": "bigger"}}, ["criterion.better='bigger'",
                                                                         "one of higher, lower"]),
    ({"criterion": {"outcome": "maturity_total", "margin": -1}}, ["criterion.margin=-1", "a number >= 0"]),
    ({"criterion": {"outcome": "maturity_total", "colour": 1}}, ["unknown key criterion.colour"]),
    ({"colour": "blue"}, ["unknown key 'colour'"]),
    ({"kind": "experiment"}, ["kind='experiment' is not allowed here: kind: discovery"]),
    ({"uncertain": {"environment.p_turbulence": [0.004, 0.001]}},
     ["uncertain.environment.p_turbulence=[0.004, 0.001]", "low < high"]),
    ({"uncertain": {"environment.p_turbulence": [0.002, 0.002]}}, ["low < high"]),
    ({"uncertain": {"environment.p_turbulence": [0.0, 2.0]}}, ["within the parameter's range [0, 1]"]),
    ({"uncertain": {"services.mandate_delay": [0, 600]}}, ["within the parameter's range [0, 520]"]),
    ({"uncertain": {"environment.shock_week": [10.5, 40]}}, ["whole numbers (an integer parameter)"]),
    ({"uncertain": {"environment.p_nosuch": [0, 1]}}, ["'environment.p_nosuch' is not a parameter of environment"]),
    ({"uncertain": {"nosuch.x": [0, 1]}}, ["'nosuch.x' is not a parameter: GROUP.NAME"]),
    ({"uncertain": {"practice.name": [0, 1]}}, ["'practice.name' is not allowed: a float or integer parameter"]),
    ({"uncertain": {}}, ["uncertain must map at least one parameter"]),
    ({"designs": {"contextual": ["practice=contextual"]}}, ["exactly two designs"]),
    ({"designs": {**DESIGNS, "networked": ["practice=networked"]}}, ["exactly two designs"]),
    ({"designs": {"contextual": ["practice=contextual"], "nosuch": ["practice=nosuch"]}},
     ["design nosuch's overrides", "practice=nosuch"]),
    ({"designs": {"a": ["practice=contextual"], "b": ["practice=contextual"]}}, ["have the same overrides"]),
    ({"base": ["environment.p_turbulence=0.001"]}, ["base sets 'environment.p_turbulence=0.001', an uncertain"]),
    ({"designs": {"contextual": ["practice=contextual", "services.advantage_scale=1.2"],
                  "structural": ["practice=structural"]}}, ["designs.contextual sets 'services.advantage_scale=1.2'"]),
    ({"base": ["seed=3"]}, ["'seed' cannot be set in base"]),
    ({"scenarios": 2}, ["scenarios=2 is not allowed: an integer in [4, 100,000]"]),
    ({"seeds": 0}, ["seeds=0 is not allowed"]),
    ({"prim": {"threshold": 0}}, ["prim.threshold=0 is not allowed: a number in (0.0, 1.0]"]),
    ({"prim": {"peel": 0.1}}, ["unknown key prim.peel"]),
    ({"launcher": {"nodes": 3}}, ["launcher key 'nodes' is not allowed"]),
]


def files_in(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


@pytest.mark.parametrize(("keys", "expected"), BAD, ids=[str(b[0])[:50] for b in BAD])
def test_a_bad_discovery_file_is_one_line_exit_2_and_nothing_written(tmp_path, capsys, keys, expected):
    path = write_discovery(tmp_path / "files", **keys)
    code = main(["discover", str(path), "--root", str(tmp_path / "store"), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and err[0].startswith(f"abm: error: {path}: "), err
    for text in expected:
        assert text in err[0], (text, err[0])
    assert files_in(tmp_path / "store") == [] and files_in(tmp_path / "out") == []


def test_the_real_command_line_refuses_a_bad_file_and_bad_arguments(tmp_path):
    path = write_discovery(tmp_path / "files", uncertain={**UNCERTAIN, "environment.p_turbulence": [0.0, 2.0]})

    def abm(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "abm.cli", "discover", *args, "--root", str(tmp_path / "store")],
                              cwd=REPO, capture_output=True, text=True, timeout=120)

    for out, text in ((abm(str(path)), "within the parameter's range [0, 1]"),
                      (abm("no_such_discovery"), "experiment 'no_such_discovery' not found")):
        assert out.returncode == 2 and "Traceback" not in out.stderr, out.stderr
        lines = out.stderr.strip().splitlines()
        assert len(lines) == 1 and text in lines[0], lines
    assert files_in(tmp_path / "store") == []


@pytest.mark.parametrize(("args", "text"), [(["extra=1"], "the override 'extra=1' is not allowed"),
                                            (["--workers", "0"], "--workers=0 is not allowed"),
                                            (["--launcher", "mpi"], "invalid choice: 'mpi'")])
def test_bad_arguments_are_one_line_exit_2_and_nothing_written(tmp_path, capsys, args, text):
    path = write_discovery(tmp_path / "files")
    code = main(["discover", str(path), *args, "--root", str(tmp_path / "store"), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and text in err[0], err
    assert files_in(tmp_path / "store") == [] and files_in(tmp_path / "out") == []


def test_an_experiment_file_points_to_abm_discover(tmp_path):
    from abm.errors import UserError
    from abm.experiments.spec import load_spec

    path = write_discovery(tmp_path)
    with pytest.raises(UserError, match="a discovery file .* run it with `abm discover tiny`"):
        load_spec(str(path))


DISCOVERY_FILES = sorted(p for p in (REPO / "experiments").glob("*.yaml") if "kind: discovery" in p.read_text())


def test_a_discovery_file_is_shipped():
    assert DISCOVERY_FILES


@pytest.mark.parametrize("path", DISCOVERY_FILES, ids=[p.stem for p in DISCOVERY_FILES])
def test_shipped_discovery_files_are_valid(path):
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# What it asks:") and f"uv run abm discover {path.stem}" in text
    disc = load_discovery(path.stem)
    assert disc.name == path.stem and len(disc.designs) == 2 and disc.factors
    assert set(disc.resolved) == set(disc.designs)
