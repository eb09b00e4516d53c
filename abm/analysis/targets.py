"""Calibration targets as data: a table of ranges, one row per pattern quantity, each with its source.

The committed table is `experiments/targets/patterns.csv` (pattern-oriented modelling, Grimm et al. 2005;
its rows are the V7 patterns of docs/validation.md). Columns:

    pattern, quantity   a registered pattern (abm.analysis.patterns) and one of the quantities it computes
    low, high           the target range (closed; `inf` for a one-sided target)
    scale               the distance one `scale` outside the range counts as 1 (for two-sided targets the width)
    statement           what the source observed and how the model quantity operationalises it
    source, year, link  the source's authors and title, its year, and its address (DOI where there is one)

A quantity is *inside* if low <= value <= high. Its distance is how far outside the range the value lies, in
units of `scale`; a quantity the run could not compute (NaN: e.g. the spread never reached 80%) counts as
MISSING_DISTANCE. The calibration's distance is the root mean square over the quantities.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from abm.analysis.patterns import PATTERNS
from abm.errors import UserError

COLUMNS = ("pattern", "quantity", "low", "high", "scale", "statement", "source", "year", "link")
MISSING_DISTANCE = 3.0  # a quantity the run cannot compute (assumption: three scales outside its range)
DEFAULT_TABLE = "patterns"


@dataclass(frozen=True)
class Target:
    pattern: str
    quantity: str
    low: float
    high: float
    scale: float
    statement: str
    source: str
    year: int
    link: str

    @property
    def key(self) -> str:
        """`P1.weeks_first_to_80`: the name of this quantity in summaries and the posterior-predictive table."""
        return f"{self.pattern}.{self.quantity}"

    def inside(self, value: float) -> bool:
        return not math.isnan(value) and self.low <= value <= self.high

    def distance(self, value: float) -> float:
        if math.isnan(value):
            return MISSING_DISTANCE
        return max(0.0, self.low - value, value - self.high) / self.scale

    def range_text(self) -> str:
        return f">= {self.low:g}" if math.isinf(self.high) else f"{self.low:g} to {self.high:g}"


def table_path(name: str) -> Path:
    """A target table by name (a file in experiments/targets/) or by path."""
    from abm.paths import experiment_dirs

    if name.endswith(".csv") or "/" in name:
        path = Path(name)
        if not path.is_file():
            raise UserError(f"target table {name} not found")
        return path
    for folder in experiment_dirs():
        path = folder / "targets" / f"{name}.csv"
        if path.is_file():
            return path
    known = sorted({p.stem for d in experiment_dirs() for p in (d / "targets").glob("*.csv")})
    raise UserError(f"target table {name!r} not found: one of {', '.join(known) or '(none)'}")


def _number(row: dict[str, str], key: str, path: Path, line: int) -> float:
    text = (row.get(key) or "").strip()
    try:
        value = float(text)
    except ValueError:
        raise UserError(f"{path}:{line}: {key}={text!r} is not allowed: a number (inf for no bound)") from None
    if math.isnan(value):
        raise UserError(f"{path}:{line}: {key}=nan is not allowed: a number (inf for no bound)")
    return value


def load_targets(name: str = DEFAULT_TABLE) -> tuple[Target, ...]:
    """Read and check a target table; any mistake is one line naming the file, line, column and value."""
    path = table_path(name)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: cannot be read as UTF-8 text ({type(exc).__name__})") from None
    reader = csv.DictReader(text.splitlines())
    header = tuple(reader.fieldnames or ())
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise UserError(f"{path}: column {missing[0]!r} is missing: the columns are {', '.join(COLUMNS)}")
    extra = [c for c in header if c not in COLUMNS]
    if extra:
        raise UserError(f"{path}: column {extra[0]!r} is not allowed: the columns are {', '.join(COLUMNS)}")
    targets: list[Target] = []
    seen: set[str] = set()
    for line, row in enumerate(reader, start=2):
        if None in row:
            raise UserError(f"{path}:{line}: more fields than the {len(COLUMNS)} columns (quote text with commas)")
        pattern = (row["pattern"] or "").strip()
        if pattern not in PATTERNS:
            raise UserError(f"{path}:{line}: pattern={pattern!r} is not known: one of {', '.join(PATTERNS)}")
        quantity = (row["quantity"] or "").strip()
        if quantity not in PATTERNS[pattern].quantities:
            raise UserError(f"{path}:{line}: quantity={quantity!r} is not one of pattern {pattern}'s: "
                            f"{', '.join(PATTERNS[pattern].quantities)}")
        low, high, scale = (_number(row, k, path, line) for k in ("low", "high", "scale"))
        if not low <= high or math.isinf(low):
            raise UserError(f"{path}:{line}: the range [{low:g}, {high:g}] of {pattern}.{quantity} is not allowed: "
                            "a finite low <= high")
        if not 0 < scale < math.inf:
            raise UserError(f"{path}:{line}: scale={scale:g} of {pattern}.{quantity} is not allowed: a number > 0")
        year_text = (row["year"] or "").strip()
        if not year_text.isdigit() or not 1900 <= int(year_text) <= 2100:
            raise UserError(f"{path}:{line}: year={year_text!r} is not allowed: the source's year (1900-2100)")
        for key in ("source", "link", "statement"):
            if not (row[key] or "").strip():
                raise UserError(f"{path}:{line}: {key} of {pattern}.{quantity} is empty: every target names "
                                "what was observed, its source and where to find it")
        key = f"{pattern}.{quantity}"
        if key in seen:
            raise UserError(f"{path}:{line}: {key} appears twice: one row per quantity")
        seen.add(key)
        targets.append(Target(pattern, quantity, low, high, scale, row["statement"].strip(), row["source"].strip(),
                              int(year_text), row["link"].strip()))
    if not targets:
        raise UserError(f"{path}: no targets (one row per pattern quantity under the header)")
    return tuple(targets)


def select(targets: Sequence[Target], patterns: Sequence[str], where: str) -> tuple[Target, ...]:
    """The targets of the named patterns; a pattern with no row in the table is one line."""
    for name in patterns:
        if name not in PATTERNS:
            raise UserError(f"{where}: pattern {name!r} is not known: one of {', '.join(PATTERNS)}")
        if not any(t.pattern == name for t in targets):
            raise UserError(f"{where}: pattern {name!r} has no target in the table: "
                            f"{', '.join(sorted({t.pattern for t in targets}))}")
    return tuple(t for t in targets if t.pattern in patterns)


def distance(values: Mapping[str, float], targets: Sequence[Target]) -> float:
    """Root mean square over the targets of each quantity's distance outside its range (0: all inside)."""
    parts = [t.distance(float(values.get(t.key, math.nan))) for t in targets]
    return math.sqrt(sum(d * d for d in parts) / len(parts))


def holds(values: Mapping[str, float], targets: Sequence[Target]) -> bool:
    return all(t.inside(float(values.get(t.key, math.nan))) for t in targets)
