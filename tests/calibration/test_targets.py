"""The target table: the committed one is complete and sourced; a malformed one is one line naming the file,
line and column; distances and ranges mean what docs/calibration.md says."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from abm.analysis.patterns import PATTERNS
from abm.analysis.targets import COLUMNS, MISSING_DISTANCE, distance, holds, load_targets, select
from abm.errors import UserError

HEADER = ",".join(COLUMNS)
ROW = 'P6,turnover_per_year,0.06,0.15,0.09,"observed",source,2017,https://example.org'


def test_the_committed_table_covers_every_quantity_of_the_four_patterns_with_a_source():
    targets = load_targets()
    assert {t.pattern for t in targets} == {"P1", "P3", "P4", "P6"} == set(PATTERNS)
    for name, pattern in PATTERNS.items():
        assert {t.quantity for t in targets if t.pattern == name} == set(pattern.quantities)
    for t in targets:
        assert t.link.startswith("https://") and t.source and t.statement and 1990 < t.year < 2030
        assert t.low <= t.high and t.scale > 0
    by_key = {t.key: t for t in targets}
    assert (by_key["P1.weeks_first_to_80"].low, by_key["P1.weeks_first_to_80"].high) == (150, 300)
    assert (by_key["P4.total"].low, by_key["P4.total"].high) == (80, 200)
    assert math.isinf(by_key["P3.peak_ratio"].high) and by_key["P3.peak_ratio"].low == 1.4
    assert (by_key["P6.turnover_per_year"].low, by_key["P6.turnover_per_year"].high) == (0.06, 0.15)


def test_distance_is_zero_inside_scaled_outside_and_fixed_for_missing_values():
    (t,) = load_targets_from_text(f"{HEADER}\n{ROW}\n")
    assert t.distance(0.1) == 0 and t.inside(0.06) and t.inside(0.15)
    assert t.distance(0.24) == pytest.approx(1.0) and t.distance(0.015) == pytest.approx(0.5)
    assert t.distance(math.nan) == MISSING_DISTANCE and not t.inside(math.nan)
    assert distance({t.key: 0.24}, [t, t]) == pytest.approx(1.0)  # root mean square
    assert holds({t.key: 0.1}, [t]) and not holds({}, [t])



def load_targets_from_text(text: str, tmp: Path | None = None):
    import tempfile

    folder = Path(tempfile.mkdtemp()) if tmp is None else tmp
    path = folder / "t.csv"
    path.write_text(text, encoding="utf-8")
    return load_targets(str(path))


BAD = [
    (f"{HEADER}\n", "no targets"),
    ("pattern,quantity,low\nP6,turnover_per_year,0\n", "column 'high' is missing"),
    (f"{HEADER},extra\n{ROW},x\n", "column 'extra' is not allowed"),
    (f"{HEADER}\n{ROW.replace('P6,', 'P9,', 1)}\n", "pattern='P9' is not known"),
    (f"{HEADER}\n{ROW.replace('turnover_per_year', 'speed')}\n", "quantity='speed' is not one of pattern P6's"),
    (f"{HEADER}\n{ROW.replace('0.06,0.15', '0.2,0.15')}\n", "the range [0.2, 0.15] of P6.turnover_per_year"),
    (f"{HEADER}\n{ROW.replace('0.06,0.15', 'low,0.15')}\n", "low='low' is not allowed: a number"),
    (f"{HEADER}\n{ROW.replace(',0.09,', ',0,')}\n", "scale=0 of P6.turnover_per_year is not allowed"),
    (f"{HEADER}\n{ROW.replace(',source,', ',,')}\n", "source of P6.turnover_per_year is empty"),
    (f"{HEADER}\n{ROW.replace(',2017,', ',soon,')}\n", "year='soon' is not allowed"),
    (f"{HEADER}\n{ROW}\n{ROW}\n", "P6.turnover_per_year appears twice"),
    (f"{HEADER}\n{ROW},more\n", "more fields than the 9 columns"),
]


@pytest.mark.parametrize(("text", "expected"), BAD, ids=[b[1][:30] for b in BAD])
def test_a_malformed_table_is_one_line_naming_the_file_and_what_is_wrong(tmp_path, text, expected):
    with pytest.raises(UserError) as err:
        load_targets_from_text(text, tmp_path)
    assert expected in str(err.value) and str(tmp_path / "t.csv") in str(err.value)
    assert "\n" not in str(err.value)


def test_a_missing_table_and_an_unknown_pattern_are_refused():
    with pytest.raises(UserError, match="target table 'nosuch' not found: one of patterns"):
        load_targets("nosuch")
    with pytest.raises(UserError, match="pattern 'P2' is not known"):
        select(load_targets(), ["P2"], "here")


def test_every_shipped_calibration_file_is_valid_and_says_what_it_asks():
    from abm.calibration.spec import load_calibration
    from tests.helpers.calibration import REPO

    files = [p for p in (REPO / "experiments").glob("*.yaml") if "kind: calibration" in p.read_text()]
    assert files
    for path in files:
        text = path.read_text()
        assert text.startswith("# What it asks:") and f"uv run abm calibrate {path.stem}" in text
        cal = load_calibration(path.stem)
        assert cal.name == path.stem and cal.targets_name == "patterns" and cal.preset == "sweden2021"
