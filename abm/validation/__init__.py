"""Docking the full model to classic published results (docs/validation.md).

Each function runs a reduced scenario (configs/scenario/) through `abm.core.model.RegionModel`; each
`check_*` returns a tidy table (check, parameters, measured, expected, tolerance, passed, criterion).
Names are imported lazily so `abm --help` stays fast.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "march1991_knowledge": "abm.validation.march",
    "bass_curve": "abm.validation.bass",
    "bass_analytic": "abm.validation.bass",
    "bass_recursion": "abm.validation.bass",
    "threshold_cascade": "abm.validation.contagion",
    "complex_contagion": "abm.validation.contagion",
    "check_march_figure1": "abm.validation.march_checks",
    "check_march_mix": "abm.validation.march_checks",
    "check_march_turbulence": "abm.validation.march_checks",
    "check_march_turnover": "abm.validation.march_checks",
    "check_bass_continuous": "abm.validation.diffusion_checks",
    "check_bass_ticks": "abm.validation.diffusion_checks",
    "check_granovetter": "abm.validation.diffusion_checks",
    "check_centola": "abm.validation.diffusion_checks",
    "check_maturity_invariants": "abm.validation.maturity_checks",
    "fang2010_knowledge": "abm.validation.fang",
    "check_fang": "abm.validation.fang_checks",
    "validate": "abm.validation.report",
    "Runner": "abm.validation.parallel",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'abm.validation' has no attribute {name!r}")
