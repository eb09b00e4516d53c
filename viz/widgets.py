"""Components shared by the Live and Compare pages: settings, levers, play controls and KPI cards."""

from __future__ import annotations

from collections.abc import Callable

import solara

from abm.core.params import ModelParams
from abm.core.state import ServiceState
from viz import state
from viz.i18n import LEVER_SV, language, metric_label, t
from viz.levers import ENVIRONMENTS, LEVERS, ORGANISATIONS, PRACTICE_CHOICES, SECTIONS, Lever, Value, preset
from viz.sim import KPI_METRICS, Simulation
from viz.svg import esc


@solara.component
def Choices(run: state.Run, practice: bool = True, shared: bool = True, prefix: str = "",
            also: tuple[state.Run, ...] = ()) -> None:
    """Preset choices as toggle buttons (organisation, practice, environment) and the seed; shared choices
    also apply to the runs in `also` (Compare's B follows A's region, environment and seed)."""
    draft = run.draft.value

    def share(**change: object) -> None:
        for r in (run, *also):
            state.set_choice(r, **change)
    if shared:
        solara.Text(t("organisation"), classes=["abm-label"])
        solara.ToggleButtonsSingle(draft.organisation, values=list(ORGANISATIONS), dense=True,
                                   on_value=lambda v: share(organisation=v),
                                   classes=[f"{prefix}abm-organisation"])
    if practice:
        solara.Text(t("practice"), classes=["abm-label"])
        solara.ToggleButtonsSingle(draft.practice, values=list(PRACTICE_CHOICES), dense=True,
                                   on_value=lambda v: state.set_choice(run, practice=v),
                                   classes=[f"{prefix}abm-practice"], style="flex-wrap: wrap")
    if shared:
        solara.Text(t("environment"), classes=["abm-label"])
        solara.ToggleButtonsSingle(draft.environment, values=list(ENVIRONMENTS), dense=True,
                                   on_value=lambda v: share(environment=v),
                                   classes=[f"{prefix}abm-environment"])
        solara.InputInt(t("seed"), value=draft.seed, on_value=lambda v: share(seed=max(0, int(v or 0))),
                        classes=[f"{prefix}abm-seed"])


def lever_defaults(run: state.Run) -> ModelParams:
    """The values the draft's presets give the levers no one moved: the running model's own parameters
    while they are those presets untouched (no composing), else the presets composed (cached)."""
    sim = state.ensure(run)
    draft, applied = run.draft.value, run.applied.value
    if draft.presets == applied.presets and not applied.levers:
        return sim.params
    return preset(*draft.presets) or sim.params


def lever_head(lever: Lever, value: Value, reason: str) -> str:
    """The lever's label, key and range (the slider's own) or choices, then its help or why it is off."""
    label = LEVER_SV.get(lever.id, lever.label) if language.value == "sv" else lever.label
    if lever.kind == "choice":
        span = f"{esc(t('choices'))}: {esc(', '.join(lever.choices))}"
    else:
        lo, hi = lever.range
        top = lever.slider_max(float(value))
        span = f"{esc(t('range'))} [{lever.text(lo)}, {lever.text(top)}]"
        if hi > top:
            span += f" ({esc(t('typed_up_to'))} {lever.text(hi)})"
    note = (f'<small class="abm-lever-reason">{esc(t("not_used"))}: {esc(t(reason))}</small>' if reason
            else f"<small>{esc(lever.help)}</small>")
    return f'<b>{esc(label)}</b> <code>{esc(lever.key)}</code> — <span class="abm-range">{span}</span><br>{note}'


@solara.component
def LeverInput(run: state.Run, lever: Lever, defaults: ModelParams, prefix: str = "") -> None:
    """One lever: a slider plus a text box (a toggle for a choice), with the range the slider spans; a lever
    the chosen practice or environment does not use is disabled, with the reason in one line."""
    draft = run.draft.value
    value = dict(draft.levers).get(lever.key, lever.value_in(defaults))
    reason = lever.reason(draft)
    off = bool(reason)
    error = run.errors.value.get(lever.id, "")
    classes = [f"{prefix}abm-lever", f"{prefix}abm-lever-{lever.id}", *(["abm-lever-off"] if off else [])]
    with solara.Column(gap="0px", classes=classes, style="opacity: 0.55" if off else None):
        solara.HTML("div", unsafe_innerHTML=lever_head(lever, value, reason), style="line-height: 1.45")
        if lever.kind == "choice":
            with solara.ToggleButtonsSingle(str(value), on_value=lambda v: state.set_lever(run, lever, v, value),
                                            dense=True, classes=[f"{prefix}abm-choice-{lever.id}"]):
                for choice in lever.choices:
                    solara.Button(t(f"choice_{choice}"), value=choice, disabled=off, text=True)
        else:
            number = float(value)
            with solara.Row(style="align-items: center"):
                if lever.kind == "int":
                    solara.SliderInt("", value=int(number), min=int(lever.range[0]), max=int(lever.slider_max(number)),
                                     step=int(lever.slider_step(number)), thumb_label=False, disabled=off,
                                     on_value=lambda v: state.set_lever(run, lever, int(v), value))
                else:
                    solara.SliderFloat("", value=number, min=lever.range[0], max=lever.slider_max(number),
                                       step=lever.slider_step(number), thumb_label=False, disabled=off,
                                       on_value=lambda v: state.set_lever(run, lever, round(v, 6), value))
                solara.InputText(lever.label, value=lever.text(number), disabled=off,
                                 on_value=lambda v: state.set_lever(run, lever, v, value),
                                 classes=[f"{prefix}abm-input-{lever.id}"], style="max-width: 110px", dense=True)
        if error:
            solara.Error(f"{t('error_prefix')}: {error}", dense=True, classes=["abm-error"])


