"""PRIM over the scenarios (Friedman & Fisher 1999), by the EMA Workbench (Kwakkel 2017): the scenarios'
factor values are x, whether design B wins is y; PRIM peels the factor space into ever smaller boxes of ever
higher density of wins. The trade-off is reported box by box (Bryant & Lempert 2010):

    coverage   share of all the scenarios where B wins that lie in the box
    density    share of the scenarios in the box where B wins
    mass       share of all the scenarios that lie in the box
    res_dim    how many factors the box restricts

The headline box is the densest one that keeps coverage >= 0.5 (HEADLINE_COVERAGE: a box that explains at
least half of B's wins); it "meets the threshold" when its density is at least the file's prim.threshold.
EMA Workbench 3.0's Prim no longer takes a threshold (2.x stopped at it), so it is applied here, to the
trajectory. Each restricted limit has PRIM's quasi-p-value (a one-sided binomial test of the box against the
box without that limit; Bryant & Lempert 2010): small means the limit matters.
"""

from __future__ import annotations

import contextlib
import logging
import math
import warnings
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

HEADLINE_COVERAGE = 0.5  # design choice: the headline box explains at least half of the wins
SIGNIFICANT = 0.05  # a limit whose quasi-p-value is below this is kept in the simplified box
LEVEL = 0.95  # the base rate's interval


@dataclass
class PrimResult:
    """The peeling trajectory, the headline box and its limits (empty when PRIM had nothing to find)."""

    trajectory: pd.DataFrame  # box, coverage, density, mass, n, wins, res_dim, restricted
    limits: pd.DataFrame  # per box and restricted factor: low, high, qp_low, qp_high, full_low, full_high
    headline: int | None  # the headline box's number in the trajectory
    threshold: float
    reason: str = ""  # why there is no trajectory (no wins, or wins everywhere)

    @property
    def meets_threshold(self) -> bool:
        return self.headline is not None and float(self.trajectory.loc[self.headline, "density"]) >= self.threshold

    def significant_limits(self) -> pd.DataFrame:
        """The headline box's limits with a quasi-p-value below SIGNIFICANT on at least one side; a side
        whose own quasi-p-value is not below it is released to the sampled edge."""
        limits = self.headline_limits().copy()
        low_ok, high_ok = limits["qp_low"] < SIGNIFICANT, limits["qp_high"] < SIGNIFICANT
        limits["low_restricted"] &= low_ok
        limits["high_restricted"] &= high_ok
        limits.loc[~low_ok, "low"] = limits.loc[~low_ok, "full_low"]
        limits.loc[~high_ok, "high"] = limits.loc[~high_ok, "full_high"]
        return limits[low_ok | high_ok].reset_index(drop=True)

    def headline_limits(self) -> pd.DataFrame:
        if self.headline is None:
            return self.limits.iloc[0:0]
        return self.limits[self.limits["box"] == self.headline].reset_index(drop=True)


