"""Components shared by the Live and Compare pages: settings, levers, play controls and KPI cards."""

from __future__ import annotations

from collections.abc import Callable

import solara

from abm.core.metrics import REGISTRY
from abm.core.params import ModelParams
from abm.core.state import ServiceState
from viz import state, words
from viz.i18n import better_text, metric_label, metric_unit, say, t, technical
from viz.levers import ENVIRONMENTS, LEVERS, ORGANISATIONS, PRACTICE_CHOICES, SECTIONS, Lever, Value, preset
from viz.sim import KPI_METRICS, Simulation
from viz.svg import esc


def code(name: str) -> str:
    """A technical name beside its plain one, only with "show technical names" on (modellers)."""
    return f" · {name}" if technical.value else ""


def choice_buttons(value: str, options: dict[str, words.Word], keys: tuple[str, ...], on_value: Callable[[str], None],
                  classes: list[str]) -> None:
    """A preset choice as toggle buttons with plain names, each explained in its tooltip, and the chosen
    one's explanation below (the code names with technical names on)."""
    with solara.ToggleButtonsSingle(value, on_value=on_value, dense=True, classes=classes,
                                    style="flex-wrap: wrap"):
        for key in keys:
            word = options[key]
            solara.Button(say(word.name) + code(key), value=key, text=True, attributes={"title": say(word.help)},
                          classes=[f"abm-option-{key}"])
    if value in options:
        solara.Text(say(options[value].help), classes=["abm-choice-help"])


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
        choice_buttons(draft.organisation, words.ORGANISATIONS, ORGANISATIONS, lambda v: share(organisation=v),
                      [f"{prefix}abm-organisation"])
    if practice:
        solara.Text(t("practice"), classes=["abm-label"])
        choice_buttons(draft.practice, words.PRACTICES, PRACTICE_CHOICES,
                      lambda v: state.set_choice(run, practice=v), [f"{prefix}abm-practice"])
    if shared:
        solara.Text(t("environment"), classes=["abm-label"])
        choice_buttons(draft.environment, words.ENVIRONMENTS, ENVIRONMENTS, lambda v: share(environment=v),
                      [f"{prefix}abm-environment"])
        solara.InputInt(t("seed"), value=draft.seed, on_value=lambda v: share(seed=max(0, int(v or 0))),
                        classes=[f"{prefix}abm-seed"])
        solara.Text(t("seed_help"), classes=["abm-choice-help"])


def lever_defaults(run: state.Run) -> ModelParams:
    """The values the draft's presets give the levers no one moved: the running model's own parameters
    while they are those presets untouched (no composing), else the presets composed (cached)."""
    sim = state.ensure(run)
    draft, applied = run.draft.value, run.applied.value
    if draft.presets == applied.presets and not applied.levers:
        return sim.params
    return preset(*draft.presets) or sim.params


def lever_name(lever: Lever) -> str:
    """The lever's plain name in the session's language."""
    return say(words.LEVERS[lever.id].name)


def lever_head(lever: Lever, value: Value, reason: str) -> str:
    """The lever's plain name, its unit and the range the slider spans, then what moving it does or why it
    is off; with technical names on also its override key and the modeller's help from the field."""
    word = words.LEVERS[lever.id]
    if lever.kind == "choice":
        span = ""
    else:
        lo, hi = lever.range
        top = lever.slider_max(float(value))
        unit = f"{esc(say(word.unit))}, " if word.unit[0] else ""
        span = f" — <span class=\"abm-range\">{unit}{lever.text(lo)} {esc(t('to'))} {lever.text(top)}"
        if hi > top:
            span += f" ({esc(t('typed_up_to'))} {lever.text(hi)})"
        span += "</span>"
    key = f' <code translate="no">{esc(lever.key)}</code>' if technical.value else ""
    if reason:
        note = f'<small class="abm-lever-reason">{esc(t("not_used"))}: {esc(t(reason))}</small>'
    else:
        note = f'<small class="abm-lever-help">{esc(say(word.help))}</small>'
        if technical.value:
            note += f'<br><small translate="no" class="abm-lever-tech">{esc(lever.help)}</small>'
    return f"<b>{esc(say(word.name))}</b>{key}{span}<br>{note}"


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
                    solara.Button(say(words.CHOICES[choice]) + code(choice), value=choice, disabled=off, text=True)
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
                solara.InputText(lever_name(lever), value=lever.text(number), disabled=off,
                                 on_value=lambda v: state.set_lever(run, lever, v, value),
                                 classes=[f"{prefix}abm-input-{lever.id}"], style="max-width: 110px", dense=True)
        if error:
            Refusal(error)


