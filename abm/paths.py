"""Where the project's files live, in a source checkout or an installed wheel: one place for every
`Path(__file__)` walk, so moving a module never breaks a path.

In a checkout the folders sit beside the package (`configs/`, `experiments/`, `docs/`); the wheel packs
`configs/` and `experiments/` into the package as `abm/_configs` and `abm/_experiments` (pyproject.toml).
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent  # abm/
SOURCE_ROOT = PACKAGE.parent  # the checkout (or site-packages in a wheel install)


def config_candidates() -> tuple[Path, ...]:
    """Folders that may hold the Hydra config tree (`config.yaml`), in order."""
    return SOURCE_ROOT / "configs", PACKAGE / "_configs"


def experiment_dirs() -> list[Path]:
    """Where experiment files are looked up: ./experiments, then the source tree's (or the wheel's) copy."""
    return [Path.cwd() / "experiments", SOURCE_ROOT / "experiments", PACKAGE / "_experiments"]


def docs_dir() -> Path:
    """The checkout's `docs/` (absent in a wheel install)."""
    return SOURCE_ROOT / "docs"


def odd_path() -> Path:
    return docs_dir() / "ODD.md"
