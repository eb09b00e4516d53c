"""The Python entry point for notebooks: compose a config from overrides, run it, get DataFrames.

    >>> import abm
    >>> result = abm.run(["practice=structural", "organisation=small", "weeks=52"])
    >>> result.region[["week", "maturity_total"]].tail()

No working-directory side effects: nothing is written unless `out_dir` is given.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from abm.params import ModelParams
from abm.results import RunResult, simulate, write_run


def compose(overrides: Sequence[str] = ()) -> ModelParams:
    """Validated parameters from `configs/` plus Hydra overrides (e.g. ["practice=adaptive", "seed=3"])."""
    from abm.hydra_bridge import compose_params

    return compose_params(overrides)


def run(
    overrides: Sequence[str] | ModelParams = (), *, out_dir: str | Path | None = None, progress: bool = False
) -> RunResult:
    """Run one simulation from overrides (or ready ModelParams); write its files to `out_dir` if given."""
    if isinstance(overrides, ModelParams):
        params, config = overrides, None
    else:
        from abm.hydra_bridge import compose_config, resolved_dict, to_params

        cfg = compose_config(overrides)
        params, config = to_params(cfg), resolved_dict(cfg)
    result = simulate(params, progress=progress, config=config)
    if out_dir is not None:
        write_run(result, out_dir)
    return result
