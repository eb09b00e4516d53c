"""Golden values for tests/core/test_perf_golden.py: a few outcomes of fixed small runs.

Optimisations that are pure refactors must leave these unchanged (to round-off); a change that
legitimately alters random draws or the model regenerates them, in its own commit, with
`uv run python -m benchmarks.golden --update` (Starsim-style stored baseline plus update script).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from abm.core.model import RegionModel
from abm.core.params import ModelParams

GOLDEN_FILE = Path(__file__).resolve().parent.parent / "tests" / "helpers" / "perf_golden.json"
CASES: dict[str, list[str]] = {
    "small_contextual": ["organisation=small", "weeks=104", "seed=3"],
    "default_adaptive": ["organisation=default", "practice=adaptive", "weeks=52", "seed=1"],
    "small_threshold": ["organisation=small", "adoption.rule=threshold", "weeks=52", "seed=2"],
    "small_networked_shock": ["organisation=small", "practice=networked", "environment=pandemic_shock",
                              "weeks=104", "seed=4"],
    "default_no_management": ["organisation=default", "scenario.management=false", "weeks=52", "seed=6"],
}


def case_params(overrides: list[str]) -> ModelParams:
    from abm.api import compose

    return compose(overrides)


def outcomes(params: ModelParams) -> dict[str, float]:
    """Column sums over weeks of the region table and of the unit table (NaN counted as 0)."""
    model = RegionModel(params)
    model.run()
    region, units = model.collector.region_frame(), model.collector.unit_frame()
    out = {f"region.{c}": float(np.nansum(region[c].to_numpy(dtype=float))) for c in region.columns}
    for c in units.columns:
        if c != "kind":
            out[f"units.{c}"] = float(np.nansum(units[c].to_numpy(dtype=float)))
    out["final.person_id_max"] = float(model.staff.person_id.max())
    out["final.n_ties"] = float(model.network.n_ties)
    return out


def compute_all() -> dict[str, dict[str, float]]:
    return {name: outcomes(case_params(ov)) for name, ov in CASES.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--update", action="store_true", help="rewrite tests/helpers/perf_golden.json")
    args = parser.parse_args()
    values = compute_all()
    if args.update:
        GOLDEN_FILE.write_text(json.dumps(values, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"wrote {GOLDEN_FILE}")
    else:
        print(json.dumps(values, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
