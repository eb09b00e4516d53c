"""Parameter recovery: data the model generates at known parameters are recovered within the posterior's
90% intervals; the negative control, data generated at other parameters, leaves the first parameters
outside them. Both through the real `calibrate` (pyabc, local worker processes, the store), at small size:
120 staff, 156 weeks, two parameters of pattern P6 (turnover identifies learning.p_turnover, the care dip
after go-lives management.implementation_time)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from abm.calibration.calibrate import calibrate
from abm.calibration.spec import load_calibration
from abm.config.hydra_bridge import compose_config
from abm.validation.patterns import run_pattern
from tests.helpers.calibration import BASE, write_calibration, write_table

PARAMS = {"learning.p_turnover": [0.0005, 0.006], "management.implementation_time": [0.0, 0.3]}
TRUTH = {"learning.p_turnover": 0.002, "management.implementation_time": 0.1}
OTHER = {"learning.p_turnover": 0.0042, "management.implementation_time": 0.24}
DATA_SEEDS = range(100, 104)  # the "observations": seeds the calibration never uses (it draws its own)


def synthetic_table(folder: Path, truth: dict[str, float]) -> Path:
    """Targets from the model at `truth`: each quantity's 4-seed mean, +-15%."""
    overrides = (*BASE, *(f"{k}={v}" for k, v in truth.items()))
    runs = [run_pattern("P6", seed, overrides) for seed in DATA_SEEDS]
    rows = []
    for quantity in ("turnover_per_year", "max_dip"):
        mean = float(np.mean([r[quantity] for r in runs]))
        rows.append(("P6", quantity, 0.85 * mean, 1.15 * mean, 0.15 * mean))
    return write_table(folder, rows)


def fitted(tmp_path: Path, name: str, truth: dict[str, float]) -> pd.DataFrame:
    folder = tmp_path / name
    folder.mkdir()
    path = write_calibration(folder, name, synthetic_table(folder, truth), PARAMS, population=30, generations=4)
    result = calibrate(load_calibration(str(path)), tmp_path / "store", tmp_path / "out", workers=2, log=lambda _: None)
    return result.summary.set_index("parameter")


def inside(summary: pd.DataFrame, key: str, value: float) -> bool:
    return bool(summary.loc[key, "low"] <= value <= summary.loc[key, "high"])


def test_known_parameters_are_recovered_and_other_data_exclude_them(tmp_path, config_copy):
    recovered = fitted(tmp_path, "recovery", TRUTH)
    for key, value in TRUTH.items():
        assert inside(recovered, key, value), (key, value, recovered.loc[key].to_dict())
    # the patterns pin implementation_time down well inside its prior
    assert recovered.loc["management.implementation_time", "interval_share_of_prior"] < 0.5
    control = fitted(tmp_path, "control", OTHER)
    for key, value in OTHER.items():
        assert inside(control, key, value), (key, value, control.loc[key].to_dict())
    for key, value in TRUTH.items():  # the negative control: these data do not admit the first truth
        assert not inside(control, key, value), (key, value, control.loc[key].to_dict())
    # the calibrated preset is a preset `abm run` composes: its values are the posterior medians
    cfg = compose_config(["preset=recovery"])
    assert cfg.learning.p_turnover == pytest.approx(recovered.loc["learning.p_turnover", "median"], rel=1e-5)
    assert cfg.organisation.name == "sweden2021"  # on top of the calibration file's preset
    assert (config_copy / "posterior" / "recovery.parquet").is_file()
    report = (tmp_path / "out" / "recovery" / "report.md").read_text(encoding="utf-8")
    assert "Posterior-predictive check" in report and "management.implementation_time" in report
