"""The Live page: one region, steered by a stakeholder, drawn from the model's arrays every week."""

from __future__ import annotations

from collections.abc import Callable

import solara

from viz import state, svg
from viz.downloads import Downloads
from viz.ensemble_ui import ManyFutures
from viz.frames import FrameView, Painter
from viz.i18n import language, metric_label, say, service_name, t, technical
from viz.markup import Md
from viz.region_ui import RegionCard
from viz.scenario_ui import SaveScenario
from viz.sim import KIND_KEY, TREND_METRICS, Simulation
from viz.svg import esc
from viz.widgets import Choices, Levers, PlayControls, kpi_html, state_names
from viz.words import KINDS


def network_svg(sim: Simulation, colour_by: str) -> str:
    """Staff grouped by unit for small presets; units as nodes for large ones (aggregated view)."""
    m = sim.model
    data = {"week": sim.week}
    if sim.large:
        return svg.unit_network(sim.layout, m.units.stage, sim.ties(), sim.unit_labels,
                                f"{t('stage')} 0-7", data)
    legend = t("knowhow") if colour_by == "knowhow" else t("adoption")
    return svg.staff_network(sim.layout, sim.staff_colour(colour_by), sim.edges(), sim.unit_labels, legend, data)


COMPANION = {"exploration_share": "exploration_target"}  # drawn beside it: realised against the plan


def trend_svgs(sim: Simulation) -> list[str]:
    out = []
    for name in TREND_METRICS:
        x, y = sim.series(name)
        lines = [svg.Series(metric_label(name), x, y)]
        if name in COMPANION:
            lines.append(svg.Series(metric_label(COMPANION[name]), *sim.series(COMPANION[name]), svg.PALETTE[4]))
        out.append(svg.line_chart(lines, metric_label(name), data={"metric": name, "week": sim.week},
                                  x_max=float(sim.params.weeks)))
    return out


def kinds_html(sim: Simulation) -> str:
    """Units per kind (innovation units exist only under `structural`), with their labels' prefixes."""
    counts = sim.kind_counts()
    parts = [f'<span data-kind="{kind.name.lower()}" data-count="{n}">{n} {esc(say(KINDS[KIND_KEY[kind]][1]))}'
             "</span>" for kind, n in counts.items() if n]
    return (f'<div class="abm-kinds" style="font-size:12px;color:#555">{sum(counts.values())} {esc(t("units"))}: '
            + ", ".join(parts) + "</div>")


def views_html(sim: Simulation, colour_by: str) -> str:
    """The whole weekly view as one HTML string: one widget update per frame keeps playing fast."""
    title = t("network_units") if sim.large else t("network_staff")
    model = sim.model
    # the listed services, and the proposals that have arrived (one not yet proposed is not news)
    shown = [j for j in range(len(model.catalogue)) if j < model.n_catalogue or model.arrival[j] <= sim.week]
    labels = [service_name(model.catalogue[j].name, model.catalogue[j].label) for j in shown]
    overrides = (f' <small class="abm-overrides" translate="no" style="color:#666;font-size:12px;font-weight:400">'
                 f'{esc(" ".join(sim.settings.overrides()))}</small>' if technical.value else "")
    return (
        f'<h2 style="margin:4px 0">{t("week")} <span class="abm-week">{sim.week}</span> / {sim.params.weeks}'
        f'{overrides}</h2>'
        f'<h4>{t("kpis")}</h4>{kpi_html(sim)}'
        '<div style="display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start">'
        f'<div style="flex:1 1 460px;max-width:720px"><h4>{t("network")}</h4><small>{title}</small>{kinds_html(sim)}'
        f'<div class="abm-network-box">{network_svg(sim, colour_by)}</div></div>'
        f'<div style="flex:1 1 580px"><h4>{t("trends")}</h4><div class="abm-trends">{"".join(trend_svgs(sim))}</div>'
        f'</div></div><h4>{t("pipeline")}</h4>'
        + svg.pipeline_board(model.units.service_state[:, shown], labels, state_names(), sim.unit_labels,
                             {"week": sim.week}, t("units"))
    )


@solara.component
def LiveViews() -> None:
    """Everything that changes each week, as one widget. While playing, the play loop draws into it directly
    through the painter given here (viz.state.advance, viz.frames), so a frame re-renders nothing."""
    tick = state.tick.value  # subscribe: re-render after a step, a reset or a change of view
    sim = state.ensure(state.live)
    colour = state.colour_by.value
    ViewBox(lambda: views_html(sim, colour), (sim,), [tick, id(sim), colour, language.value, technical.value])


@solara.component
def ViewBox(html: Callable[[], str], sims: tuple[Simulation, ...], dependencies: list[object]) -> None:
    """The views in a widget this component owns (made once, closed when it goes; viz.frames says why).
    After each render is committed the widget gets `html()`, `sims` get a painter that draws `html()` into
    it, and the week counts as shown; the cleanup takes the painter back (a re-render, a reset, the page
    left)."""
    widget = solara.use_memo(lambda: FrameView(attributes={"class": "abm-views"}), [])
    solara.use_effect(lambda: widget.close, [])

    def attach() -> Callable[[], None]:
        painter = Painter(widget, html)
        painter.paint()
        for s in sims:
            s.painter = painter
            s.rendered.set()

        def cleanup() -> None:
            for s in sims:
                if s.painter is painter:
                    s.painter = None

        return cleanup

    solara.use_effect(attach, dependencies)
    solara.Column(children=[widget], gap="0px")


@solara.component
def LivePage() -> None:
    run = state.live
    with solara.ColumnsResponsive(default=12, small=[5, 7], medium=[4, 8], large=[3, 9]):
        with solara.Column(classes=["abm-sidebar"]):
            Choices(run)
            Md(f"#### {t('levers')}")
            Levers(run)
            RegionCard((run,))
            if not state.ensure(run).large:
                solara.Text(t("colour_by"), classes=["abm-label"])
                with solara.ToggleButtonsSingle(state.colour_by.value, on_value=state.colour_by.set, dense=True,
                                                classes=["abm-colour-by"]):
                    for by in ("knowhow", "adoption"):
                        solara.Button(t(by), value=by, text=True)
            SaveScenario((run,))
        with solara.Column():
            PlayControls((run,), state.tick, state.playing, lambda: state.reset(run, state.tick))
            LiveViews()
            ManyFutures((run,))
            sim = state.ensure(run)
            Downloads([(t("run"), sim)], [state.tick.value, id(sim)])
