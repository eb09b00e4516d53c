"""Plain Markdown tables and number formatting for the reports (no extra dependency)."""

from __future__ import annotations

import math

import pandas as pd


def fmt(x: float) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if abs(x) >= 100:
        return f"{x:.1f}"
    return f"{x:.2f}" if abs(x) >= 1 else f"{x:.3f}"


def cell(value: object) -> str:
    """A value as table text: `|` escaped, line breaks folded, so no data can break the table."""
    return " ".join(str(value).split()).replace("|", "\\|")


def markdown(df: pd.DataFrame, align: str = "---") -> str:
    """A Markdown table of `df` (`align`: "---" left, "---:" right), one line per row."""
    head = "| " + " | ".join(cell(c) for c in df.columns) + " |\n|" + f"{align}|" * len(df.columns) + "\n"
    return head + "".join("| " + " | ".join(cell(v) for v in row) + " |\n" for row in df.itertuples(index=False))
