"""The one shape every check returns: a tidy table with one row per assertion."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

COLUMNS = ("check", "parameters", "measured", "expected", "tolerance", "passed", "criterion")


def row(check: str, parameters: str, measured: float, expected: float, tolerance: float, passed: bool,
        criterion: str) -> dict[str, Any]:
    """One assertion: `criterion` says in words what `passed` tested."""
    return {"check": check, "parameters": parameters, "measured": float(measured), "expected": float(expected),
            "tolerance": float(tolerance), "passed": bool(passed), "criterion": criterion}


def within(check: str, parameters: str, measured: float, expected: float, tolerance: float) -> dict[str, Any]:
    """|measured - expected| <= tolerance."""
    ok = abs(measured - expected) <= tolerance + 1e-12
    return row(check, parameters, measured, expected, tolerance, ok, f"|measured - expected| <= {tolerance:.4g}")


def tidy(rows: list[dict[str, Any]], **data: pd.DataFrame) -> pd.DataFrame:
    """The check's table; figure data ride along in `attrs` (e.g. attrs['curves'])."""
    df = pd.DataFrame(rows, columns=list(COLUMNS))
    df.attrs.update(data)
    return df


def widened(tolerance: float, sd: float, runs: int, full_runs: int, z: float = 3.0) -> float:
    """A full-size tolerance widened for fewer runs: add z times the extra standard error,
    z * sd * (1/sqrt(runs) - 1/sqrt(full_runs)), so a smaller run fails only when a full one would
    (up to z-sigma sampling noise). Unchanged at or above the full run count."""
    if runs >= full_runs or not math.isfinite(sd):
        return tolerance
    return tolerance + z * sd * (1.0 / math.sqrt(runs) - 1.0 / math.sqrt(full_runs))
