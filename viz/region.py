"""A region of one's own: unit counts by kind, staff per unit, the e-health unit's size and the catalogue's
services (which exist, and the week each arrives), translated exactly into the model's own parameters.

The translation is a set of override keys in `viz.levers.Settings.levers`, so `Settings.overrides()`, saving
and `abm run` carry it unchanged:

- `organisation.n_units` = care units (+ the innovation units `structural` builds: `abm.core.build.n_innovation`),
  `organisation.share_primary_care` = primary-care centres / care units, `organisation.share_wards` = wards /
  care units (the rest are specialist clinics), so `abm.core.build.unit_kinds` rebuilds exactly these counts;
- `organisation.n_staff` = care units x staff per unit (under `structural` the innovation units' staff come
  out of this total, as the model sizes them);
- `management.ehealth_staff` = e-health staff x 1,000 / n_staff (the field is per 1,000 staff);
- `services.catalogue` = a Hydra list of the kept services, every field spelt out (only when the services
  differ from the preset's): a list override is the one override that can drop an item.

Values are validated by the parameter dataclasses themselves, so a refused value gets the model's own line.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from abm.core.params import ManagementParams, ModelParams, OrganisationParams, ServiceSpec
from abm.errors import ParamError, UserError
from viz.catalogue import CATALOGUE_KEY, catalogue_data, catalogue_text, parse_catalogue
from viz.levers import Settings, Value, preset

UNIT_KEYS = ("organisation.n_units", "organisation.share_primary_care", "organisation.share_wards",
             "organisation.n_staff", "management.ehealth_staff")
KEYS = (*UNIT_KEYS, CATALOGUE_KEY)


@dataclass(frozen=True)
class Region:
    """What a strategist says about their region (care units by kind, staff, e-health unit, services)."""

    primary_care: int
    wards: int
    specialist: int
    staff_per_unit: int
    ehealth_staff: float  # people (full-time) in the regional e-health unit
    services: tuple[tuple[str, int | None], ...]  # catalogue order: (name, arrival week), None = not offered

    @property
    def care_units(self) -> int:
        return self.primary_care + self.wards + self.specialist


def int_range(cls: type, name: str) -> tuple[int, int]:
    """An integer field's bounds from its metadata in abm/core/params.py."""
    lo, hi = next(f for f in dataclasses.fields(cls) if f.name == name).metadata["range"]
    return int(lo), int(min(hi, 10**9))


UNITS_RANGE = int_range(OrganisationParams, "n_units")  # per kind, as for the total
STAFF_RANGE = int_range(OrganisationParams, "n_staff")
WEEK_RANGE = int_range(ServiceSpec, "arrival_week")


def innovation_units(settings: Settings, base: ModelParams) -> int:
    """The innovation units the model adds to the care units (`structural` with a budget; else none)."""
    budget = float(dict(settings.levers).get("practice.budget", base.practice.budget))
    if settings.practice != "structural" or budget <= 0:
        return 0
    return int(dict(settings.levers).get("organisation.n_innovation_units", base.organisation.n_innovation_units))


def base_params(settings: Settings) -> ModelParams:
    """The draft's presets composed (UserError for an unknown preset)."""
    base = preset(*settings.presets)
    if base is None:
        raise UserError(f"organisation={settings.organisation} is not a known preset")
    return base


def catalogue_of(settings: Settings, base: ModelParams) -> tuple[ServiceSpec, ...]:
    """The catalogue the settings give: the override if there is one, else the preset's."""
    text = dict(settings.levers).get(CATALOGUE_KEY)
    return parse_catalogue(str(text)) if text is not None else base.services.catalogue


