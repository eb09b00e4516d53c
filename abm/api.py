"""The Python entry point for notebooks: compose a config from overrides, run it, get DataFrames.

    >>> import abm
    >>> result = abm.run(["practice=structural", "organisation=small", "weeks=52"])
    >>> result.region[["week", "maturity_total"]].tail()

No working-directory side effects: nothing is written unless `out_dir` is given.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from abm.core.params import ModelParams
from abm.simulation import RunResult, simulate
from abm.store.files import write_run


def compose(overrides: Sequence[str] = ()) -> ModelParams:
    """Validated parameters from `configs/` plus Hydra overrides (e.g. ["practice=adaptive", "seed=3"])."""
    from abm.config.hydra_bridge import compose_params

    return compose_params(overrides)


def load_kernels(overrides: Sequence[str] = ()) -> None:
    """Load the model's compiled (numba) kernels by running a tiny model of the same configuration for two
    weeks, which calls every kernel once. The first run in any process pays this (about half a second; a
    few seconds more, once, right after an install, when numba compiles and caches them); a sweep's worker
    pays it once for many runs, and the browser app pays it in the background while the page loads."""
    from abm.core.model import RegionModel

    tiny = ["organisation.n_staff=40", "organisation.n_units=4", "organisation.n_innovation_units=1", "weeks=2"]
    RegionModel(compose([*overrides, *tiny])).run()


def run(
    overrides: Sequence[str] | ModelParams = (), *, out_dir: str | Path | None = None, progress: bool = False
) -> RunResult:
    """Run one simulation from overrides (or ready ModelParams); write its files to `out_dir` if given."""
    if isinstance(overrides, ModelParams):
        params, config = overrides, None
    else:
        from abm.config.hydra_bridge import compose_config, resolved_dict, to_params

        cfg = compose_config(overrides)
        params, config = to_params(cfg), resolved_dict(cfg)
    result = simulate(params, progress=progress, config=config)
    if out_dir is not None:
        write_run(result, out_dir)
    return result
