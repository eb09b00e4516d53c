"""Saved scenarios (the user's scenarios folder, valid experiment files, runnable by the real commands) and a
region of one's own (unit counts, staff, the e-health unit, services) translated exactly into parameters."""

from __future__ import annotations

import dataclasses
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

from abm.core.params import PRACTICES
from abm.errors import UserError
from tests.helpers.experiment_files import check_experiment_file
from tests.helpers.viz_support import abm_executable
from viz import region as rg
from viz.levers import Settings
from viz.scenario import save_scenario


@pytest.fixture
def scenarios(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "scenarios"
    monkeypatch.setenv("ABM_SCENARIOS", str(folder))
    return folder


def run_abm(args: list[str], scenarios: Path, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """`abm ARGS` as a subprocess with the scenarios folder set, from `cwd` (outside the checkout)."""
    env = {**os.environ, "ABM_SCENARIOS": str(scenarios), "ABM_RESULTS": str(cwd / "results")}
    return subprocess.run([*abm_executable(), *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)


# -- where scenarios go --------------------------------------------------------------------------------------

def test_the_scenarios_folder_is_the_env_var_else_the_xdg_user_data_folder(monkeypatch: pytest.MonkeyPatch,
                                                                            tmp_path: Path) -> None:
    from abm.paths import experiment_dirs, scenarios_dir

    monkeypatch.setenv("ABM_SCENARIOS", str(tmp_path / "mine"))
    assert scenarios_dir() == tmp_path / "mine"
    assert tmp_path / "mine" / "experiments" not in experiment_dirs()  # not there yet: not looked in
    (tmp_path / "mine" / "experiments").mkdir(parents=True)
    assert experiment_dirs()[-1] == tmp_path / "mine" / "experiments"
    monkeypatch.delenv("ABM_SCENARIOS")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert scenarios_dir() == tmp_path / "data" / "ehealth-abm" / "scenarios"
    monkeypatch.delenv("XDG_DATA_HOME")
    assert scenarios_dir() == Path.home() / ".local" / "share" / "ehealth-abm" / "scenarios"


def test_the_search_path_is_added_only_when_the_folder_exists(scenarios: Path) -> None:
    from abm.config.hydra_bridge import search_path_overrides

    assert search_path_overrides() == []
    (scenarios / "workshop").mkdir(parents=True)
    assert search_path_overrides() == [f"hydra.searchpath=['file://{scenarios.resolve().as_posix()}']"]


def test_viz_refuses_a_scenarios_folder_that_is_a_file_or_cannot_be_made(tmp_path: Path) -> None:
    afile = tmp_path / "afile"
    afile.write_text("x")
    for bad, reason in ((afile, "it exists and is not a folder"), (afile / "sub", "is a file, not a folder")):
        out = subprocess.run([*abm_executable(), "viz", "--scenarios", str(bad), "--port", "1"],
                             capture_output=True, text=True, timeout=60)
        assert out.returncode == 2 and reason in out.stderr and "--scenarios=" in out.stderr
        assert len(out.stderr.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]  # nothing written


def test_saving_never_writes_into_the_checkout(scenarios: Path) -> None:
    from abm.paths import SOURCE_ROOT

    work, exp = save_scenario("no_checkout", Settings("small"))
    for path in (work, exp):
        assert path.is_relative_to(scenarios) and not path.resolve().is_relative_to(SOURCE_ROOT.resolve())


def test_an_unusable_scenarios_folder_is_one_line_and_nothing_is_written(tmp_path: Path) -> None:
    afile = tmp_path / "afile"
    afile.write_text("x")
    with pytest.raises(UserError, match=r"the scenarios folder .*afile is not usable: it exists and is not a folder"):
        save_scenario("x", Settings(), folder=afile)
    assert afile.read_text() == "x"


# -- every saved file valid ----------------------------------------------------------------------------------

def test_saved_experiment_files_meet_the_rules_of_experiments(scenarios: Path) -> None:
    """The checks every file of experiments/ passes (tests/analysis/test_compare.py), on saved ones: from Live
    (one configuration: no sweep, no baseline) and from Compare (a sweep, its baseline one of its points)."""
    save_scenario("from_live", Settings("small", "structural").with_lever("practice.budget", 0.2))
    save_scenario("from_compare", Settings("small", "exploit_only"),
                  Settings("small", "adaptive").with_lever("practice.adaptive_gain", 6.0), "a question")
    live = check_experiment_file("from_live")
    assert live is not None and len(live) == 1
    compare = check_experiment_file("from_compare")
    assert compare is not None and len(compare) >= 2


@pytest.mark.parametrize("practice", PRACTICES)
def test_a_live_scenario_runs_with_abm_experiment_and_abm_run(practice: str, scenarios: Path,
                                                              tmp_path: Path) -> None:
    """The strategist's bug: `abm experiment NAME` of a Live save failed (its baseline named no swept value)."""
    name = f"live_{practice}"
    save_scenario(name, Settings("small", practice, seed=3))
    exp = run_abm(["experiment", name, "weeks=4", "--seeds", "2", "--workers", "1", "--no-progress"],
                  scenarios, tmp_path)
    assert exp.returncode == 0, exp.stderr[-2000:]
    assert len(list((tmp_path / "results" / name / "runs").glob("*/seed=*/region.parquet"))) == 2
    run = run_abm(["run", f"+workshop={name}", "weeks=4"], scenarios, tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]


def test_a_compare_scenario_runs_with_abm_experiment(scenarios: Path, tmp_path: Path) -> None:
    save_scenario("two_ways", Settings("small", "exploit_only"), Settings("small", "structural"))
    exp = run_abm(["experiment", "two_ways", "weeks=4", "--seeds", "2", "--workers", "1", "--no-progress"],
                  scenarios, tmp_path)
    assert exp.returncode == 0, exp.stderr[-2000:]


# -- a region of one's own -----------------------------------------------------------------------------------

def built_kinds(settings: Settings) -> list[int]:
    """Units of each kind (primary care, ward, specialist, innovation) in the model the settings build."""
    from abm.api import compose
    from abm.core.model import RegionModel

    model = RegionModel(compose(settings.overrides()))
    return np.bincount(model.units.kind.astype(np.int64), minlength=4).tolist()


def edited(settings: Settings, **change: object) -> rg.Region:
    return dataclasses.replace(rg.current(settings), **change)


@pytest.mark.parametrize("counts", [(3, 2, 1), (7, 0, 4), (0, 0, 2), (1, 5, 0), (13, 11, 9)])
@pytest.mark.parametrize("practice", ["contextual", "structural"])
def test_unit_counts_round_trip_to_the_built_model(counts: tuple[int, int, int], practice: str) -> None:
    base = Settings("small", practice)
    region = edited(base, primary_care=counts[0], wards=counts[1], specialist=counts[2], staff_per_unit=15)
    settings = rg.apply(base, region)
    innovation = 1 if practice == "structural" else 0  # the small preset's n_innovation_units
    assert built_kinds(settings) == [*counts, innovation]
    assert rg.current(settings) == region
    levers = dict(settings.levers)
    assert levers["organisation.n_staff"] == 15 * sum(counts)
    assert levers["organisation.n_units"] == sum(counts) + innovation


def test_the_region_follows_a_change_of_practice_and_a_new_preset_drops_it() -> None:
    from viz.region import follow

    settings = rg.apply(Settings("default"), edited(Settings("default"), primary_care=3, wards=2, specialist=1))
    structural = follow(settings, settings.with_(practice="structural"))
    assert built_kinds(structural) == [3, 2, 1, 2]
    back = follow(structural, structural.with_(practice="adaptive"))
    assert built_kinds(back) == [3, 2, 1, 0]
    other = follow(settings, settings.with_(organisation="small"))
    assert not any(k in rg.KEYS for k, _ in other.levers)


def test_the_ehealth_unit_size_is_people_translated_per_1000_staff() -> None:
    from abm.api import compose

    settings = rg.apply(Settings(), edited(Settings(), staff_per_unit=40, ehealth_staff=4.0))
    params = compose(settings.overrides())
    assert params.management.ehealth_staff * params.organisation.n_staff / 1000 == pytest.approx(4.0, rel=1e-12)
    assert rg.current(settings).ehealth_staff == 4.0


def test_services_dropped_or_moved_are_hydra_overrides_abm_run_accepts(scenarios: Path, tmp_path: Path) -> None:
    from abm.api import compose

    base = Settings("small")
    region = rg.current(base)
    services = tuple((n, None if n == "ai_triage" else (30 if n == "video_consultation" else w))
                     for n, w in region.services)
    settings = rg.apply(base, dataclasses.replace(region, services=services))
    params = compose(settings.overrides())
    arrivals = {s.name: s.arrival_week for s in params.services.catalogue}
    assert "ai_triage" not in arrivals and arrivals["video_consultation"] == 30
    assert len(arrivals) == len(region.services) - 1
    untouched = {s.name: s for s in compose(base.overrides()).services.catalogue}
    for spec in params.services.catalogue:  # every other field as the preset has it
        assert dataclasses.replace(spec, arrival_week=untouched[spec.name].arrival_week) == untouched[spec.name]
    assert settings.params() is not None and settings.params().services.catalogue == params.services.catalogue
    # unchanged services add no override; the saved workshop config carries the list and runs
    assert rg.CATALOGUE_KEY not in dict(rg.apply(base, region).levers)
    save_scenario("my_services", settings)
    saved = compose(["+workshop=my_services"])
    assert saved.services.catalogue == params.services.catalogue
    run = run_abm(["run", "+workshop=my_services", "weeks=3"], scenarios, tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]


@pytest.mark.parametrize("change, message", [
    ({"primary_care": 0, "wards": 0, "specialist": 0}, "organisation.n_units=0 is not allowed: an integer in [1,"),
    ({"ehealth_staff": 50.0, "staff_per_unit": 1}, "management.ehealth_staff="),
])
def test_a_refused_region_gets_the_models_own_message(change: dict[str, object], message: str) -> None:
    with pytest.raises(UserError) as err:
        rg.apply(Settings("small"), edited(Settings("small"), **change))
    assert message in str(err.value) and "\n" not in str(err.value)


def test_an_arrival_week_out_of_range_is_refused_with_the_fields_range() -> None:
    region = rg.current(Settings("small"))
    late = tuple((n, 100_001 if i == 0 else w) for i, (n, w) in enumerate(region.services))
    with pytest.raises(UserError, match=r"services.catalogue\[\].arrival_week=100001 is not allowed: an integer "
                       r"in \[0, 100000\]"):
        rg.apply(Settings("small"), dataclasses.replace(region, services=late))


def test_region_keys_are_saved_in_the_workshop_config(scenarios: Path) -> None:
    from abm.api import compose

    settings = rg.apply(Settings("small"), edited(Settings("small"), primary_care=3, wards=2, specialist=1,
                                                  staff_per_unit=15))
    save_scenario("my_region", settings)
    assert built_kinds(settings) == [3, 2, 1, 0]
    params = compose(["+workshop=my_region"])
    assert (params.organisation.n_units, params.organisation.n_staff) == (6, 90)


def test_the_region_card_renders_and_edits_every_run_or_refuses_with_one_line() -> None:
    import solara

    from viz import region_ui, state

    runs = (state._run(Settings("small", "contextual")), state._run(Settings("small", "structural")))
    box, rc = solara.render(region_ui.RegionCard(runs), handle_error=False)
    try:
        region = rg.current(runs[0].draft.value)
        region_ui.edit(runs, region, "primary_care", "3")
        assert rg.current(runs[0].draft.value).primary_care == 3 == rg.current(runs[1].draft.value).primary_care
        assert dict(runs[1].draft.value.levers)["organisation.n_units"] == \
            dict(runs[0].draft.value.levers)["organisation.n_units"] + 1  # B is structural: its innovation unit
        before = runs[0].draft.value
        region_ui.edit(runs, rg.current(before), "wards", "2.5")
        assert runs[0].errors.value["region"] == "region.wards='2.5' is not allowed: an integer in [0, 10000]"
        assert runs[0].draft.value == before
        region_ui.edit(runs, rg.current(before), "wards", "4")
        assert "region" not in runs[0].errors.value and runs[0].applied.value == Settings("small", "contextual")
    finally:
        rc.close()


@pytest.mark.parametrize("organisation", ["sweden2021", "calibrated", "region"])
def test_a_scenario_of_a_whole_preset_composes_to_the_settings_it_was_saved_from(scenarios: Path,
                                                                                 organisation: str) -> None:
    """The Swedish region 2021 and its calibrated values are whole presets (`preset=...`), not organisations:
    the workshop config chooses them as such, and `+workshop=NAME` composes to exactly the app's settings."""
    from abm.api import compose

    settings = Settings(organisation, "structural", "turbulent", 4).with_lever("practice.budget", 0.2)
    save_scenario(f"whole_{organisation}", settings, None, "", scenarios)
    assert compose([f"+workshop=whole_{organisation}"]) == compose(settings.overrides())
