"""The Live page: one region, steered by a stakeholder, drawn from the model's arrays every week."""

from __future__ import annotations

import solara

from viz import state, svg
from viz.i18n import metric_label, t
from viz.markup import Md
from viz.scenario_ui import SaveScenario
from viz.sim import KIND_SHORT, TREND_METRICS, Simulation
from viz.svg import esc
from viz.widgets import Choices, Levers, PlayControls, kpi_html, state_names


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
    parts = [f'<span data-kind="{kind.name.lower()}" data-count="{n}">{n} {esc(t("kind_" + kind.name.lower()))}'
             f" ({KIND_SHORT[kind]})</span>" for kind, n in counts.items() if n]
    return (f'<div class="abm-kinds" style="font-size:12px;color:#555">{sum(counts.values())} {esc(t("units"))}: '
            + ", ".join(parts) + "</div>")


def views_html(sim: Simulation, colour_by: str) -> str:
    """The whole weekly view as one HTML string: one widget update per frame keeps playing fast."""
    title = t("network_units") if sim.large else t("network_staff")
    labels = [s.label for s in sim.model.catalogue]
    overrides = esc(" ".join(sim.settings.overrides()))
    return (
        f'<h2 style="margin:4px 0">{t("week")} <span class="abm-week">{sim.week}</span> / {sim.params.weeks}'
        f' <small class="abm-overrides" style="color:#666;font-size:12px;font-weight:400">{overrides}</small></h2>'
        f'<h4>{t("kpis")}</h4>{kpi_html(sim)}'
        '<div style="display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start">'
        f'<div style="flex:1 1 460px;max-width:720px"><h4>{t("network")}</h4><small>{title}</small>{kinds_html(sim)}'
        f'<div class="abm-network-box">{network_svg(sim, colour_by)}</div></div>'
        f'<div style="flex:1 1 580px"><h4>{t("trends")}</h4><div class="abm-trends">{"".join(trend_svgs(sim))}</div>'
        f'</div></div><h4>{t("pipeline")}</h4>'
        + svg.pipeline_board(sim.model.units.service_state, labels, state_names(), sim.unit_labels, {"week": sim.week})
    )


@solara.component
def LiveViews() -> None:
    """Everything that changes each week; the only component that re-renders while playing."""
    tick = state.tick.value  # subscribe: re-render after each step
    sim = state.ensure(state.live)
    solara.use_effect(sim.rendered.set, [tick, id(sim)])  # after the frame is committed: play may step on
    solara.HTML("div", unsafe_innerHTML=views_html(sim, state.colour_by.value), classes=["abm-views"])


@solara.component
def LivePage() -> None:
    run = state.live
    with solara.Columns([3, 9]):
        with solara.Column(classes=["abm-sidebar"]):
            Choices(run)
            Md(f"#### {t('levers')}")
            Levers(run)
            if not state.ensure(run).large:
                solara.Text(t("colour_by"), classes=["abm-label"])
                solara.ToggleButtonsSingle(state.colour_by.value, values=["knowhow", "adoption"],
                                           on_value=state.colour_by.set, dense=True, classes=["abm-colour-by"])
            SaveScenario((run,))
        with solara.Column():
            PlayControls((run,), state.tick, state.playing, lambda: state.reset(run, state.tick))
            LiveViews()