@solara.component
def Levers(run: state.Run, prefix: str = "") -> None:
    """Every lever by section, those the draft's practice or environment does not use disabled."""
    defaults = lever_defaults(run)
    for section in SECTIONS:
        solara.HTML("div", unsafe_innerHTML=esc(t(section)), classes=["abm-lever-section"])
        for lever in LEVERS:
            if lever.section == section:
                LeverInput(run, lever, defaults, prefix)


@solara.component
def PlayControls(runs: tuple[state.Run, ...], ticker: solara.Reactive[int], flag: solara.Reactive[bool],
                 on_reset: Callable[[], None]) -> None:
    """Play, pause, step and reset, and the speed; the play loop runs in this session's own thread."""
    solara.use_thread(lambda cancel: state.play_loop(runs, ticker, flag, cancel),
                      dependencies=[flag.value, id(runs[0].sim.value)], intrusive_cancel=False)
    pending = any(r.draft.value != r.applied.value for r in runs)
    with solara.Row(style="align-items: center; flex-wrap: wrap"):
        if flag.value:
            solara.Button(t("pause"), icon_name="mdi-pause", on_click=lambda: flag.set(False), classes=["abm-pause"])
        else:
            solara.Button(t("play"), icon_name="mdi-play", color="primary", on_click=lambda: flag.set(True),
                          classes=["abm-play"])
        solara.Button(t("step"), icon_name="mdi-step-forward", on_click=lambda: state.step(runs, ticker),
                      classes=["abm-step"], disabled=flag.value)
        solara.Button(t("apply_reset") if pending else t("reset"), icon_name="mdi-restore",
                      color="warning" if pending else None, on_click=on_reset, classes=["abm-reset"])
        solara.ToggleButtonsSingle(state.speed.value, values=list(state.SPEEDS), on_value=state.speed.set,
                                   dense=True, classes=["abm-speed"])
        solara.Text(t("speed"), style="font-size: 12px; color: #666")
    if pending:
        solara.Info(t("pending"), dense=True)
    for r in runs:
        if "reset" in r.errors.value:
            solara.Error(f"{t('error_prefix')}: {r.errors.value['reset']}", dense=True, classes=["abm-error"])


KPI_FORMAT = {"maturity_total": ".1f", "mean_stage": ".2f", "services_live": ".2f"}


def kpi_text(name: str, value: float) -> str:
    """A headline value: scores to one decimal, stages and services per unit to two, shares and rates to
    three (never in the model's own units rounded away), counts whole."""
    if name.startswith("n_"):
        return f"{value:.0f}"
    return format(value, KPI_FORMAT.get(name, ".3f"))


def kpi_html(sim: Simulation, tag: str = "") -> str:
    """Headline outcomes now, with their change since week 0 (one HTML string: one widget update)."""
    cards = []
    for name in KPI_METRICS:
        now, start = sim.value(name), sim.value(name, 0)
        delta = now - start
        sign = "+" if delta >= 0 else "−"
        colour = "#2ca02c" if delta > 0 else ("#d62728" if delta < 0 else "#666")
        cards.append(
            f'<div class="abm-kpi" data-metric="{name}"><div class="abm-kpi-label">{metric_label(name)}</div>'
            f'<div class="abm-kpi-value">{kpi_text(name, now)}</div>'
            f'<div class="abm-kpi-delta" style="color:{colour}">{sign}{kpi_text(name, abs(delta))}</div></div>')
    return f'<div class="abm-kpis{tag} abm-kpi-row">{"".join(cards)}</div>'


def state_names() -> dict[int, str]:
    return {int(s): t(s.name.lower()) for s in ServiceState}