@solara.component
def Panel(summary: str, children: list[solara.Element] = [], expand: bool = False,  # noqa: B006 (Solara's)
          classes: list[str] = []) -> None:  # noqa: B006
    """A section that opens and closes (like solara.Details), whose content is made only while it is open: a
    closed section of levers costs the page no widgets, so the first page is quicker to build and to show."""
    import reacton.ipyvuetify as rv

    opened, set_opened = solara.use_state(expand)
    with (rv.ExpansionPanels(v_model=0 if opened else None, on_v_model=lambda v: set_opened(v == 0),
                             class_=" ".join(classes)),
          rv.ExpansionPanel()):
        rv.ExpansionPanelHeader(children=[summary])
        rv.ExpansionPanelContent(children=children if opened else [])


def refusal_html(lead: str, message: str) -> str:
    """A refusal: the app's words, then the model's own one-line message (naming the key, the value and what
    is allowed, as `abm run` prints it), which is technical and kept as it is (marked as data)."""
    return f'{esc(lead)}: <code translate="no">{esc(message)}</code>'


@solara.component
def Refusal(message: str) -> None:
    """A refused value, under its control or the play controls."""
    solara.HTML("div", unsafe_innerHTML=refusal_html(f'{t("error_prefix")}: {t("refused_hint")}', message),
                classes=["abm-error", "error--text"], style="font-size: 13px")


@solara.component
def Levers(run: state.Run, prefix: str = "") -> None:
    """Every lever by section, each section a panel that opens (the practice's open at first, the others
    saying how many of their levers are moved); those the draft's practice or environment does not use are
    disabled, with the reason."""
    defaults = lever_defaults(run)
    moved = {key for key, _ in run.draft.value.levers}
    with solara.Column(gap="2px", classes=[f"{prefix}abm-levers"]):
        for section in SECTIONS:
            levers = [lever for lever in LEVERS if lever.section == section]
            changed = sum(lever.key in moved for lever in levers)
            summary = t(section) + (f" ({changed} {t('changed')})" if changed else "")
            with (solara.Column(gap="0px", classes=["abm-lever-section", f"abm-section-{section}"]),
                  Panel(summary=summary, expand=section == SECTIONS[0] or changed > 0)):
                for lever in levers:
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
            Refusal(r.errors.value["reset"])


KPI_FORMAT = {"maturity_total": ".1f", "mean_stage": ".2f", "services_live": ".2f"}


def kpi_text(name: str, value: float) -> str:
    """A headline value: scores to one decimal, stages and services per unit to two, shares and rates to
    three (never in the model's own units rounded away), counts whole."""
    if name.startswith("n_"):
        return f"{value:.0f}"
    return format(value, KPI_FORMAT.get(name, ".3f"))


def start_row(sim: Simulation, name: str) -> int:
    """The row a change is measured from: week 0 for a level, the first week for a flow (care delivered is
    0 at week 0, before anyone has worked: a change from it would be the whole value)."""
    metric = REGISTRY.get(name)
    return 1 if metric is not None and metric.kind == "flow" and sim.model.collector.rows > 1 else 0


def kpi_html(sim: Simulation, tag: str = "") -> str:
    """Headline outcomes now, in plain names with their unit, which way is better, and their change since the
    start, green when it is for the better (one HTML string: one widget update)."""
    from viz.words import OUTCOMES

    cards = []
    for name in KPI_METRICS:
        row = start_row(sim, name)
        now, start = sim.value(name), sim.value(name, row)
        delta = now - start
        better = OUTCOMES[name].better if name in OUTCOMES else 0
        good = delta * better
        colour = "#2ca02c" if good > 0 else ("#d62728" if good < 0 else "#666")
        arrow = "▲" if delta > 0 else ("▼" if delta < 0 else "")
        since = t("since_week_1") if row else t("since_week_0")
        direction = better_text(name)
        tech = f' <code translate="no">{esc(name)}</code>' if technical.value else ""
        cards.append(
            f'<div class="abm-kpi" data-metric="{name}" title="{esc(direction)}">'
            f'<div class="abm-kpi-label">{esc(metric_label(name))}{tech}</div>'
            f'<div class="abm-kpi-value">{kpi_text(name, now)}</div>'
            f'<div class="abm-kpi-unit">{esc(metric_unit(name))}</div>'
            f'<div class="abm-kpi-delta" style="color:{colour}">{arrow} {kpi_text(name, abs(delta))} {esc(since)}'
            f'</div><div class="abm-kpi-better">{esc(direction)}</div></div>')
    return f'<div class="abm-kpis{tag} abm-kpi-row">{"".join(cards)}</div>'


def state_names() -> dict[int, str]:
    return {int(s): t(s.name.lower()) for s in ServiceState}
