"""Checks of docs/validation.md V6 (Fang, Lee & Schilling 2010): knowledge is inverted-U in the share of
ties that cross semi-isolated subgroups, at rest and with turnover or turbulence on. Returns a tidy table
(abm.validation.table)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from abm.analysis.stats import t_interval
from abm.validation.fang import WINDOW, FangRuns, fang_params, fang_runs, full_mixing
from abm.validation.parallel import Runner
from abm.validation.table import row, tidy

FULL_RUNS = 500
GRID = (0.0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.4)  # at rest; full mixing (0.9 with 10 equal units) is appended
ROBUST_GRID = (0.0, 0.02, 0.05, 0.1, 0.2)  # with turnover or turbulence, likewise
HORIZON = 150  # weeks of the turnover and turbulence runs (knowledge averaged over the last 50)
# condition -> (p3 turnover, p4 turbulence), per week
CONDITIONS: dict[str, tuple[float, float]] = {"rest": (0.0, 0.0), "turnover": (0.002, 0.0), "turbulence": (0.0, 0.002)}


def check_fang(runs: int = FULL_RUNS, grid: tuple[float, ...] = GRID, robust_grid: tuple[float, ...] = ROBUST_GRID,
               conditions: tuple[str, ...] = tuple(CONDITIONS), weeks: int = HORIZON, window: int = WINDOW,
               seed: int = 0, runner: Runner | None = None) -> pd.DataFrame:
    """Fang, Lee & Schilling (2010): for each condition the best moderate cross share (the highest mean among
    the grid's points strictly between 0 and full mixing) beats full isolation (0) and full mixing, each by
    more than the 95% t interval of the paired difference (run i has the same seed at every share)."""
    full = full_mixing()
    rows, curves = [], []
    for name in conditions:
        p3, p4 = CONDITIONS[name]
        rest = p3 == 0 and p4 == 0
        shares = tuple(sorted(set(grid if rest else robust_grid) | {0.0, full}))
        cells = {c: fang_runs(fang_params(c, p3, p4, None if rest else weeks), runs, seed, runner,
                              desc=f"fang {name} cross_share={c:g}", window=window) for c in shares}
        curves += [{"condition": name, "cross_share": c, "knowledge": r.mean, "se": r.se, "runs": r.knowledge.size,
                    "weeks": float(r.weeks.mean())} for c, r in cells.items()]
        rows += condition_rows(name, cells, full, runs, rest, weeks, window)
        if rest:
            unfinished = sum(r.unfinished for r in cells.values())
            rows.append(row("fang_rest_reached", f"every cross share, runs={runs}", unfinished, 0, 0, unfinished == 0,
                            "every run came to rest (no belief can change) before the cap"))
    return tidy(rows, curves=pd.DataFrame(curves))


def condition_rows(name: str, cells: dict[float, FangRuns], full: float, runs: int, rest: bool, weeks: int,
                   window: int) -> list[dict]:
    """The best moderate share against each end, by the paired 95% interval of the difference."""
    moderate = [c for c in cells if 0.0 < c < full]
    best = max(moderate, key=lambda c: cells[c].mean)
    setting = {"rest": "at rest", "turnover": "p3=0.002", "turbulence": "p4=0.002"}[name]
    when = "" if rest else f", mean of weeks {weeks - window + 1}-{weeks}"
    out = []
    for end, words in ((0.0, "isolation"), (full, "full_mixing")):
        diff = cells[best].knowledge - cells[end].knowledge
        mean, _, lo, hi = t_interval(diff)
        half = (hi - lo) / 2 if np.isfinite(hi) else float("nan")
        out.append(row(f"fang_{name}_beats_{words}",
                       f"{setting}{when}, best moderate cross_share={best:g} vs {end:g}, runs={runs}",
                       mean, 0.0, half, bool(np.isfinite(lo) and lo > 0),
                       f"knowledge at the best moderate share minus at {end:g} exceeds its 95% interval"))
    return out
