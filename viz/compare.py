"""The Compare page: two practices (or parameter sets) on the same region and seed, stepping together,
with their curves overlaid and the difference B - A plotted (common random numbers make the
difference mostly the practice's doing: the streams of turnover, adoption... are the same)."""

from __future__ import annotations

import numpy as np
import solara

from viz import state, svg
from viz.downloads import Downloads
from viz.ensemble_ui import ManyFutures
from viz.i18n import language, metric_label, say, t, technical
from viz.levers import BY_KEY, fmt
from viz.live import ViewBox
from viz.region_ui import RegionCard
from viz.scenario_ui import SaveScenario
from viz.sim import TREND_METRICS, Simulation
from viz.svg import esc
from viz.widgets import Choices, Levers, PlayControls, kpi_html, lever_name
from viz.words import PRACTICES

RUNS = (state.compare_a, state.compare_b)
COLOURS = (svg.PALETTE[0], svg.PALETTE[1])


def sync_shared() -> None:
    """B shares A's organisation, environment and seed: only the practice and levers may differ."""
    a, b = state.compare_a.draft.value, state.compare_b.draft.value
    shared = {"organisation": a.organisation, "environment": a.environment, "seed": a.seed}
    if any(getattr(b, k) != v for k, v in shared.items()):
        state.compare_b.draft.set(b.with_(**shared))


def reset_both() -> None:
    sync_shared()
    for run in RUNS:
        state.reset(run, state.compare_tick)


def label(run: state.Run, which: str) -> str:
    """"Run A: Everyone explores a little, Time for exploring 0.2": the practice and the moved levers in plain
    names (their override keys with technical names on)."""
    s = run.applied.value
    moved = [f"{lever_name(BY_KEY[k]) if k in BY_KEY and not technical.value else k} {fmt(v)}" for k, v in s.levers]
    practice = say(PRACTICES[s.practice].name) + (f" ({s.practice})" if technical.value else "")
    return ", ".join([f"{t(which)}: {practice}", *moved])


def compare_html(sims: list[Simulation]) -> str:
    """Both runs' key figures, their curves overlaid and the difference B - A, as one HTML string."""
    names = [label(RUNS[0], "run_a"), label(RUNS[1], "run_b")]
    cells = [f'<h2 style="margin:4px 0">{t("week")} <span class="abm-week">{sims[0].week}</span> / '
             f'{sims[0].params.weeks}</h2>']
    for sim, name, tag in zip(sims, names, ("-a", "-b"), strict=True):
        cells.append(f"<b>{esc(name)}</b>" + kpi_html(sim, tag))
    cells.append('<div class="abm-charts">')
    horizon, week = float(sims[0].params.weeks), sims[0].week
    for metric in TREND_METRICS:
        (xa, ya), (_, yb) = sims[0].series(metric), sims[1].series(metric)
        n = min(ya.size, yb.size)
        lines = [svg.Series(nm, xa[:n], y[:n], c) for nm, y, c in zip(names, (ya, yb), COLOURS, strict=True)]
        diff = svg.Series(t("diff"), xa[:n], np.asarray(yb[:n]) - np.asarray(ya[:n]), svg.PALETTE[3])
        cells.append('<div class="abm-overlay">'
                     + svg.line_chart(lines, metric_label(metric), x_max=horizon,
                                      data={"metric": metric, "kind": "overlay", "week": week})
                     + svg.line_chart([diff], t("difference"), height=120, zero_line=True,
                                      data={"metric": metric, "kind": "difference", "week": week},
                                      x_max=horizon)
                     + "</div>")
    return "".join(cells) + "</div>"


@solara.component
def CompareViews() -> None:
    """Both runs as one HTML widget; while playing, the loop draws into it through the painter (viz.live)."""
    tick = state.compare_tick.value  # subscribe: re-render after a step or a reset
    sims = [state.ensure(r) for r in RUNS]
    ViewBox(lambda: compare_html(sims), tuple(sims), [tick, id(sims[0]), id(sims[1]), language.value,
                                                      technical.value])


@solara.component
def ComparePage() -> None:
    with solara.ColumnsResponsive(default=12, small=[5, 7], medium=[4, 8], large=[3, 9]):
        with solara.Column(classes=["abm-sidebar"]):
            Choices(state.compare_a, practice=False, prefix="cmp-", also=(state.compare_b,))
            RegionCard(RUNS, prefix="cmp-")
            for run, which in zip(RUNS, ("run_a", "run_b"), strict=True):
                with solara.Card(t(which), margin=0, classes=[f"abm-card-{which}"]):
                    Choices(run, shared=False, prefix=f"{which}-")
                    Levers(run, prefix=f"{which}-")
            SaveScenario(RUNS)
        with solara.Column():
            PlayControls(RUNS, state.compare_tick, state.compare_playing, reset_both)
            CompareViews()
            ManyFutures(RUNS)
            sims = [state.ensure(r) for r in RUNS]
            Downloads([("A", sims[0]), ("B", sims[1])], [state.compare_tick.value, id(sims[0]), id(sims[1])])
