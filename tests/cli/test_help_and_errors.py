"""Every subcommand answers --help with its full usage and exit status 0, and names itself in its errors
(one argument parser class for all of them: abm.cli.args.Parser)."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

from abm import __version__
from abm.cli import COMMANDS, main

# Every option each subcommand accepts must appear in its --help.
OPTIONS = {
    "run": ["--multirun", "--cfg", "--package", "--resolve", "--info"],
    "experiment": ["--workers", "--launcher", "--root", "--seeds", "--no-progress"],
    "results": ["--root", "list", "show"],
    "compare": ["--metric", "--week", "--baseline", "--root", "--out", "--no-figures"],
    "sensitivity": ["--metric", "--week", "--root", "--out"],
    "validate": ["--quick", "--out", "--workers", "--only"],
    "calibrate": ["--workers", "--launcher", "--root", "--out", "--force-new"],
    "optimise": ["--workers", "--launcher", "--root", "--out", "--force-new"],
    "discover": ["--workers", "--launcher", "--root", "--out", "--force-new"],
    "viz": ["--host", "--port"],
}


def test_options_table_covers_every_command() -> None:
    assert sorted(OPTIONS) == sorted(COMMANDS)


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help_exits_0_with_the_full_usage(command: str, flag: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([command, flag]) == 0
    out = capsys.readouterr()
    assert out.out.startswith(f"usage: abm {command}") and out.err == ""
    for option in OPTIONS[command]:
        assert option in out.out, option


@pytest.mark.parametrize(("args", "prefix", "detail"), [
    (["results", "bogus"], "results: ", "argument action: invalid choice: 'bogus'"),
    (["compare", "--week", "x", "foo"], "compare: ", "argument --week: invalid int value: 'x'"),
    (["compare"], "compare: ", "the following arguments are required: EXPERIMENT"),
    (["sensitivity"], "sensitivity: ", "the following arguments are required: experiment"),
    (["experiment"], "experiment: ", "the following arguments are required: name"),
    (["experiment", "quickstart", "--launcher", "pbs"], "experiment: ", "argument --launcher: invalid choice"),
    (["validate", "--bogus"], "validate: ", "unknown argument '--bogus'"),
    (["calibrate"], "calibrate: ", "the following arguments are required: name"),
    (["calibrate", "x", "--launcher", "mpi"], "calibrate: ", "argument --launcher: invalid choice"),
    (["discover"], "discover: ", "the following arguments are required: name"),
    (["viz", "--colour", "red"], "viz: ", "unknown argument '--colour'"),
    (["run", "--frobnicate"], "run: ", "unknown argument '--frobnicate'"),
])
def test_each_error_is_one_line_naming_its_own_subcommand(args: list[str], prefix: str, detail: str,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"abm: error: {prefix}") and detail in err[0], err
    assert "experiment:" not in err[0] or args[0] == "experiment"


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"ehealth-abm {__version__}"


def test_version_is_the_packages_version() -> None:
    from importlib import metadata

    assert metadata.version("ehealth-abm") == __version__
    assert re.fullmatch(r"\d+\.\d+\.\d+", __version__)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_module_uses_the_one_parser(command: str) -> None:
    module = importlib.import_module(COMMANDS[command].split(":")[0])
    text = Path(module.__file__).read_text(encoding="utf-8")
    assert "Parser(" in text and "argparse.ArgumentParser(" not in text
