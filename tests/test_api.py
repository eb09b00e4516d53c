"""The notebook entry point: compose from overrides, run, get DataFrames, no side effects."""

from __future__ import annotations

import json
import os

import pytest

import abm
from abm.errors import UserError
from abm.store.files import read_run


def test_run_returns_tables_and_writes_nothing_by_default(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = abm.run(["organisation=small", "weeks=20", "practice=structural", "seed=1"])
    assert list(result.region["week"]) == list(range(21))
    assert set(result.units["unit"]) == set(range(5))
    assert result.params.practice.name == "structural"
    assert result.provenance["config"]["practice"]["name"] == "structural"
    assert result.provenance["seed"] == 1 and result.provenance["version"]
    assert os.listdir(tmp_path) == []


def test_out_dir_writes_readable_files_with_provenance(tmp_path):
    result = abm.run(["organisation=small", "weeks=5"], out_dir=tmp_path / "run")
    region, units, prov = read_run(tmp_path / "run")
    assert region.equals(result.region) and units.equals(result.units)
    assert prov["weeks_run"] == 5 and "git_commit" in prov and prov["wall_time_s"] > 0
    json.dumps(prov)


def test_compose_gives_typed_params_and_bad_overrides_raise_user_errors():
    params = abm.compose(["practice=sequential", "practice.period_weeks=26"])
    assert params.practice.period_weeks == 26
    with pytest.raises(UserError, match="practice.period_weeks=1"):
        abm.compose(["practice.period_weeks=1"])
