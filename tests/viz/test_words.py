"""The app's plain words: every preset, practice, lever, headline outcome, unit kind, catalogue service and
phase of a week has an English and a Swedish name (and an explanation where the page shows one); the
app's own texts are all translated; the Info page's two languages have the same sections; technical names
appear only behind the switch."""

from __future__ import annotations

import re

import pytest

from abm.core.metrics import REGISTRY
from abm.core.params import PRACTICES
from viz import i18n, words
from viz.levers import ENVIRONMENTS, LEVERS, ORGANISATIONS, Settings, preset
from viz.sim import KPI_METRICS, TREND_METRICS

# Swedish that is the English word: "Live", "Experiment", "Organisation", "Turbulent", "Omvärld" (section and
# choice), "Run" (a CSV column), "scenario (YAML)", "B minus A"
SAME_IN_BOTH = {"live", "experiment", "organisation", "turbulent", "section_environment", "run", "yaml_scenario",
                "ens_diff"}


def both(pair: tuple[str, str]) -> bool:
    return bool(pair[0].strip()) and bool(pair[1].strip())


def test_every_choice_has_a_plain_name_and_an_explanation_in_both_languages() -> None:
    for catalogue, keys in ((words.ORGANISATIONS, ORGANISATIONS), (words.PRACTICES, PRACTICES),
                            (words.ENVIRONMENTS, ENVIRONMENTS)):
        assert set(catalogue) == set(keys)
        for key in keys:
            word = catalogue[key]
            assert both(word.name) and both(word.help), key
            assert word.name[0] != key and "_" not in word.name[0]  # a plain name, not the code name


def test_every_lever_has_a_plain_name_unit_and_what_moving_it_does() -> None:
    assert set(words.LEVERS) == {lv.id for lv in LEVERS}
    for lever in LEVERS:
        word = words.LEVERS[lever.id]
        assert both(word.name) and both(word.help), lever.id
        assert lever.kind == "choice" or both(word.unit), lever.id  # a number says what it counts in
        assert "." not in word.name[0] and "_" not in word.name[0]
        for choice in lever.choices:
            assert both(words.CHOICES[choice])


def test_every_shown_outcome_has_a_name_unit_and_which_way_is_better() -> None:
    for name in {*KPI_METRICS, *TREND_METRICS, "exploration_target"}:
        outcome = words.OUTCOMES[name]
        assert name in REGISTRY and both(outcome.name) and both(outcome.unit) and outcome.better in (-1, 0, 1)
    assert words.OUTCOMES["waiting_list"].better == -1 and words.OUTCOMES["maturity_total"].better == 1
    i18n.language.set("en")
    assert i18n.better_text("waiting_list") == "lower is better" and i18n.better_text("remote_share") == ""


def test_every_unit_kind_catalogue_service_and_phase_has_swedish() -> None:
    from abm.core.state import UnitKind
    from viz.info import STEPS
    from viz.sim import KIND_KEY

    assert {KIND_KEY[k] for k in UnitKind} == set(words.KINDS)
    assert all(both(single) and both(plural) for single, plural in words.KINDS.values())
    services = set()
    for organisation in ORGANISATIONS:
        params = preset(organisation, "contextual", "stable")
        assert params is not None
        services |= {s.name for s in params.services.catalogue}
    assert services <= set(words.SERVICES_SV), services - set(words.SERVICES_SV)
    assert set(STEPS) == set(words.PHASES) and all(both(p) for p in words.PHASES.values())


def test_every_app_text_is_translated() -> None:
    for key, pair in i18n.TEXT.items():
        assert both(pair), key
        if key not in SAME_IN_BOTH:
            assert pair[0] != pair[1], f"{key}: the Swedish is the English"


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_the_pseudo_language_marks_every_text_and_only_where_the_server_offers_it(lang: str,
                                                                                   monkeypatch) -> None:  # noqa: ANN001
    i18n.language.set(lang)
    i18n.set_language("xx")
    assert i18n.language.value == lang  # refused: the server does not offer it
    monkeypatch.setenv("ABM_VIZ_PSEUDO", "1")
    i18n.set_language("xx")
    assert i18n.t("play") == "⟦Spela⟧" and i18n.say(words.PRACTICES["structural"].name) == \
        "⟦Särskilda innovationsenheter⟧"
    assert i18n.metric_label("waiting_list") == "⟦Väntelista⟧"
    i18n.set_language("en")


def test_the_info_page_has_the_same_sections_lists_and_links_in_both_languages() -> None:
    from viz.info import TEXT

    def shape(text: str) -> tuple[list[int], int, list[str]]:
        sections = [len(s) for s in re.split(r"^### .*$", text, flags=re.M)[1:]]
        items = len(re.findall(r"^\s*(?:-|\d+\.) ", text, flags=re.M))
        links = re.findall(r"\]\((\S+?)\)", text)
        return [1] * len(sections), items, links

    en, sv = shape(TEXT["en"]), shape(TEXT["sv"])
    assert en == sv and len(en[0]) == 7
    for text in TEXT.values():
        assert "{practices}" in text and "{odd}" in text


def test_technical_names_appear_only_behind_the_switch() -> None:
    from viz.live import views_html
    from viz.sim import Simulation
    from viz.widgets import lever_head

    lever = next(lv for lv in LEVERS if lv.id == "budget")
    sim = Simulation.build(Settings("small"))
    i18n.language.set("en")
    i18n.technical.set(False)
    plain = lever_head(lever, 0.1, "") + views_html(sim, "knowhow")
    assert "practice.budget" not in plain and "Primary care 1" in plain and "abm-overrides" not in plain
    i18n.technical.set(True)
    tech = lever_head(lever, 0.1, "") + views_html(sim, "knowhow")
    assert "practice.budget" in tech and "PC1" in tech and "abm-overrides" in tech
    i18n.technical.set(False)


def test_every_registered_metric_has_a_swedish_name() -> None:
    """The Results page shows any stored metric: each has a Swedish name (a plain outcome name or METRIC_SV)."""
    missing = [name for name in REGISTRY if name not in words.OUTCOMES and name not in i18n.METRIC_SV]
    assert not missing, missing
    assert set(i18n.METRIC_SV) <= set(REGISTRY)
