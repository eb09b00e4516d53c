"""A short guided tour on a person's first visit: six cards, each pointing at one part of the page (choices,
Play, levers, many futures, Compare and saving, Info), with Back, Next and Skip.

The browser remembers that the tour was seen (localStorage `abm-tour-seen`), so it opens once per browser;
the *Tour* button in the header opens it again. `abm viz --no-tour` (a projector in a workshop) turns the
first-visit opening off. The cards' texts are the app's own (viz/i18n.py), in the session's language.
"""

from __future__ import annotations

import os

import ipyvuetify as v
import solara
import traitlets

from viz.i18n import language, t

TEMPLATE = """<template>
  <v-card v-if="active" class="abm-tour" elevation="10"
          style="position: fixed; right: 24px; bottom: 24px; z-index: 1000; max-width: 400px">
    <v-card-title class="abm-tour-title" style="font-size: 16px">{{ steps[index].title }}</v-card-title>
    <v-card-text class="abm-tour-text">{{ steps[index].text }}
      <div class="abm-tour-count" style="margin-top: 6px; color: #777">{{ index + 1 }} / {{ steps.length }}</div>
    </v-card-text>
    <v-card-actions>
      <v-btn text class="abm-tour-skip" @click="close">{{ labels.skip }}</v-btn>
      <v-spacer></v-spacer>
      <v-btn text class="abm-tour-back" v-if="index > 0" @click="index = index - 1">{{ labels.back }}</v-btn>
      <v-btn color="primary" class="abm-tour-next" @click="next">
        {{ index < steps.length - 1 ? labels.next : labels.done }}</v-btn>
    </v-card-actions>
  </v-card>
</template>
<script>
module.exports = {
  mounted() {
    if (this.auto && !window.localStorage.getItem("abm-tour-seen")) { this.index = 0; this.active = true; }
    this.mark();
  },
  watch: {
    index() { this.mark(); },
    active() { this.mark(); },
  },
  methods: {
    next() {
      if (this.index < this.steps.length - 1) { this.index = this.index + 1; } else { this.close(); }
    },
    close() {
      this.active = false;
      window.localStorage.setItem("abm-tour-seen", "1");
    },
    mark() {
      document.querySelectorAll(".abm-tour-target").forEach((el) => el.classList.remove("abm-tour-target"));
      if (!this.active || !this.steps.length) { return; }
      const el = document.querySelector(this.steps[this.index].target);
      if (el) { el.classList.add("abm-tour-target"); el.scrollIntoView({block: "nearest"}); }
    },
  },
}
</script>
"""

CSS = ".abm-tour-target { outline: 3px solid #1976d2; outline-offset: 3px; border-radius: 4px; }"

# (CSS selector of what the card points at, title key, text key)
STEPS = (
    (".abm-organisation", "tour_choose_title", "tour_choose"),
    (".abm-play", "tour_play_title", "tour_play"),
    (".abm-levers", "tour_levers_title", "tour_levers"),
    (".abm-kpi-row", "tour_figures_title", "tour_figures"),
    (".abm-nav-compare", "tour_compare_title", "tour_compare"),
    (".abm-nav-info", "tour_info_title", "tour_info"),
)


class TourCard(v.VuetifyTemplate):
    """The tour's cards; `active` (shown) is synced, so the header's Tour button opens it again."""

    template = traitlets.Unicode(TEMPLATE).tag(sync=True)
    steps = traitlets.List().tag(sync=True)
    labels = traitlets.Dict().tag(sync=True)
    active = traitlets.Bool(False).tag(sync=True)
    index = traitlets.Int(0).tag(sync=True)
    auto = traitlets.Bool(True).tag(sync=True)


def auto_open() -> bool:
    """Whether the tour opens on a first visit (`abm viz --no-tour` sets ABM_VIZ_TOUR=0)."""
    return os.environ.get("ABM_VIZ_TOUR", "1") != "0"


def steps() -> list[dict[str, str]]:
    return [{"target": target, "title": t(title), "text": t(text)} for target, title, text in STEPS]


def labels() -> dict[str, str]:
    return {key: t(f"tour_{key}") for key in ("skip", "back", "next", "done")}


@solara.component
def Tour() -> None:
    """The tour card (made once per page) and a header button that opens it again."""
    card = solara.use_memo(lambda: TourCard(auto=auto_open()), [])
    solara.use_effect(lambda: card.close, [])

    def translate() -> None:
        card.steps, card.labels = steps(), labels()

    solara.use_effect(translate, [language.value])

    def reopen() -> None:
        card.index = 0
        card.active = True

    solara.Style(CSS)
    solara.Button(t("tour"), icon_name="mdi-map-marker-path", text=True, on_click=reopen, classes=["abm-tour-open"])
    solara.Column(children=[card], gap="0px", style="width: 0; height: 0")
