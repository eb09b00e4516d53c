"""Where the project's files live, in a source checkout or an installed wheel: one place for every
`Path(__file__)` walk, so moving a module never breaks a path.

In a checkout the folders sit beside the package (`configs/`, `experiments/`, `docs/`); the wheel packs
`configs/` and `experiments/` into the package as `abm/_configs` and `abm/_experiments` (pyproject.toml).
"""

from __future__ import annotations

import os
from pathlib import Path

CONFIGS_ENV = "ABM_CONFIGS"  # a folder looked in before configs/ (tests; posteriors kept outside the checkout)
SCENARIOS_ENV = "ABM_SCENARIOS"  # the user's scenarios folder (workshop/ and experiments/ saved by the app)
PACKAGE = Path(__file__).resolve().parent  # abm/
SOURCE_ROOT = PACKAGE.parent  # the checkout (or site-packages in a wheel install)


def config_candidates() -> tuple[Path, ...]:
    """Folders that may hold the Hydra config tree (`config.yaml`) and posteriors (`posterior/NAME.parquet`),
    in order: $ABM_CONFIGS if set, then the checkout's `configs/`, then the wheel's copy. Hydra uses the
    first that holds a `config.yaml`, so a folder of posteriors alone leaves the config tree as it is."""
    extra = os.environ.get(CONFIGS_ENV, "").strip()
    return (*((Path(extra),) if extra else ()), SOURCE_ROOT / "configs", PACKAGE / "_configs")


def scenarios_dir() -> Path:
    """The user's scenarios folder, outside the tracked tree: `$ABM_SCENARIOS` if set, else the platform's user
    data folder, `$XDG_DATA_HOME/ehealth-abm/scenarios` (default `~/.local/share/ehealth-abm/scenarios`).
    It holds `workshop/NAME.yaml` (Hydra configs, `abm run +workshop=NAME`) and `experiments/NAME.yaml`
    (`abm experiment NAME`); the browser app saves scenarios there, never into the checkout."""
    extra = os.environ.get(SCENARIOS_ENV, "").strip()
    if extra:
        return Path(extra).expanduser()
    data = os.environ.get("XDG_DATA_HOME", "").strip()
    base = Path(data) if data and Path(data).is_absolute() else Path.home() / ".local" / "share"
    return base / "ehealth-abm" / "scenarios"


def usable_dir(path: Path) -> bool:
    """Whether `path` is a folder this process can look into (a scenarios folder under another user's home,
    e.g. when a test runs `abm` as an unprivileged user, is not: it is then as good as absent)."""
    try:
        return path.is_dir() and os.access(path, os.R_OK | os.X_OK)
    except OSError:
        return False


def experiment_dirs() -> list[Path]:
    """Where experiment files are looked up: ./experiments, the source tree's (or the wheel's) copy, then the
    user's saved scenarios (`scenarios_dir()/experiments`, when it can be looked into)."""
    user = scenarios_dir() / "experiments"
    return [Path.cwd() / "experiments", SOURCE_ROOT / "experiments", PACKAGE / "_experiments",
            *((user,) if usable_dir(user) else ())]


def docs_dir() -> Path:
    """The checkout's `docs/` (absent in a wheel install)."""
    return SOURCE_ROOT / "docs"


def odd_path() -> Path:
    return docs_dir() / "ODD.md"
