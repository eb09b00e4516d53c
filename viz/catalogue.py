"""The service catalogue as one override value (`services.catalogue=[{...}, ...]`), written and read back: the
form a region of one's own (viz.region) gives the services it offers, each with its arrival week."""

from __future__ import annotations

import dataclasses
from typing import Any

import yaml

from abm.core.params import ServiceSpec
from abm.errors import UserError

CATALOGUE_KEY = "services.catalogue"


def hydra_value(value: Any) -> str:
    """A scalar as Hydra override text (strings quoted, so labels may hold spaces and brackets)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    text = str(value).replace("\\", "\\\\").replace("'", "\\'")
    return f"'{text}'"


def catalogue_text(specs: tuple[ServiceSpec, ...]) -> str:
    """A catalogue as a Hydra list value: `[{name: 'ehr', arrival_week: 0, ...}, ...]`, every field spelt out."""
    items = []
    for spec in specs:
        fields = ", ".join(f"{f.name}: {hydra_value(getattr(spec, f.name))}" for f in dataclasses.fields(spec))
        items.append("{" + fields + "}")
    return "[" + ", ".join(items) + "]"


def catalogue_data(text: str) -> list[dict[str, Any]]:
    """The catalogue override as plain YAML data (the workshop config writes the list, not its text)."""
    data = yaml.safe_load(text.replace("\\'", "''"))
    if not isinstance(data, list) or not all(isinstance(d, dict) for d in data):
        raise UserError(f"{CATALOGUE_KEY}: expected a list of services")
    return data


def parse_catalogue(text: str) -> tuple[ServiceSpec, ...]:
    """The inverse of `catalogue_text` (for the dataclass checks and the saved workshop config)."""
    return tuple(ServiceSpec(**item) for item in catalogue_data(text))
