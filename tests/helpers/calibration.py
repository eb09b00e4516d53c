"""Small calibrations for tests: a calibration file and target table in a temporary folder, and a copy of
the config tree there (so the calibrated preset and posterior are written into it, not into configs/)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from abm import paths
from abm.analysis.targets import COLUMNS

REPO = Path(__file__).resolve().parents[2]
BASE = ["organisation=small", "weeks=156"]


@pytest.fixture
def config_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of configs/ that this test's calibrations write their preset and posterior into."""
    tree = tmp_path / "configs"
    shutil.copytree(REPO / "configs", tree)
    from abm.config import hydra_bridge

    monkeypatch.setattr(paths, "config_candidates", lambda: (tree,))
    monkeypatch.setattr(hydra_bridge, "config_candidates", lambda: (tree,))
    yield tree


def write_table(folder: Path, rows: list[tuple[str, str, float, float, float]]) -> Path:
    """A target table of (pattern, quantity, low, high, scale) rows, each with a placeholder source."""
    path = folder / "targets.csv"
    lines = [",".join(COLUMNS)]
    for pattern, quantity, low, high, scale in rows:
        lines.append(f'{pattern},{quantity},{low!r},{high!r},{scale!r},"synthetic data",test data,2026,'
                     "https://example.org/synthetic")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_calibration(folder: Path, name: str, table: Path, params: dict[str, list[float]], **keys: object) -> Path:
    data = {"kind": "calibration", "name": name, "preset": "sweden2021", "targets": str(table),
            "patterns": keys.pop("patterns", ["P6"]), "base": keys.pop("base", BASE), "params": params,
            "seeds_per_particle": 1, "population": 20, "generations": 3, "max_simulations": 400,
            "predictive_draws": 6, "seed": 3, **keys}
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path
