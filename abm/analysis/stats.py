"""Statistics for comparing configurations: means with t intervals, paired differences over common seeds.

Every configuration of an experiment runs the same seeds, so configuration A's run with seed s and B's run
with seed s share their random streams (common random numbers). Differences are then computed per seed and
their t interval is usually much narrower than the unpaired one (Law 2015, Simulation Modeling and
Analysis, sec. 10.2 and 11.2). Effect sizes: d_z = mean difference / sd of differences (paired) and
d = mean difference / root-mean-square of the two sds (Cohen 1988; Lakens 2013).

Each metric is compared twice: at one week W, and as each run's mean over weeks 1..W (`run_means`, the one
definition of a run mean), because one week's point misleads for a practice whose phases alternate (one that
explores in alternating years looks very different at week 260 than over the run).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.special import stdtrit  # the t quantile (scipy.stats takes 0.6 s to import)

LEVEL = 0.95


def in_mean_window(week: pd.Series, upto: int) -> pd.Series:
    """Which rows a run mean to week `upto` averages: weeks 1..upto (week 0, the initial state, left out)."""
    return (week >= 1) & (week <= upto)


def run_means(region: pd.DataFrame, metrics: Sequence[str], upto: int, by: Sequence[str] = ()) -> pd.DataFrame:
    """Each run's mean of each metric over weeks 1..`upto`: the one definition of a run mean.

    `region` has one row per run and week; `by` names the columns that tell runs apart (empty: `region` is one
    run's table, and the answer is one row). One row per run, in the order runs first appear, with the `by`
    columns and one column per metric. Weeks where a metric is undefined (NaN) are skipped; a run with no
    week in the window (`upto` 0) gets NaN.
    """
    metrics = list(metrics)
    window = region[in_mean_window(region["week"], upto)]
    if not by:
        return pd.DataFrame([window[metrics].mean()], columns=metrics)
    by = list(by)
    means = window.groupby(by, sort=False, dropna=False)[metrics].mean().reset_index()
    return region[by].drop_duplicates().merge(means, on=by, how="left")


def t_interval(values: np.ndarray, level: float = LEVEL) -> tuple[float, float, float, float]:
    """(mean, sd, lo, hi) of a Student-t interval for the mean; NaN bounds with fewer than two values."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if x.size == 0:
        return math.nan, math.nan, math.nan, math.nan
    mean = float(x.mean())
    if x.size < 2:
        return mean, math.nan, math.nan, math.nan
    sd = float(x.std(ddof=1))
    half = float(stdtrit(x.size - 1, 0.5 + level / 2)) * sd / math.sqrt(x.size)
    return mean, sd, mean - half, mean + half


def summarise(final: pd.DataFrame, keys: Sequence[str], metrics: Sequence[str]) -> pd.DataFrame:
    """Per configuration and metric: n, mean, sd and the 95% interval."""
    rows = []
    for values, group in final.groupby(list(keys), sort=False, dropna=False):
        label = dict(zip(keys, values if isinstance(values, tuple) else (values,), strict=True))
        for m in metrics:
            mean, sd, lo, hi = t_interval(group[m].to_numpy())
            rows.append({**label, "metric": m, "n": int(group[m].notna().sum()), "mean": mean, "sd": sd,
                         "ci_lo": lo, "ci_hi": hi})
    return pd.DataFrame(rows)


def paired(final: pd.DataFrame, keys: Sequence[str], metrics: Sequence[str], baseline: tuple[str, str]) -> pd.DataFrame:
    """Per configuration and metric: paired difference to its baseline over common seeds, interval, effect sizes."""
    # ttest_rel: scipy.stats is imported here, so that the app's import of this module stays light
    from scipy import stats

    bkey, bvalue = baseline
    groups = {tuple(v) if isinstance(v, tuple) else (v,): g.set_index("seed")
              for v, g in final.groupby(list(keys), sort=False, dropna=False)}
    rows = []
    for values, group in groups.items():
        label = dict(zip(keys, values, strict=True))
        base = {**label, bkey: bvalue}  # its baseline: the same values on every other swept key
        base_rows = groups.get(tuple(base[k] for k in keys))
        for m in metrics:
            row = {**label, "metric": m, "baseline": f"{bkey}={bvalue}", "n_pairs": 0, "diff": math.nan,
                   "diff_lo": math.nan, "diff_hi": math.nan, "d_z": math.nan, "d": math.nan, "p": math.nan}
            if base_rows is not None and label != base:
                pair = pd.concat([group[m], base_rows[m]], axis=1, join="inner").dropna()
                diff = (pair.iloc[:, 0] - pair.iloc[:, 1]).to_numpy()
                mean, sd, lo, hi = t_interval(diff)
                sds = pair.std(ddof=1).to_numpy() if len(pair) > 1 else np.array([math.nan, math.nan])
                rms = math.sqrt(float(np.mean(sds ** 2)))
                row.update(n_pairs=len(diff), diff=mean, diff_lo=lo, diff_hi=hi,
                           d_z=mean / sd if sd and sd > 0 else math.nan,
                           d=mean / rms if rms > 0 else math.nan,
                           p=float(stats.ttest_rel(pair.iloc[:, 0], pair.iloc[:, 1]).pvalue)
                           if len(diff) > 1 and sd and sd > 0 else math.nan)
            rows.append(row)
    return pd.DataFrame(rows)


def band(region: pd.DataFrame, keys: Sequence[str], metric: str, level: float = LEVEL) -> pd.DataFrame:
    """Per configuration and week: mean and t interval across seeds (for time-series bands)."""
    g = region.groupby([*keys, "week"], sort=False, dropna=False)[metric]
    out = g.agg(["mean", "std", "count"]).reset_index()
    tcrit = stdtrit(np.maximum(out["count"] - 1, 1), 0.5 + level / 2)
    half = tcrit * out["std"] / np.sqrt(out["count"])
    out["lo"], out["hi"] = out["mean"] - half, out["mean"] + half
    return out


def flatten(config: dict, prefix: str = "") -> dict[str, object]:
    """Nested resolved config -> {"group.key": value} (lists kept as their repr)."""
    out: dict[str, object] = {}
    for k, v in config.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(flatten(v, key + "."))
        else:
            out[key] = repr(v) if isinstance(v, list) else v
    return out


def differing_keys(configs: dict[str, dict]) -> pd.DataFrame:
    """Rows: config keys whose value differs between the labelled configurations (seed excluded)."""
    flat = {label: flatten(c) for label, c in configs.items()}
    keys = sorted({k for f in flat.values() for k in f} - {"seed"})
    rows = [{"key": k, **{label: f.get(k, "(absent)") for label, f in flat.items()}} for k in keys
            if len({repr(f.get(k, "(absent)")) for f in flat.values()}) > 1]
    return pd.DataFrame(rows, columns=["key", *flat])
