"""The summary table `abm run` prints: the main outcomes after year 1, at the horizon and over the run."""

from __future__ import annotations

import pandas as pd

from abm.analysis.stats import in_mean_window, run_means
from abm.core.metrics import REGISTRY

SUMMARY_METRICS = (
    "maturity_total", "mean_stage", "n_services_routinised", "adoption_share", "remote_share", "waiting_list",
    "mandated_progress",
    "mean_knowhow", "code_knowledge", "care_production", "exploration_share", "workload",
)
YEAR = 52


def summary_table(region: pd.DataFrame) -> pd.DataFrame:
    """Per main outcome: its value at week 0, the mean over year 1 and the final year, at the end, and the
    run mean over weeks 1..end (abm.analysis.stats.run_means; week 0, the initial state, left out).

    Turnover is a flow counted in people, so its row holds totals over each column's weeks instead of means
    (its "run mean" is the staff who left in weeks 1..end, its week-end column the same total)."""
    weeks = region["week"]
    last = int(weeks.max())
    year1 = region[(weeks >= 1) & (weeks <= YEAR)]
    final_year = region[weeks > max(last - YEAR, 0)]
    run = run_means(region, SUMMARY_METRICS, last).iloc[0]
    rows = []
    for name in SUMMARY_METRICS:
        metric = REGISTRY[name]
        rows.append({
            "outcome": metric.label, "unit": metric.unit,
            "start": region[name].iloc[0], "year 1 mean": year1[name].mean(),
            "final year mean": final_year[name].mean(), f"week {last}": region[name].iloc[-1],
            "run mean": run[name],
        })
    rows.append({"outcome": "Staff who left (turnover)", "unit": "people",
                 "start": 0.0, "year 1 mean": year1["new_leavers"].sum(),
                 "final year mean": final_year["new_leavers"].sum(), f"week {last}": region["new_leavers"].sum(),
                 "run mean": region.loc[in_mean_window(weeks, last), "new_leavers"].sum()})
    return pd.DataFrame(rows)


def format_table(table: pd.DataFrame) -> str:
    """Plain-text table with aligned columns (no extra dependency)."""
    cells = [[str(c) for c in table.columns]]
    for row in table.itertuples(index=False):
        cells.append([v if isinstance(v, str) else ("" if pd.isna(v) else f"{v:,.3f}") for v in row])
    widths = [max(len(r[i]) for r in cells) for i in range(len(cells[0]))]
    lines = []
    for k, row in enumerate(cells):
        lines.append(
            "  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True)))
        )
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)
