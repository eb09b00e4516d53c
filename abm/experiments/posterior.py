"""Experiments over a calibrated posterior: the file `configs/posterior/<NAME>.parquet` and draws from it.

A calibration (`abm calibrate NAME`) leaves its posterior as a table: one float64 column per free parameter,
named by its dotted config key (`learning.p_turnover`), a column `weight` (importance weights summing to 1)
and possibly others without a '.' in their name (`distance`, `generation`), which are not parameters and
are ignored. An experiment with `posterior: NAME` and `draws: N` runs every configuration of its sweep on N
parameter sets drawn from that table, each with the experiment's seeds (common random numbers), so the
comparison of its configurations carries the parameters' uncertainty (abm.analysis.pooled).

The draws are deterministic: with N below the number of rows of positive weight, N distinct rows are drawn
with probability proportional to their weight, without replacement (`numpy.random.default_rng(seed)`,
`Generator.choice(..., replace=False, p=weights)`), and they enter the comparison with equal weight 1/N;
this approximates N draws from the posterior when N is small against its effective sample size
(Kish: 1 / sum of squared weights, recorded in experiment.yaml as
`posterior_ess`). With N at or above that number, every row of positive
weight runs, and the comparison weighs each by its posterior weight, so the pooled estimate is the
posterior's own weighted mean. Either way the draws are in file order. Rows of weight 0 carry no posterior
mass and never run. An integer config field gets the row's value rounded to the nearest integer (half to
even), and rows with the same values are one parameter set whose weight is the sum of theirs (its first row).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from abm.config.limits import SEED_MAX
from abm.core.params import GROUPS, shown
from abm.errors import UserError
from abm.paths import config_candidates
from abm.store.files import atomic_write

FOLDER = "posterior"  # under each config candidate folder
WEIGHT = "weight"
MAX_DRAWS = 100_000  # parameter sets one experiment may run (each runs every configuration x every seed)
WEIGHT_SUM_TOLERANCE = 1e-6  # how far from 1 the weights of a written posterior may sum


@dataclass(frozen=True)
class Draw:
    """One parameter set of the posterior an experiment runs: `index` is its `posterior_draw` value (0..N-1),
    `row` its row in the file, `weight` the row's posterior weight (normalised), `pool_weight` its weight when
    `abm compare` pools the draws (1/N for sampled draws, `weight` when every row runs)."""

    index: int
    row: int
    weight: float
    pool_weight: float
    values: dict[str, float | int]

    def overrides(self) -> list[str]:
        """Hydra overrides `key=value`; floats as repr, which Hydra parses back to the same float."""
        return [f"{k}={v!r}" for k, v in self.values.items()]

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def is_name(name: object) -> bool:
    return isinstance(name, str) and bool(name) and name.replace("_", "").replace("-", "").isalnum()


def known_posteriors() -> list[str]:
    folders = [d / FOLDER for d in config_candidates()]
    return sorted({p.stem for d in folders if d.is_dir() for p in d.glob("*.parquet")})


def posterior_path(name: str) -> Path:
    """`posterior/<name>.parquet` in the first config folder (abm.paths.config_candidates) that has it."""
    if not is_name(name):
        raise UserError(f"posterior={shown(name)!r} is not allowed: a name of letters, digits, '_' and '-'")
    looked = [d / FOLDER / f"{name}.parquet" for d in config_candidates()]
    for path in looked:
        if path.is_file():
            return path
    raise UserError(f"posterior {name!r} not found (looked in {', '.join(map(str, looked))}): one of "
                    f"{', '.join(known_posteriors()) or '(none)'}")


def param_columns(df: pd.DataFrame) -> list[str]:
    """The parameter columns: those whose name holds a '.' (a dotted config key)."""
    return [str(c) for c in df.columns if "." in str(c)]


def field_type(key: str) -> str | None:
    """'int' or 'float' for a numeric field `group.name` of abm.core.params, else None."""
    group, _, name = key.partition(".")
    cls = GROUPS.get(group)
    fields = {f.name: f for f in dataclasses.fields(cls)} if cls else {}
    f = fields.get(name)
    if f is None or "range" not in f.metadata:
        return None
    return "int" if f.type in ("int", int) else "float"


def problem(df: pd.DataFrame) -> str | None:
    """What is wrong with a posterior table, in a few words, or None."""
    params = param_columns(df)
    if not params:
        return "no parameter column (a column named by its dotted config key, e.g. learning.p_turnover)"
    for key in params:
        if field_type(key) is None:
            return f"column {key!r} is not a numeric model parameter (a field group.name of abm.core.params)"
        col = df[key]
        if not pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col):
            return f"column {key!r} is {col.dtype}, not numbers"
        if not np.isfinite(col.to_numpy(dtype=float)).all():
            return f"column {key!r} holds a value that is not a finite number"
    if WEIGHT not in df.columns:
        return f"no column {WEIGHT!r} (the importance weights)"
    w = df[WEIGHT]
    if not pd.api.types.is_numeric_dtype(w) or pd.api.types.is_bool_dtype(w):
        return f"column {WEIGHT!r} is {w.dtype}, not numbers"
    values = w.to_numpy(dtype=float)
    if not np.isfinite(values).all() or (values < 0).any():
        return f"column {WEIGHT!r} holds a value that is not a finite number >= 0"
    if not values.sum() > 0:
        return f"the weights sum to {float(values.sum())!r}, not a positive number (no row has posterior mass)"
    return None


def write_posterior(df: pd.DataFrame, path: Path) -> None:
    """Write a posterior table atomically (abm.store.files.atomic_write) after checking it; its weights must
    sum to 1 (within WEIGHT_SUM_TOLERANCE)."""
    bad = problem(df)
    if bad is None and abs(float(df[WEIGHT].sum()) - 1.0) > WEIGHT_SUM_TOLERANCE:
        bad = f"the weights sum to {float(df[WEIGHT].sum())!r}, not 1"
    if bad:
        raise UserError(f"{path}: not a posterior: {bad}")
    atomic_write(Path(path), lambda p: df.to_parquet(p, index=False))


def read_posterior(name: str) -> pd.DataFrame:
    """The posterior table `name`, checked: malformed is one line naming the file and what is wrong."""
    path = posterior_path(name)
    try:
        df = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several types for a file that is not Parquet
        raise UserError(f"{path}: not a readable Parquet file ({type(exc).__name__})") from None
    if df.empty:
        raise UserError(f"{path}: not a posterior: it has no rows")
    bad = problem(df)
    if bad:
        raise UserError(f"{path}: not a posterior: {bad}")
    return df.reset_index(drop=True)


def effective_size(weights: np.ndarray) -> float:
    """Kish's effective sample size of importance weights: (sum w)^2 / sum w^2."""
    return float(weights.sum() ** 2 / (weights ** 2).sum())


