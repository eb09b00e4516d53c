"""The "your region" card (Live sidebar, Compare's shared settings): units by kind, staff per unit, the e-health
unit's size and which services arrive when, as override keys of the draft settings (viz.region). A refused
value is one line in the card (the model's own message) and the draft is untouched; changes apply at Reset."""

from __future__ import annotations

import dataclasses

import solara

from abm.errors import ParamError, UserError
from viz import state
from viz.i18n import service_name, t
from viz.region import KEYS, STAFF_RANGE, UNITS_RANGE, WEEK_RANGE, Region, apply, base_params, current
from viz.widgets import Panel

ERROR_KEY = "region"
COUNTS = ("primary_care", "wards", "specialist")


def parse_int(text: str, key: str, bounds: tuple[int, int]) -> int:
    """A whole number within `bounds`, or ParamError naming `key`."""
    lo, hi = bounds
    try:
        value = float(str(text).strip().replace(",", "."))
    except ValueError:
        raise ParamError(key, text, f"an integer in [{lo}, {hi}]") from None
    if not value.is_integer() or not lo <= value <= hi:
        raise ParamError(key, text, f"an integer in [{lo}, {hi}]")
    return int(value)


def parse_number(text: str, key: str) -> float:
    """A finite number >= 0, or ParamError naming `key`."""
    try:
        value = float(str(text).strip().replace(",", "."))
    except ValueError:
        raise ParamError(key, text, "a number >= 0") from None
    if not value >= 0 or value == float("inf"):
        raise ParamError(key, text, "a number >= 0")
    return value


def set_region(runs: tuple[state.Run, ...], region: Region) -> None:
    """Put the region into every run's draft (each translated for its own practice), or, if any refuses it,
    say why in one line and change nothing."""
    try:
        drafts = [apply(run.draft.value, region) for run in runs]
    except UserError as err:
        set_error(runs[0], str(err))
        return
    for run, draft in zip(runs, drafts, strict=True):
        run.draft.set(draft)
    set_error(runs[0], "")


def set_error(run: state.Run, text: str) -> None:
    errors = {k: v for k, v in run.errors.value.items() if k != ERROR_KEY}
    run.errors.set({**errors, ERROR_KEY: text} if text else errors)


def edit(runs: tuple[state.Run, ...], region: Region, field: str, text: str) -> None:
    """One typed field of the card (a count, the staff per unit or the e-health unit's size)."""
    try:
        if field in COUNTS:
            value: float = parse_int(text, f"region.{field}", (0, UNITS_RANGE[1]))
        elif field == "staff_per_unit":
            value = parse_int(text, "region.staff_per_unit", (1, STAFF_RANGE[1]))
        else:
            value = parse_number(text, "region.ehealth_staff")
    except UserError as err:
        set_error(runs[0], str(err))
        return
    if value != getattr(region, field):
        set_region(runs, dataclasses.replace(region, **{field: value}))


def edit_service(runs: tuple[state.Run, ...], region: Region, name: str, offered: bool, week: str | int) -> None:
    """A service offered or not, or its arrival week typed."""
    try:
        arrival = parse_int(str(week), f"services.{name}.arrival_week", WEEK_RANGE) if offered else None
    except UserError as err:
        set_error(runs[0], str(err))
        return
    services = tuple((n, arrival if n == name else w) for n, w in region.services)
    if services != region.services:
        set_region(runs, dataclasses.replace(region, services=services))


def number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


@solara.component
def RegionCard(runs: tuple[state.Run, ...], prefix: str = "") -> None:
    """The card: every field a text box (typed, applied at Enter or on leaving it), the services as ticks with
    their week; the totals and any refusal below."""
    draft = runs[0].draft.value
    try:
        region = current(draft)
    except UserError as err:
        solara.Error(str(err), dense=True, classes=["abm-error"])
        return
    error = runs[0].errors.value.get(ERROR_KEY, "")
    moved = any(key in KEYS for key, _ in draft.levers)
    with Panel(t("region"), expand=moved, classes=[f"{prefix}abm-region"]):  # open once it has been edited
        solara.Text(t("region_help"), style="font-size: 12px")
        for field in (*COUNTS, "staff_per_unit", "ehealth_staff"):
            name = {"staff_per_unit": "region_staff", "ehealth_staff": "region_ehealth"}.get(field, f"region_{field}")
            solara.InputText(t(name), value=number_text(getattr(region, field)), continuous_update=False,
                             on_value=lambda v, f=field: edit(runs, region, f, v), dense=True,
                             classes=[f"{prefix}abm-region-{field}"])
            solara.Text(t(f"{name}_help"), style="font-size: 11px; color: #666")
        solara.Text(t("region_total").format(units=region.care_units, staff=region.care_units * region.staff_per_unit),
                    classes=["abm-region-total"], style="font-size: 12px")
        if draft.practice == "structural":
            solara.Text(t("region_structural"), style="font-size: 11px; color: #666")
        solara.Text(t("region_services"), classes=["abm-label"])
        solara.Text(t("region_services_help"), style="font-size: 11px; color: #666")
        catalogue = base_params(draft).services.catalogue  # every service the card may offer
        labels, preset_week = {s.name: s.label for s in catalogue}, {s.name: s.arrival_week for s in catalogue}
        for name, week in region.services:
            with solara.Row(style="align-items: center", classes=[f"{prefix}abm-service-{name}"]):
                solara.Checkbox(label=service_name(name, labels.get(name, name)), value=week is not None,
                                on_value=lambda v, n=name, w=week: edit_service(
                                    runs, region, n, v, w if w is not None else preset_week.get(n, 0)))
                solara.InputText(t("region_week"), value="" if week is None else str(week), disabled=week is None,
                                 continuous_update=False, dense=True, style="max-width: 80px",
                                 on_value=lambda v, n=name: edit_service(runs, region, n, True, v),
                                 classes=["abm-service-week"])
        if error:
            solara.Error(f"{t('error_prefix')}: {error}", dense=True, classes=["abm-error", "abm-region-error"])

