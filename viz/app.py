"""The Solara app served by `abm viz`: pages Live, Compare, Results and Info, in English and Swedish.

Solara routes give each page its own address (/, /compare, /results, /info; /about is the Info page's old
address); `Layout` wraps every page with the navigation, the language switch and the "show technical names"
switch. All state is per browser session (viz/state.py); the address holds the page, language and settings
(viz/url.py).
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable

import solara

from viz.compare import ComparePage
from viz.i18n import t, technical, toggle_language
from viz.info import InfoPage, OddPage
from viz.live import LivePage
from viz.results_page import ResultsPage
from viz.tour import Tour
from viz.url import AddressBar


def guarded(page: Callable[[], None]) -> Callable[[], None]:
    """`page` inside an error boundary: an exception while it renders or in one of its event handlers (a
    broken store, a tampered widget message) becomes one line in the page, with no traceback and no
    server path; the traceback goes to the server's console."""

    @solara.component
    def Guarded() -> None:
        error, clear = solara.use_exception()

        def log() -> None:
            if error is not None:
                print(f"abm viz: the {page.__name__} failed:", "".join(traceback.format_exception(error)),
                      file=sys.stderr, flush=True)

        solara.use_effect(log, [error])
        if error is None:
            page()
            return
        solara.Error(f"{t('page_error')} ({type(error).__name__}); {t('page_error_hint')}.",
                     classes=["abm-page-error"])
        solara.Button(t("retry"), on_click=clear, classes=["abm-retry"])

    Guarded.__name__ = page.__name__
    return Guarded


# The app's pages, once: (path, navigation label key, component). The navigation and the routes come from it.
PAGES = (("", "live", guarded(LivePage)), ("compare", "compare", guarded(ComparePage)),
         ("results", "results", guarded(ResultsPage)), ("info", "info", guarded(InfoPage)))

CSS = """
.abm-label { font-size: 12px; color: #555; margin-top: 6px; }
.abm-trends svg { margin: 0 6px 6px 0; background: #fff; }
.abm-charts { display: flex; flex-wrap: wrap; gap: 6px; }
.abm-views h4 { margin: 10px 0 4px 0; font-weight: 500; }
.abm-kpi-row { display: flex; flex-wrap: wrap; gap: 8px; margin-bottom: 6px; }
.abm-kpi { border: 1px solid #ddd; border-radius: 6px; padding: 6px 10px; min-width: 120px; background: #fff; }
.abm-kpi-label { font-size: 11px; color: #555; }
.abm-kpi-value { font-size: 20px; font-weight: 600; }
.abm-kpi-delta { font-size: 11px; }
.abm-baseline-table td, .abm-baseline-table th { padding: 3px 10px; border-bottom: 1px solid #eee; text-align: left; }
.v-btn-toggle { flex-wrap: wrap; }
.v-btn-toggle .v-btn { text-transform: none; letter-spacing: 0; height: auto !important; min-height: 30px;
  white-space: normal; padding: 4px 10px !important; }
.v-btn-toggle .v-btn .v-btn__content { white-space: normal; flex: 1 1 auto; }
.abm-lever-section .v-expansion-panel-header { font-weight: 600; font-size: 13px; min-height: 36px; padding: 6px 10px; }
.abm-lever-section .v-expansion-panel-content__wrap { padding: 0 10px 8px 10px; }
.abm-lever-reason { color: #8a4b00; }
.abm-choice-help { font-size: 12px; color: #555; line-height: 1.35; margin: 2px 0 4px 0; }
.abm-kpi-unit, .abm-kpi-better { font-size: 10px; color: #777; }
"""



@solara.component
def Layout(children: list[solara.Element] = []) -> None:  # noqa: B006 (Solara's layout signature)
    route, _ = solara.use_route()
    current = route.path if route else "/"
    solara.Style(CSS)
    solara.Title(t("app_title"))
    with solara.Column(style="padding: 8px 16px", gap="6px"):
        with solara.Row(style="align-items: center; flex-wrap: wrap; border-bottom: 1px solid #ddd"):
            solara.HTML("h1", unsafe_innerHTML=t("app_title"), style="font-size: 20px; margin: 0 16px 0 0")
            for path, key, _ in PAGES:
                active = current == (path or "/")
                with solara.Link("/" + path):
                    solara.Button(t(key), text=not active, color="primary" if active else None,
                                  classes=[f"abm-nav-{key}"])
            Tour()
            solara.Switch(label=t("technical_names"), value=technical.value, on_value=technical.set,
                          classes=["abm-technical"], style="margin-left: auto")
            solara.Button(t("language"), on_click=toggle_language, outlined=True, classes=["abm-language"])
        AddressBar(current.strip("/"))
        with solara.Column():
            for child in children:
                solara.display(child)


routes = [
    *(solara.Route(path=path or "/", component=component, label=key.capitalize(), layout=Layout if not path else None)
      for path, key, component in PAGES),
    solara.Route(path="about", component=guarded(InfoPage), label="Info", layout=None),  # the old address
    solara.Route(path="odd", component=guarded(OddPage), label="ODD"),  # linked from Info, not in the navigation
]
