"""Checks of docs/validation.md V1 (March 1991): Figure 1 cells and slopes, and the directional results of
Figures 2, 4 and 5. Each returns a tidy table (abm.validation.table)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from abm.validation.march import MarchRuns, march_params, march_runs, march_trajectory
from abm.validation.parallel import Runner
from abm.validation.table import row, tidy, widened, within

FULL_RUNS = 2000
TOLERANCE = 0.015
# Figure 1 as tabulated by a 10,000-run replication (docs/validation.md): (p1, p2) -> equilibrium knowledge.
PUBLISHED: dict[tuple[float, float], float] = {
    (0.1, 0.5): 0.954, (0.5, 0.5): 0.811, (0.9, 0.5): 0.742,
    (0.1, 0.9): 0.972, (0.5, 0.9): 0.840, (0.9, 0.9): 0.728,
}
P1_GRID = tuple(round(0.1 * i, 1) for i in range(1, 10))
P2_CURVES = (0.1, 0.5, 0.9)


def figure1_curves(p1_grid: tuple[float, ...], runs: int, curve_runs: int, seed: int,
                   runner: Runner | None) -> tuple[pd.DataFrame, dict[tuple[float, float], MarchRuns]]:
    """Equilibrium knowledge over p1 for each p2; published cells get `runs`, the others `curve_runs`."""
    cells: dict[tuple[float, float], MarchRuns] = {}
    for p2 in P2_CURVES:
        for p1 in p1_grid:
            n = runs if (p1, p2) in PUBLISHED else curve_runs
            cells[(p1, p2)] = march_runs(march_params(p1, p2), n, seed, runner, desc=f"march p1={p1} p2={p2}")
    curves = pd.DataFrame([{"p1": p1, "p2": p2, "knowledge": r.mean, "se": r.se, "runs": r.knowledge.size,
                            "unfinished": r.unfinished} for (p1, p2), r in cells.items()])
    return curves, cells


def check_march_figure1(
    runs: int = FULL_RUNS, curve_runs: int = 500, p1_grid: tuple[float, ...] = P1_GRID, seed: int = 0,
    runner: Runner | None = None,
) -> pd.DataFrame:
    """March (1991) Fig. 1: each published cell within +/-0.015 (widened below 2,000 runs), and knowledge
    falling as p1 rises for p2 = 0.5 and 0.9 (each step down, allowing 2 standard errors of noise)."""
    p1_grid = tuple(sorted(set(p1_grid) | {p1 for p1, _ in PUBLISHED}))
    curves, cells = figure1_curves(p1_grid, runs, curve_runs, seed, runner)
    rows = []
    for (p1, p2), expected in PUBLISHED.items():
        r = cells[(p1, p2)]
        tol = widened(TOLERANCE, float(r.knowledge.std()), runs, FULL_RUNS)
        rows.append(within("march_fig1_cell", f"p1={p1}, p2={p2}, runs={runs}", r.mean, expected, tol))
    for p2 in (0.5, 0.9):
        rows.append(falling_row(p2, [cells[(p1, p2)] for p1 in p1_grid]))
    unfinished = int(curves["unfinished"].sum())
    rows.append(row("march_equilibrium_reached", "all cells", unfinished, 0, 0, unfinished == 0,
                    "every run reached equilibrium before the cap"))
    return tidy(rows, curves=curves)


def falling_row(p2: float, runs: list[MarchRuns]) -> dict:
    """Largest step up between neighbouring p1 values, against 2 standard errors of that step."""
    steps = [b.mean - a.mean for a, b in zip(runs, runs[1:], strict=False)]
    allow = [2.0 * float(np.hypot(a.se, b.se)) for a, b in zip(runs, runs[1:], strict=False)]
    worst = int(np.argmax(np.array(steps) - np.array(allow)))
    ok = all(s < a for s, a in zip(steps, allow, strict=True)) and runs[-1].mean < runs[0].mean
    return row("march_fig1_falls_with_p1", f"p2={p2}, p1 in [0.1, 0.9]", steps[worst], 0.0, allow[worst], ok,
               "every step in p1 lowers knowledge (a rise must stay below 2 SE of the step)")


def check_march_mix(runs: int = FULL_RUNS, seed: int = 0, margin: float = 0.05,
                    runner: Runner | None = None) -> pd.DataFrame:
    """March (1991) Fig. 2: 25 fast (p1 = 0.9) and 25 slow (p1 = 0.1) learners beat a homogeneous
    population with the same mean rate (p1 = 0.5), p2 = 0.5, at equilibrium, by at least `margin` + 3 SE
    (small runs pass margin=0 and assert the direction only)."""
    mix = (0.9,) * 25 + (0.1,) * 25
    mixed = march_runs(march_params(0.5, 0.5, p1_mix=mix), runs, seed, runner, desc="march mix")
    homogeneous = march_runs(march_params(0.5, 0.5), runs, seed, runner, desc="march homogeneous")
    gain = mixed.mean - homogeneous.mean
    se = float(np.hypot(mixed.se, homogeneous.se))
    table = tidy([
        row("march_fig2_mix_beats_homogeneous", f"25 x p1=0.9 + 25 x p1=0.1 vs p1=0.5, p2=0.5, runs={runs}",
            gain, margin, 3 * se, gain - 3 * se > margin,
            f"mixed minus homogeneous knowledge exceeds {margin} by 3 SE"),
    ])
    table.attrs["levels"] = pd.DataFrame({"population": ["mixed", "homogeneous"],
                                          "knowledge": [mixed.mean, homogeneous.mean],
                                          "se": [mixed.se, homogeneous.se]})
    return table


def check_march_turbulence(runs: int = 500, periods: int = 100, seed: int = 0,
                           runner: Runner | None = None) -> pd.DataFrame:
    """March (1991) Fig. 5: with turbulence p4 = 0.02 (p1 = p2 = 0.5) code knowledge decays without
    turnover and is sustained with turnover p3 = 0.1. Margins: without turnover the last 20 periods
    lie 0.3 below the peak; with turnover they stay within 0.05 of periods 30-50 and 0.3 above the
    no-turnover level."""
    curves = {p3: march_trajectory(march_params(0.5, 0.5, p3, 0.02, periods=periods), runs, seed, runner,
                                   desc=f"march turbulence p3={p3}") for p3 in (0.0, 0.1)}
    late = {p3: float(c[-20:].mean()) for p3, c in curves.items()}
    mid = float(curves[0.1][30:51].mean())
    peak = float(curves[0.0].max())
    params = f"p1=p2=0.5, p4=0.02, {periods} periods, runs={runs}"
    rows = [
        row("march_fig5_decays_without_turnover", params + ", p3=0", late[0.0], peak, 0.3,
            late[0.0] < peak - 0.3, "mean of the last 20 periods lies more than 0.3 below the peak"),
        row("march_fig5_sustained_with_turnover", params + ", p3=0.1", late[0.1], mid, 0.05,
            late[0.1] >= mid - 0.05, "mean of the last 20 periods within 0.05 of (or above) periods 30-50"),
        row("march_fig5_turnover_beats_none", params, late[0.1] - late[0.0], 0.3, 0.0,
            late[0.1] - late[0.0] > 0.3, "late knowledge with turnover exceeds that without by 0.3"),
    ]
    frame = pd.DataFrame({"period": np.arange(periods + 1), "p3=0": curves[0.0], "p3=0.1": curves[0.1]})
    return tidy(rows, trajectories=frame)


TURNOVER_GRID = (0.0, 0.01, 0.02, 0.05, 0.1, 0.2)


def check_march_turnover(runs: int = 500, periods: int = 100, p1: float = 0.1,
                         p3_grid: tuple[float, ...] = TURNOVER_GRID, moderate: float = 0.02, heavy: float = 0.2,
                         margin_helps: float = 0.01, margin_hurts: float = 0.05, seed: int = 0,
                         runner: Runner | None = None) -> pd.DataFrame:
    """March (1991) Fig. 4: for slow socialisers (p1 = 0.1, p2 = 0.5, no turbulence) moderate turnover
    (p3 = 0.02) raises code knowledge after `periods` periods above no turnover by at least 0.01, and heavy
    turnover (p3 = 0.2) lowers it at least 0.05 below the moderate level, each by 3 SE of the difference
    (the margins are parameters: small runs cannot resolve 0.01 from noise and assert the direction only)."""
    cells = {p3: march_runs(march_params(p1, 0.5, p3, 0.0, periods=periods), runs, seed, runner,
                            desc=f"march turnover p3={p3}") for p3 in sorted(set(p3_grid) | {0.0, moderate, heavy})}
    params = f"p1={p1}, p2=0.5, {periods} periods, runs={runs}"

    def contrast(name: str, a: MarchRuns, b: MarchRuns, margin: float, words: str) -> dict:
        diff, se = a.mean - b.mean, float(np.hypot(a.se, b.se))
        return row(name, params, diff, margin, 3 * se, diff - 3 * se > margin, words)

    rows = [
        contrast("march_fig4_moderate_turnover_helps", cells[moderate], cells[0.0], margin_helps,
                 f"knowledge at p3={moderate} minus p3=0 exceeds {margin_helps:g} by 3 SE"),
        contrast("march_fig4_heavy_turnover_hurts", cells[moderate], cells[heavy], margin_hurts,
                 f"knowledge at p3={moderate} minus p3={heavy} exceeds {margin_hurts:g} by 3 SE"),
    ]
    levels = pd.DataFrame([{"p1": p1, "p3": p3, "knowledge": r.mean, "se": r.se} for p3, r in cells.items()])
    return tidy(rows, levels=levels)
