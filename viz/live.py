"""The Live page: one region, steered by a stakeholder, drawn from the model's arrays every week."""

from __future__ import annotations

import solara

from viz import state, svg
from viz.i18n import metric_label, t
from viz.scenario_ui import SaveScenario
from viz.sim import TREND_METRICS, Simulation
from viz.widgets import Choices, KpiCards, Levers, PlayControls, state_names


def network_svg(sim: Simulation, colour_by: str) -> str:
    """Staff grouped by unit for small presets; units as nodes for large ones (aggregated view)."""
    m = sim.model
    data = {"week": sim.week}
    if sim.large:
        return svg.unit_network(sim.layout, m.units.stage, sim.ties(), sim.unit_labels,
                                f"{t('stage')} 0-7", data)
    legend = t("knowhow") if colour_by == "knowhow" else t("adoption")
    return svg.staff_network(sim.layout, sim.staff_colour(colour_by), sim.edges(), sim.unit_labels, legend, data)


def trend_svgs(sim: Simulation) -> list[str]:
    out = []
    for name in TREND_METRICS:
        x, y = sim.series(name)
        out.append(svg.line_chart([svg.Series(metric_label(name), x, y)], metric_label(name),
                                  data={"metric": name, "week": sim.week}, x_max=float(sim.params.weeks)))
    return out


@solara.component
def LiveViews() -> None:
    """Everything that changes each week; the only component that re-renders while playing."""
    state.tick.value  # noqa: B018  (subscribe: re-render after each step)
    sim = state.ensure(state.live)
    with solara.Row(style="align-items: baseline"):
        solara.HTML("h2", unsafe_innerHTML=f'{t("week")} <span class="abm-week">{sim.week}</span> / {sim.params.weeks}',
                    style="margin: 4px 0")
        solara.Text(" ".join(sim.settings.overrides()), style="color:#666;font-size:12px", classes=["abm-overrides"])
    solara.Markdown(f"#### {t('kpis')}")
    KpiCards(sim, sim.week)
    with solara.Row(style="flex-wrap: wrap; align-items: flex-start"):
        with solara.Column(style="flex: 1 1 460px; max-width: 720px"):
            title = t("network_units") if sim.large else t("network_staff")
            solara.Markdown(f"#### {t('network')}  \n<small>{title}</small>")
            solara.HTML("div", unsafe_innerHTML=network_svg(sim, state.colour_by.value), classes=["abm-network-box"])
        with solara.Column(style="flex: 1 1 580px"):
            solara.Markdown(f"#### {t('trends')}")
            solara.HTML("div", unsafe_innerHTML="".join(trend_svgs(sim)), classes=["abm-trends"])
    solara.Markdown(f"#### {t('pipeline')}")
    labels = [s.label for s in sim.model.catalogue]
    solara.HTML("div", unsafe_innerHTML=svg.pipeline_board(
        sim.model.units.service_state, labels, state_names(), sim.unit_labels, {"week": sim.week}))


@solara.component
def LivePage() -> None:
    run = state.live
    with solara.Columns([3, 9]):
        with solara.Column(classes=["abm-sidebar"]):
            Choices(run)
            solara.Markdown(f"#### {t('levers')}")
            Levers(run)
            if not state.ensure(run).large:
                solara.Text(t("colour_by"), classes=["abm-label"])
                solara.ToggleButtonsSingle(state.colour_by.value, values=["knowhow", "adoption"],
                                           on_value=state.colour_by.set, dense=True, classes=["abm-colour-by"])
            SaveScenario((run,))
        with solara.Column():
            PlayControls((run,), state.tick, state.playing, lambda: state.reset(run, state.tick))
            LiveViews()
