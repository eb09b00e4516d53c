"""Parameters of the docking scenarios, composed once from `configs/scenario/<name>.yaml`.

The scenario files are the single definition of each reduced model; the validation functions only
change the parameters the published experiments vary (p1, p2, sizes...).
"""

from __future__ import annotations

import dataclasses
from functools import cache
from typing import Any

from abm.core.params import ModelParams

SCENARIOS = ("march1991", "bass", "threshold", "complex_contagion", "fang2010")


@cache
def scenario_params(name: str) -> ModelParams:
    """Validated parameters of scenario `name` (Hydra composition of the real config tree)."""
    from abm.api import compose

    return compose([f"scenario={name}"])


def vary(params: ModelParams, weeks: int | None = None, **groups: dict[str, Any]) -> ModelParams:
    """A copy with some fields of some groups replaced, e.g. vary(p, learning={"p_socialise": 0.5})."""
    changes: dict[str, Any] = {k: dataclasses.replace(getattr(params, k), **v) for k, v in groups.items()}
    if weeks is not None:
        changes["weeks"] = weeks
    return dataclasses.replace(params, **changes)
