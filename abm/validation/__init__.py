"""Docking the full model to classic published results (VALIDATION.md; docs/validation.md).

Each function runs a reduced scenario (configs/scenario/) through `abm.model.RegionModel`; each
`check_*` returns a tidy table (check, parameters, measured, expected, tolerance, passed).
"""

from __future__ import annotations

from abm.validation.march import march1991_knowledge

__all__ = ["march1991_knowledge"]
