"""ehealth-abm: an agent-based simulator of dynamic capability, digital maturity and e-health adoption
in a healthcare region (Mesa agents over vectorised state; Hydra configs; Solara app).

The package is in layers that import only downward (docs/development.md): `core` (the simulation),
`config` (Hydra), `store` (results on disk), `experiments`, `analysis`, `validation`, `cli`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"  # the one place the version is written (pyproject.toml reads it)
__all__ = ["ModelParams", "RegionModel", "RunResult", "__version__", "compose", "run"]

if TYPE_CHECKING:
    from abm.api import compose, run
    from abm.core.model import RegionModel
    from abm.core.params import ModelParams
    from abm.simulation import RunResult

_LAZY = {"compose": "abm.api", "run": "abm.api", "RegionModel": "abm.core.model",
         "ModelParams": "abm.core.params", "RunResult": "abm.simulation"}


def __getattr__(name: str) -> Any:  # lazy: `import abm` stays cheap for the CLI
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'abm' has no attribute {name!r}")
