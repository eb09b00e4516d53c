"""Statistics of an experiment run over a calibrated posterior: configurations pooled over the draws.

Such an experiment (abm.experiments.posterior) runs every configuration on N parameter sets drawn from the
posterior, each with the same seeds. The quantity compared is a configuration's value, or its difference to
the baseline, averaged over the posterior: mu = sum_i w_i mu_i, where mu_i is the expected value under draw
i (over seeds) and w_i the draw's pool weight (1/N for sampled draws; the posterior weights when every row of
the posterior ran). Differences are paired on (draw, seed): configuration and baseline share the draw's
parameters and the seed's random streams.

The interval is a t interval over the per-draw means, not over all runs: draws are the primary units of a
two-stage sample (parameter sets, then seeds within each), and with the parameter sets drawn from an
effectively infinite population the variance of the overall mean is estimated from the variation between
the primary units' means alone, which already holds the seeds' share (Cochran 1977, Sampling Techniques,
3rd ed., ch. 10, two-stage sampling with units of equal size). So the interval widens with the spread of the
effect across the posterior, not only with seed noise. With pool weights w_i (sum 1) over n draws:

    mean = sum_i w_i m_i,   var = n / (n - 1) * sum_i w_i^2 (m_i - mean)^2,   df = 1 / sum_i w_i^2 - 1

where m_i is draw i's mean over its seeds: the self-normalised importance-sampling variance (Owen 2013, Monte
Carlo theory, methods and examples, sec. 9.2) with the n / (n - 1) correction, and Kish's effective size for
the degrees of freedom. With equal weights it is exactly Student's t interval of the N per-draw means (var =
s^2 / N, N - 1 degrees of freedom). It needs no random numbers, so it is deterministic.

A two-stage (cluster) bootstrap over draws, then seeds within draws (Davison & Hinkley 1997, Bootstrap Methods
and their Application, sec. 3.8), was the other candidate: resampling the draws alone gives the variance
(N-1)/N * s^2/N of the same per-draw means, slightly too small; resampling the seeds within the draws as well
counts the seeds' variance a second time; and its percentile interval is coarse for the few draws an
agent-based experiment affords (with 2 draws the resampled means of draws take 3 values), so it is not used.

`same_sign` counts the draws whose mean paired difference has the sign of the pooled one: how far the
conclusion holds across the posterior, which the interval (about the posterior mean) does not show.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy.special import stdtr, stdtrit

from abm.analysis.stats import LEVEL

DRAW = "posterior_draw"  # the column naming a run's draw


def draw_interval(means: np.ndarray, weights: np.ndarray, level: float = LEVEL) -> tuple[float, float, float, float]:
    """(pooled mean, its standard error, lo, hi) from per-draw means and pool weights (module docstring);
    draws with a NaN mean are left out and the others' weights renormalised; NaN bounds with fewer than two."""
    m, w = np.asarray(means, dtype=float), np.asarray(weights, dtype=float)
    ok = ~np.isnan(m)
    m, w = m[ok], w[ok]
    if m.size == 0 or not w.sum() > 0:
        return math.nan, math.nan, math.nan, math.nan
    w = w / w.sum()
    mean = float(np.sum(w * m))
    if m.size < 2:
        return mean, math.nan, math.nan, math.nan
    se = math.sqrt(m.size / (m.size - 1) * float(np.sum(w ** 2 * (m - mean) ** 2)))
    half = float(stdtrit(dof(w), 0.5 + level / 2)) * se
    return mean, se, mean - half, mean + half


def dof(w: np.ndarray) -> float:
    """Degrees of freedom of the pooled interval: Kish's effective number of draws less one."""
    return max(1.0 / float(np.sum(w ** 2)) - 1.0, 1e-9)


def _weights(draws: Sequence[int], pool: Mapping[int, float]) -> np.ndarray:
    return np.array([pool.get(int(d), math.nan) for d in draws], dtype=float)


def summarise_pooled(final: pd.DataFrame, keys: Sequence[str], metrics: Sequence[str],
                     pool: Mapping[int, float]) -> pd.DataFrame:
    """Per configuration (pooled over draws) and metric: runs n, draws, mean, sd of all runs, interval."""
    rows = []
    for values, group in final.groupby(list(keys), sort=False, dropna=False):
        label = dict(zip(keys, values if isinstance(values, tuple) else (values,), strict=True))
        for m in metrics:
            per_draw = group.groupby(DRAW, sort=False)[m].mean()
            mean, _, lo, hi = draw_interval(per_draw.to_numpy(), _weights(per_draw.index, pool))
            x = group[m].dropna()
            rows.append({**label, "metric": m, "n": int(x.size), "n_draws": int(per_draw.notna().sum()),
                         "mean": mean, "sd": float(x.std(ddof=1)) if x.size > 1 else math.nan,
                         "ci_lo": lo, "ci_hi": hi})
    return pd.DataFrame(rows)


def paired_pooled(final: pd.DataFrame, keys: Sequence[str], metrics: Sequence[str], baseline: tuple[str, str],
                  pool: Mapping[int, float]) -> pd.DataFrame:
    """Per configuration and metric: the difference to its baseline paired on (draw, seed), pooled over draws
    with the interval of the module docstring, effect sizes over all pairs, and the draws agreeing in sign."""
    bkey, bvalue = baseline
    groups = {tuple(v) if isinstance(v, tuple) else (v,): g.set_index([DRAW, "seed"])
              for v, g in final.groupby(list(keys), sort=False, dropna=False)}
    rows = []
    for values, group in groups.items():
        label = dict(zip(keys, values, strict=True))
        base = {**label, bkey: bvalue}
        base_rows = groups.get(tuple(base[k] for k in keys))
        for m in metrics:
            row = {**label, "metric": m, "baseline": f"{bkey}={bvalue}", "n_pairs": 0, "diff": math.nan,
                   "diff_lo": math.nan, "diff_hi": math.nan, "d_z": math.nan, "d": math.nan, "p": math.nan,
                   "n_draw_pairs": 0, "same_sign": 0}
            if base_rows is not None and label != base:
                row.update(_pooled_difference(group[m], base_rows[m], pool))
            rows.append(row)
    return pd.DataFrame(rows)


def _pooled_difference(a: pd.Series, b: pd.Series, pool: Mapping[int, float]) -> dict[str, float | int]:
    pair = pd.concat([a, b], axis=1, join="inner").dropna()
    diff = pair.iloc[:, 0] - pair.iloc[:, 1]
    per_draw = diff.groupby(level=DRAW, sort=False).mean()
    w = _weights(per_draw.index, pool)
    mean, se, lo, hi = draw_interval(per_draw.to_numpy(), w)
    sd = float(diff.std(ddof=1)) if len(diff) > 1 else math.nan
    sds = pair.std(ddof=1).to_numpy() if len(pair) > 1 else np.array([math.nan, math.nan])
    rms = math.sqrt(float(np.mean(sds ** 2)))
    p = math.nan
    if se and se > 0:
        p = float(2 * stdtr(dof(w / w.sum()), -abs(mean / se)))
    return {"n_pairs": len(diff), "diff": mean, "diff_lo": lo, "diff_hi": hi,
            "d_z": mean / sd if sd and sd > 0 else math.nan, "d": mean / rms if rms > 0 else math.nan, "p": p,
            "n_draw_pairs": len(per_draw), "same_sign": int((np.sign(per_draw.to_numpy()) == np.sign(mean)).sum())}