def current(settings: Settings) -> Region:
    """The region the settings build (the inverse of `apply`), as the model's builder counts it."""
    base = base_params(settings)
    levers = dict(settings.levers)
    org = base.organisation
    n_units = int(levers.get("organisation.n_units", org.n_units))
    share_pc = float(levers.get("organisation.share_primary_care", org.share_primary_care))
    share_w = float(levers.get("organisation.share_wards", org.share_wards))
    n_staff = int(levers.get("organisation.n_staff", org.n_staff))
    rate = float(levers.get("management.ehealth_staff", base.management.ehealth_staff))
    care = max(n_units - min(innovation_units(settings, base), n_units - 1), 0)
    pc = min(round(care * share_pc), care)
    wards = min(round(care * share_w), care - pc)
    full = {s.name: s for s in base.services.catalogue}
    chosen = {s.name: s.arrival_week for s in catalogue_of(settings, base)}
    names = [*full, *(n for n in chosen if n not in full)]
    return Region(pc, wards, care - pc - wards, round(n_staff / care) if care else 0,
                  round(rate * n_staff / 1000, 2), tuple((n, chosen.get(n)) for n in names))


def apply(settings: Settings, region: Region) -> Settings:
    """The settings with the region's override keys (validated: ParamError/UserError with the model's line)."""
    base = base_params(settings)
    care = region.care_units
    n_staff = care * region.staff_per_unit
    org = dataclasses.replace(base.organisation, n_units=care + innovation_units(settings, base),
                              share_primary_care=region.primary_care / care if care else 0.0,
                              share_wards=region.wards / care if care else 0.0, n_staff=n_staff)
    rate = region.ehealth_staff * 1000 / n_staff if n_staff else 0.0
    ManagementParams(ehealth_staff=rate)  # the field's own check (a number in [0, 100] per 1,000 staff)
    out = settings
    for key, value in (("organisation.n_units", org.n_units), ("organisation.share_primary_care",
                       org.share_primary_care), ("organisation.share_wards", org.share_wards),
                       ("organisation.n_staff", org.n_staff), ("management.ehealth_staff", rate)):
        out = out.with_lever(key, value)
    specs = services(base, region)
    if specs == base.services.catalogue:
        out = out.with_(levers=tuple((k, v) for k, v in out.levers if k != CATALOGUE_KEY))
    else:
        out = out.with_lever(CATALOGUE_KEY, catalogue_text(specs))
    check(out)
    return out


def services(base: ModelParams, region: Region) -> tuple[ServiceSpec, ...]:
    """The preset's services the region offers, each with its arrival week (validated by ServiceSpec)."""
    by_name = {s.name: s for s in base.services.catalogue}
    out = []
    for name, week in region.services:
        if week is not None and name in by_name:
            lo, hi = WEEK_RANGE
            if not lo <= week <= hi:
                raise ParamError("services.catalogue[].arrival_week", week, f"an integer in [{lo}, {hi}]")
            out.append(dataclasses.replace(by_name[name], arrival_week=int(week)))
    return tuple(out)


def check(settings: Settings) -> ModelParams:
    """The settings' parameters built by the dataclasses (their cross-field checks too), or their error."""
    base = base_params(settings)
    groups: dict[str, dict[str, Any]] = {}
    for key, value in settings.levers:
        group, name = key.split(".", 1)
        groups.setdefault(group, {})[name] = parse_catalogue(str(value)) if key == CATALOGUE_KEY else value
    changed = {g: dataclasses.replace(getattr(base, g), **kw) for g, kw in groups.items()}
    return dataclasses.replace(base, **changed)


def follow(old: Settings, new: Settings) -> Settings:
    """Keep the region when the practice (or budget) changes what the model adds to it: `n_units` counts the
    innovation units `structural` builds, so it follows them; another organisation preset drops the region
    (its own counts apply)."""
    if not any(k in KEYS for k, _ in old.levers) or old.presets == new.presets and \
            dict(old.levers).get("practice.budget") == dict(new.levers).get("practice.budget"):
        return new
    if new.organisation != old.organisation:
        return new.with_(levers=tuple((k, v) for k, v in new.levers if k not in KEYS))
    levers = dict(new.levers)
    if "organisation.n_units" not in levers:
        return new
    try:
        care = int(levers["organisation.n_units"]) - innovation_units(old, base_params(old))
        return new.with_lever("organisation.n_units", care + innovation_units(new, base_params(new)))
    except UserError:
        return new


def workshop_value(key: str, value: Value) -> Any:
    """A lever value as the workshop config writes it (the catalogue as a YAML list)."""
    return catalogue_data(str(value)) if key == CATALOGUE_KEY else value
