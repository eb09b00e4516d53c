"""Generated parts of docs/ODD.md: the parameter tables (from the parameter dataclasses, with each field's
source) and the metrics table (from the registry). `python -m abm.cli.odd` rewrites them in place; a test
fails on drift."""

from __future__ import annotations

import dataclasses
import math
import re
import sys

from abm.core.metrics import REGION_METRICS, UNIT_METRICS
from abm.core.params import GROUPS, ModelParams, ServiceSpec
from abm.paths import odd_path
from abm.store.files import write_text

ODD_PATH = odd_path()
SECTIONS = {"parameters": "parameter_table", "metrics": "metrics_table"}
HEADER = ["| key | default | allowed | meaning | source |", "|---|---|---|---|---|"]
NO_SOURCE = "–"  # fields without metadata: a preset's name, the catalogue itself


def fmt_range(meta: dict) -> str:
    if "choices" in meta:
        return " / ".join(f"`{c}`" for c in meta["choices"])
    if "range" in meta:
        lo, hi = meta["range"]
        return f"[{lo:g}, {'∞' if hi == math.inf else f'{hi:g}'}]"
    if "each" in meta:
        lo, hi = meta["each"]
        return f"list of numbers in [{lo:g}, {hi:g}], one per staff row, or `[]`"
    return "true / false" if "help" in meta else "text"


def fmt_default(value: object) -> str:
    if isinstance(value, tuple) and value and dataclasses.is_dataclass(value[0]):
        return f"{len(value)} services (tables below)"
    if isinstance(value, tuple):
        return f"`{list(value)}`"
    return f"`{value}`"


def fmt_source(meta: dict) -> str:
    """The field's `source` metadata: a literature source, `assumption`, `design` or `docking`."""
    return str(meta.get("source", NO_SOURCE))


GROUP_HELP = {"name": "name of the option (the file `configs/<group>/<name>.yaml`), recorded in outputs"}
SERVICE_HELP = {"name": "the service's identifier (the metric column `adoption__<name>`)",
                "label": "the service's readable name (the app, reports)"}


def row(key: str, default: object, f: dataclasses.Field, fallback: dict[str, str] = GROUP_HELP) -> str:
    """One table row; fields without metadata (names, labels) get a fallback meaning."""
    meaning = f.metadata.get("help", fallback.get(f.name, ""))
    return f"| `{key}` | {fmt_default(default)} | {fmt_range(f.metadata)} | {meaning} | {fmt_source(f.metadata)} |"


def parameter_rows() -> list[str]:
    rows = list(HEADER)
    top = ModelParams()
    for f in dataclasses.fields(ModelParams):
        if f.name in GROUPS:
            group = getattr(top, f.name)
            rows += [row(f"{f.name}.{g.name}", getattr(group, g.name), g) for g in dataclasses.fields(GROUPS[f.name])]
        else:
            rows.append(row(f.name, getattr(top, f.name), f))
    return rows


def service_field_rows() -> list[str]:
    """What each property of a catalogue entry means (defaults: a `ServiceSpec()` without arguments)."""
    spec = ServiceSpec()
    return list(HEADER) + [row(f"services.catalogue[].{f.name}", getattr(spec, f.name), f, SERVICE_HELP)
                           for f in dataclasses.fields(ServiceSpec)]


def fmt_cell(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return f"{value:g}" if isinstance(value, float) else str(value)


def catalogue_rows() -> list[str]:
    names = [f.name for f in dataclasses.fields(ServiceSpec)]
    rows = ["| " + " | ".join(names) + " |", "|" + "---|" * len(names)]
    for s in ModelParams().services.catalogue:
        cells = [f"`{s.name}`"] + [fmt_cell(getattr(s, n)) for n in names[1:]]
        rows.append("| " + " | ".join(cells) + " |")
    return rows


def parameter_table() -> str:
    rows = parameter_rows()
    rows += ["", "Properties of each e-health service (every entry of `services.catalogue`; the default shown is "
             "that of an entry that leaves the property out):", ""]
    rows += service_field_rows()
    rows += ["", "Default e-health catalogue (`services.catalogue`):", ""]
    rows += catalogue_rows()
    return "\n".join(rows)


def metrics_table() -> str:
    rows = ["| name | label | unit | kind |", "|---|---|---|---|"]
    rows += [f"| `{m.name}` | {m.label} | {m.unit} | {m.kind} |" for m in REGION_METRICS]
    rows.append("| `adoption__<service>` | Adoption share of one service | share | share |")
    rows.append("| `live__<service>` | Share of care units where one service is live | share | share |")
    rows += ["", "Unit-level table (`units.parquet`, one row per unit and week): `week`, `unit`, `kind`, `n_staff`, "
             + ", ".join(f"`{m.name}`" for m in UNIT_METRICS) + "."]
    return "\n".join(rows)


def render(text: str) -> str:
    """`text` with every generated section replaced by its current content."""
    for name, func in SECTIONS.items():
        body = globals()[func]()
        pattern = re.compile(rf"(<!-- generated:{name} -->\n).*?(<!-- /generated:{name} -->)", re.S)
        if not pattern.search(text):
            raise ValueError(f"docs/ODD.md lacks the markers of the generated section {name!r}")
        text = pattern.sub(lambda m, body=body: m.group(1) + body + "\n" + m.group(2), text)
    return text


def main() -> int:
    """A development tool: rewrite the generated sections of the checkout's docs/ODD.md."""
    if not ODD_PATH.is_file():
        print(f"abm: error: {ODD_PATH} not found: run this in a source checkout (a wheel has no docs/)",
              file=sys.stderr)
        return 2
    text = ODD_PATH.read_text(encoding="utf-8")
    new = render(text)
    if new != text:
        write_text(ODD_PATH, new)
        print(f"updated {ODD_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