@contextlib.contextmanager
def quiet_workbench() -> Iterator[None]:
    """The EMA Workbench imported without its "ipyparallel not installed" warning, its loggers quiet."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*ipyparallel.*")
        warnings.filterwarnings("ignore", module="ema_workbench")  # its pandas deprecations are not ours
        logger = logging.getLogger("EMA")
        level = logger.level
        logger.setLevel(logging.WARNING)
        try:
            yield
        finally:
            logger.setLevel(level)


def base_rate(wins: np.ndarray, level: float = LEVEL) -> tuple[float, float, float]:
    """The share of scenarios where B wins with its Wilson score interval (Wilson 1927; Brown, Cai & DasGupta
    2001 recommend it over the normal interval at small counts and shares near 0 or 1)."""
    n = int(wins.size)
    if n == 0:
        return math.nan, math.nan, math.nan
    k = int(np.sum(wins))
    p = k / n
    z = float(stats.norm.ppf(0.5 + level / 2))
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return p, max(0.0, centre - half), min(1.0, centre + half)


def run_prim(x: pd.DataFrame, y: np.ndarray, threshold: float, peel_alpha: float, mass_min: float) -> PrimResult:
    """One PRIM box search (peeling, then pasting) over x with cases of interest y; deterministic."""
    y = np.asarray(y, dtype=bool)
    if not y.any() or y.all():
        reason = "B wins in no scenario" if not y.any() else "B wins in every scenario"
        return PrimResult(_empty_trajectory(), _empty_limits(), None, threshold, reason)
    with quiet_workbench():
        from ema_workbench.analysis import prim

        # every factor as float64: the Workbench's pasting writes fractional limits into an int64 column's
        # box, which pandas 3 refuses (an integer factor's limits are rounded when they are reported)
        x = x.reset_index(drop=True).astype(np.float64)
        box = prim.Prim(x, y.copy(), peel_alpha=peel_alpha, mass_min=mass_min).find_box()
    trajectory, limits = _tables(box, list(x.columns))
    return PrimResult(trajectory, limits, headline_box(trajectory), threshold)


def headline_box(trajectory: pd.DataFrame) -> int:
    """The densest box with coverage >= HEADLINE_COVERAGE (the first such on ties: the larger box)."""
    eligible = trajectory[trajectory["coverage"] >= HEADLINE_COVERAGE - 1e-12]
    best = eligible["density"].max()
    return int(eligible.index[eligible["density"] >= best - 1e-12][0])


def _tables(box: object, columns: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    peel = box.peeling_trajectory  # type: ignore[attr-defined]
    initial = box.box_lims[0]  # type: ignore[attr-defined]
    rows, limit_rows = [], []
    for i in range(len(peel)):
        lims, qp = box.box_lims[i], box.p_values[i]  # type: ignore[attr-defined]
        restricted = [c for c in columns if list(lims[c]) != list(initial[c])]
        rows.append({"box": i, "coverage": float(peel.loc[i, "coverage"]), "density": float(peel.loc[i, "density"]),
                     "mass": float(peel.loc[i, "mass"]), "n": int(peel.loc[i, "n"]), "wins": int(peel.loc[i, "k"]),
                     "res_dim": len(restricted), "restricted": ", ".join(restricted)})
        for c in restricted:
            lo, hi = (float(v) for v in lims[c])
            q_lo, q_hi = (float(v) if v is not None and float(v) >= 0 else math.nan for v in qp.get(c, [-1, -1]))
            limit_rows.append({"box": i, "factor": c, "low": lo, "high": hi,
                               "low_restricted": lo != float(initial[c].iloc[0]),
                               "high_restricted": hi != float(initial[c].iloc[1]),
                               "qp_low": q_lo, "qp_high": q_hi,
                               "full_low": float(initial[c].iloc[0]), "full_high": float(initial[c].iloc[1])})
    return pd.DataFrame(rows), pd.DataFrame(limit_rows, columns=_empty_limits().columns)


def _empty_trajectory() -> pd.DataFrame:
    return pd.DataFrame(columns=["box", "coverage", "density", "mass", "n", "wins", "res_dim", "restricted"])


def _empty_limits() -> pd.DataFrame:
    return pd.DataFrame(columns=["box", "factor", "low", "high", "low_restricted", "high_restricted", "qp_low",
                                 "qp_high", "full_low", "full_high"])


def most_restricted(result: PrimResult, factors: list[str], ranges: dict[str, tuple[float, float]]) -> list[str]:
    """The factors ordered by how much of their sampled range the headline box cuts away (most first), then
    the rest in file order: the two first are the scatter plot's axes."""
    cut: dict[str, float] = {}
    for r in result.headline_limits().itertuples(index=False):
        lo, hi = ranges[r.factor]
        cut[r.factor] = 1.0 - (r.high - r.low) / (hi - lo) if hi > lo else 0.0
    ranked = sorted(cut, key=lambda f: (-cut[f], factors.index(f)))
    return [*ranked, *(f for f in factors if f not in cut)]


def box_stats(x: pd.DataFrame, y: np.ndarray, limits: pd.DataFrame) -> dict[str, float]:
    """Coverage, density and mass of the box given by `limits` (inclusive; unlisted factors unrestricted)."""
    y = np.asarray(y, dtype=bool)
    inside = np.ones(len(x), dtype=bool)
    for r in limits.itertuples(index=False):
        values = x[r.factor].to_numpy(dtype=np.float64)
        inside &= (values >= r.low) & (values <= r.high)
    wins = int(np.sum(y & inside))
    return {"coverage": wins / max(int(y.sum()), 1), "density": wins / max(int(inside.sum()), 1),
            "mass": float(inside.mean()), "n": int(inside.sum()), "wins": wins}