def parameter_sets(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """(first row, normalised weight) of each distinct parameter set of positive weight, in file order, and
    the values of every row (integer fields rounded): rows with the same values are one set, with the sum of
    their weights."""
    params = param_columns(df)
    values = pd.DataFrame({k: df[k].round().astype("int64") if field_type(k) == "int" else df[k].astype(float)
                           for k in params})
    group = values.groupby(params, sort=False).ngroup().to_numpy()
    w_all = df[WEIGHT].to_numpy(dtype=float)
    rows = np.array([np.flatnonzero(group == g)[0] for g in range(group.max() + 1)])
    w = np.bincount(group, weights=w_all) / w_all.sum()
    keep = np.flatnonzero(w > 0)
    return rows[keep], w[keep], values


def posterior_ess(name: str) -> float:
    """The posterior's effective sample size (Kish) over its distinct parameter sets."""
    return effective_size(parameter_sets(read_posterior(name))[1])


def sample(name: str, n: int, seed: int = 0) -> list[Draw]:
    """N draws of posterior `name` (module docstring: sampled without replacement, or every row)."""
    rows, w, values = parameter_sets(read_posterior(name))
    if n >= rows.size:
        chosen, pool = np.arange(rows.size), w / w.sum()
    else:
        chosen = np.sort(np.random.default_rng(seed).choice(rows.size, size=n, replace=False, p=w / w.sum()))
        pool = np.full(n, 1.0 / n)
    out = []
    for i, (c, pw) in enumerate(zip(chosen, pool, strict=True)):
        row = int(rows[c])
        out.append(Draw(i, row, float(w[c]), float(pw), {
            k: int(values.at[row, k]) if field_type(k) == "int" else float(values.at[row, k]) for k in values}))
    return out


def draws(name: str, n: int, seed: int = 0) -> list[dict[str, float | int]]:
    """The parameter values of `sample(name, n, seed)`, one dict per draw."""
    return [d.values for d in sample(name, n, seed)]


KEYS = ("posterior", "draws", "posterior_seed")


def check_keys(data: dict[str, Any], path: Path) -> tuple[str | None, int | None, int]:
    """(posterior, draws, posterior_seed) of an experiment file, checked; one line on any mistake."""
    name, n, seed = data.get("posterior"), data.get("draws"), data.get("posterior_seed", 0)
    if name is None:
        for key in ("draws", "posterior_seed"):
            if key in data:
                raise UserError(f"{path}: {key}={shown(data[key])!r} is not allowed without 'posterior' "
                                "(the calibrated posterior to draw from, configs/posterior/NAME.parquet)")
        return None, None, 0
    if not is_name(name):
        raise UserError(f"{path}: posterior={shown(name)!r} is not allowed: a name of letters, digits, '_' and '-'")
    if n is None:
        raise UserError(f"{path}: posterior={name} needs 'draws': the number of parameter sets, an integer in "
                        f"[1, {MAX_DRAWS:,}]")
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_DRAWS:
        raise UserError(f"{path}: draws={shown(n)!r} is not allowed: an integer in [1, {MAX_DRAWS:,}]")
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= SEED_MAX:
        raise UserError(f"{path}: posterior_seed={shown(seed)!r} is not allowed: an integer in [0, {SEED_MAX}]")
    if "sensitivity" in data:
        raise UserError(f"{path}: 'posterior' and 'sensitivity' cannot both be given (a design's indices are "
                        "for one parameter set)")
    try:
        posterior_path(name)
    except UserError as err:
        raise UserError(f"{path}: {err}") from None
    return name, n, seed


def conflicting_key(draw_keys: list[str], sweep_keys: list[str], base_keys: list[str]) -> tuple[str, str] | None:
    """(key, 'sweep' or 'base') of the first posterior parameter the file also sets, else None."""
    for key in draw_keys:
        if key in sweep_keys:
            return key, "sweep"
        if key in base_keys:
            return key, "base"
    return None


def with_draws(points: list[tuple[list[str], dict[str, str]]], drawn: list[Draw]
               ) -> list[tuple[list[str], dict[str, str]]]:
    """Every sweep point on every draw: its overrides then the draw's, its values plus `posterior_draw`."""
    return [(overrides + d.overrides(), {**values, "posterior_draw": str(d.index)})
            for overrides, values in points for d in drawn]
