"""What the posterior says: weighted summaries, which parameters the patterns identify, draws, the
calibrated preset.

Identification (an assumption of this project, stated in docs/calibration.md): a parameter is *identified*
when its posterior 90% interval is at most half its prior range, *narrowed* when at most 80%, otherwise it
*stays wide*: the patterns do not tell its values apart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from abm.calibration.spec import Calibration

LEVEL = 0.90  # the posterior intervals reported
IDENTIFIED = 0.5  # 90% interval at most this share of the prior range: identified
NARROWED = 0.8  # at most this share: narrowed


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The q-quantile of a weighted sample (the inverse of its weighted empirical CDF, midpoint rule)."""
    order = np.argsort(values, kind="stable")
    v, w = values[order], weights[order]
    cdf = (np.cumsum(w) - 0.5 * w) / w.sum()
    return float(np.interp(q, cdf, v))


def parameter_columns(df: pd.DataFrame) -> list[str]:
    return [c for c in df.columns if "." in c and not c.startswith("stat:")]


def summary(posterior: pd.DataFrame, cal: Calibration) -> pd.DataFrame:
    """Per parameter: prior range, posterior mean, median, 90% interval, its share of the prior range, verdict."""
    w = posterior["weight"].to_numpy()
    rows = []
    for key, (lo, hi) in cal.params.items():
        v = posterior[key].to_numpy()
        low = weighted_quantile(v, w, (1 - LEVEL) / 2)
        high = weighted_quantile(v, w, 1 - (1 - LEVEL) / 2)
        share = (high - low) / (hi - lo)
        verdict = "identified" if share <= IDENTIFIED else "narrowed" if share <= NARROWED else "stays wide"
        rows.append({"parameter": key, "prior_low": lo, "prior_high": hi, "mean": float(np.average(v, weights=w)),
                     "median": weighted_quantile(v, w, 0.5), "low": low, "high": high,
                     "interval_share_of_prior": share, "verdict": verdict})
    return pd.DataFrame(rows)


def correlations(posterior: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """Weighted posterior correlation of every pair of parameters (trade-offs the patterns cannot resolve)."""
    w = posterior["weight"].to_numpy()
    x = posterior[list(keys)].to_numpy()
    mean = np.average(x, axis=0, weights=w)
    cov = np.cov((x - mean).T, aweights=w) if len(keys) > 1 else np.ones((1, 1))
    sd = np.sqrt(np.diag(cov))
    rows = []
    for i in range(len(keys)):
        for j in range(i + 1, len(keys)):
            r = cov[i, j] / (sd[i] * sd[j]) if sd[i] > 0 and sd[j] > 0 else float("nan")
            rows.append({"a": keys[i], "b": keys[j], "r": float(r)})
    return pd.DataFrame(rows, columns=["a", "b", "r"])


def resample(posterior: pd.DataFrame, n: int, seed: int) -> list[dict[str, float]]:
    """`n` parameter vectors drawn from the weighted posterior with replacement, deterministically (the
    posterior-predictive check; experiments draw without replacement: abm.experiments.posterior)."""
    rng = np.random.default_rng([seed, 7])
    w = posterior["weight"].to_numpy()
    rows = rng.choice(len(posterior), size=n, replace=True, p=w / w.sum())
    keys = parameter_columns(posterior)
    return [{k: float(posterior[k].iloc[r]) for k in keys} for r in rows]


def point(table: pd.DataFrame) -> dict[str, float]:
    """The calibrated point: each parameter's posterior median (from `summary`)."""
    return {r.parameter: float(r.median) for r in table.itertuples(index=False)}


def preset_text(cal: Calibration, values: Mapping[str, float], base_preset: dict, header: Sequence[str]) -> str:
    """A Hydra preset (`# @package _global_`) with the base preset's defaults and the calibrated values."""
    import yaml

    nested: dict[str, dict[str, float]] = {}
    for key, value in values.items():
        group, name = key.split(".", 1)
        nested.setdefault(group, {})[name] = float(f"{value:.6g}")
    body: dict = {}
    if base_preset.get("defaults"):
        body["defaults"] = base_preset["defaults"]
    for key, value in base_preset.items():
        if key != "defaults":
            body[key] = value
    for group, fields in nested.items():
        body[group] = {**(body.get(group) or {}), **fields}
    lines = ["# @package _global_", *(f"# {h}" for h in header)]
    return "\n".join(lines) + "\n" + yaml.safe_dump(body, sort_keys=False)
