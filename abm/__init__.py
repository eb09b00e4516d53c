"""ehealth-abm: an agent-based simulator of dynamic capability, digital maturity and e-health adoption
in a healthcare region (Mesa agents over vectorised state; Hydra configs; Solara app)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["compose", "run"]

if TYPE_CHECKING:
    from abm.api import compose, run


def __getattr__(name: str) -> Any:  # lazy: `import abm` stays cheap for the CLI
    if name in __all__:
        from abm import api

        return getattr(api, name)
    raise AttributeError(name)
