"""Generated parts of docs/ODD.md: the parameter table (from the parameter dataclasses) and the
metrics table (from the registry). `python -m abm.cli.odd` rewrites them in place; a test fails on drift."""

from __future__ import annotations

import dataclasses
import math
import re
import sys

from abm.core.metrics import REGION_METRICS, UNIT_METRICS
from abm.core.params import GROUPS, ModelParams
from abm.paths import odd_path
from abm.store.files import write_text

ODD_PATH = odd_path()
SECTIONS = {"parameters": "parameter_table", "metrics": "metrics_table"}


def fmt_range(meta: dict) -> str:
    if "choices" in meta:
        return " / ".join(f"`{c}`" for c in meta["choices"])
    if "range" in meta:
        lo, hi = meta["range"]
        return f"[{lo:g}, {'∞' if hi == math.inf else f'{hi:g}'}]"
    return "true / false" if isinstance(meta, dict) else ""


def fmt_default(value: object) -> str:
    if isinstance(value, tuple) and value and dataclasses.is_dataclass(value[0]):
        return f"{len(value)} services (table below)"
    if isinstance(value, tuple):
        return f"`{list(value)}`"
    return f"`{value}`"


def parameter_table() -> str:
    rows = ["| key | default | allowed | meaning |", "|---|---|---|---|"]
    top = ModelParams()
    for f in dataclasses.fields(ModelParams):
        if f.name in GROUPS:
            group = getattr(top, f.name)
            for g in dataclasses.fields(GROUPS[f.name]):
                rows.append(f"| `{f.name}.{g.name}` | {fmt_default(getattr(group, g.name))} | "
                            f"{fmt_range(g.metadata) or 'text'} | {g.metadata.get('help', '')} |")
        else:
            rows.append(f"| `{f.name}` | {fmt_default(getattr(top, f.name))} | {fmt_range(f.metadata)} | "
                        f"{f.metadata.get('help', '')} |")
    rows += ["", "Default e-health catalogue (`services.catalogue`):", "",
             "| name | label | arrival week | complexity | relative advantage | cost | dimension | remote |",
             "|---|---|---|---|---|---|---|---|"]
    for s in top.services.catalogue:
        rows.append(f"| `{s.name}` | {s.label} | {s.arrival_week} | {s.complexity} | {s.relative_advantage} | "
                    f"{s.cost} | {s.dimension} | {'yes' if s.remote else 'no'} |")
    return "\n".join(rows)


def metrics_table() -> str:
    rows = ["| name | label | unit | kind |", "|---|---|---|---|"]
    rows += [f"| `{m.name}` | {m.label} | {m.unit} | {m.kind} |" for m in REGION_METRICS]
    rows.append("| `adoption__<service>` | Adoption share of one service | share | share |")
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
