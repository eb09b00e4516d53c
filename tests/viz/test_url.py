"""The address: a run's settings written as overrides and read back through the levers' validation."""

from __future__ import annotations

import dataclasses
from urllib.parse import parse_qs

import pytest

from abm.errors import UserError
from viz import i18n, region, state
from viz.levers import ORGANISATIONS, Settings
from viz.url import apply_query, query, refusal, settings_from_overrides


@pytest.mark.parametrize("organisation", ORGANISATIONS)
def test_every_region_preset_and_moved_lever_round_trips(organisation: str) -> None:
    settings = Settings(organisation, "sequential", "pandemic_shock", 7).with_lever("practice.period_weeks", 26) \
        .with_lever("environment.shock_rollout", 0.3).with_lever("services.proposals_per_year", 0.0)
    assert settings_from_overrides(settings.overrides()) == settings


def test_a_region_of_ones_own_round_trips_with_its_services() -> None:
    base = Settings()
    own = region.current(base)
    settings = region.apply(base, dataclasses.replace(own, primary_care=3, wards=2, specialist=1,
                                                      services=own.services[:-1]))
    assert settings_from_overrides(settings.overrides()) == settings


@pytest.mark.parametrize(("overrides", "named"), [
    (["practice=nonsense"], "practice='nonsense'"),
    (["organisation=mars"], "organisation='mars'"),
    (["seed=-1"], "seed='-1'"),
    (["practice.budget=2"], "practice.budget=2.0"),
    (["practice.nonsense=1"], "practice.nonsense"),
    (["services.catalogue=[{name: x, complexity: 7}]"], "services.catalogue"),
    (["budget"], "not key=value"),
])
def test_what_the_controls_could_not_set_is_refused_naming_the_key(overrides: list[str], named: str) -> None:
    with pytest.raises(UserError) as err:
        settings_from_overrides(overrides)
    assert named in str(err.value)


def test_the_query_holds_language_technical_names_and_settings_and_restores_them() -> None:
    run = state.live
    settings = Settings("small", "structural", "turbulent", 3).with_lever("practice.budget", 0.2)
    run.applied.set(settings)
    i18n.language.set("sv")
    i18n.technical.set(True)
    text = query("")
    values = parse_qs(text)
    assert values["lang"] == ["sv"] and values["tech"] == ["1"] and values["run"] == settings.overrides()
    run.applied.set(Settings())
    run.draft.set(Settings())
    i18n.language.set("en")
    i18n.technical.set(False)
    apply_query("", text)
    assert run.applied.value == settings and i18n.language.value == "sv" and i18n.technical.value
    assert refusal.value == ""
    apply_query("", text + "&run=practice%3Dnonsense")  # one bad setting: refused in one line, the model kept
    assert "practice='nonsense'" in refusal.value and run.applied.value == settings
    i18n.language.set("en")
    i18n.technical.set(False)
    run.applied.set(Settings())
    run.draft.set(Settings())
    state.live.sim.set(None)
