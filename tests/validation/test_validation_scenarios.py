"""The docking scenarios are configs of the full model: they compose, validate and run from the CLI."""

from __future__ import annotations

import pytest

from abm.cli import main
from abm.core.model import RegionModel
from abm.core.params import AdoptionParams, ModelParams
from abm.errors import ParamError
from abm.validation.scenarios import SCENARIOS, scenario_params


@pytest.mark.parametrize("name", SCENARIOS)
def test_scenario_runs_from_the_command_line(name, tmp_path, capsys):
    assert main(["run", f"scenario={name}", "weeks=3", f"hydra.run.dir={tmp_path}"]) == 0
    assert (tmp_path / "region.parquet").is_file()
    assert name in capsys.readouterr().out


def test_march1991_switches_off_services_management_knowhow_and_exploration():
    p = scenario_params("march1991")
    assert (p.organisation.n_units, p.organisation.n_staff, p.organisation.n_dims) == (1, 50, 30)
    assert not (p.scenario.services or p.scenario.management or p.scenario.knowhow)
    assert p.practice.name == "exploit_only" and p.scenario.stop_at_equilibrium


def test_threshold_scenario_gives_each_person_their_own_threshold():
    p = scenario_params("threshold")
    model = RegionModel(p, collect=False)
    assert list(model.staff.threshold) == list(range(100))


def test_complex_contagion_seeds_one_person_and_their_neighbours():
    model = RegionModel(scenario_params("complex_contagion"), collect=False)
    assert sorted(map(int, model.staff.uses[:, 0].nonzero()[0])) == [0, 1, 2, 998, 999]


def test_per_person_values_must_match_the_staff_count():
    with pytest.raises(ParamError, match="adoption.threshold_each"):
        ModelParams(adoption=AdoptionParams(threshold_each=(1.0, 2.0)))
    with pytest.raises(ParamError, match="adoption.threshold_each"):
        AdoptionParams(threshold_each=(-1.0,))


def test_bad_validate_arguments_exit_2_and_write_nothing(tmp_path, capsys):
    out = tmp_path / "report"
    assert main(["validate", "--workers", "0", "--out", str(out)]) == 2
    assert main(["validate", "--only", "nope"]) == 2
    assert main(["validate", "--frobnicate"]) == 2
    assert not out.exists()
    assert "abm: error:" in capsys.readouterr().err


def test_validate_writes_a_report_and_exits_0_when_checks_pass(tmp_path, capsys):
    out = tmp_path / "report"
    assert main(["validate", "--quick", "--only", "granovetter", "--out", str(out), "--workers", "1"]) == 0
    text = (out / "report.md").read_text()
    assert "2 of 2 checks passed" in text and "granovetter_one_replaced" in text
    assert "- version: ehealth-abm " in text and "- git commit: " in text and "- created: " in text
    assert (out / "results.csv").read_text().startswith("check,parameters,measured")
