"""Optimisations must not change results: fixed small runs reproduce stored outcomes.

The stored values (tests/helpers/perf_golden.json) are column sums of the region and unit tables of five
short runs (contextual, adaptive, threshold adoption, networked under a pandemic shock, and without
management, where every arrived service is in use). A pure refactor keeps them to round-off (summation
order may move the last bits); a change that alters the model or its random draws regenerates them in its
own commit with `uv run python -m benchmarks.golden --update`, saying why.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from abm.core.state import LIVE_STATES
from benchmarks.golden import CASES, GOLDEN_FILE, case_params, outcomes

GOLDEN = json.loads(GOLDEN_FILE.read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", sorted(CASES))
def test_outcomes_equal_the_stored_golden_values(case: str) -> None:
    got, want = outcomes(case_params(CASES[case])), GOLDEN[case]
    assert sorted(got) == sorted(want), "the set of metrics changed: regenerate the golden values"
    bad = {k: (got[k], want[k]) for k in want if got[k] != pytest.approx(want[k], rel=1e-9, abs=1e-9)}
    assert not bad, f"outcomes drifted from the golden run: {bad}"


COLLECTOR_CASES = [["organisation=small", "seed=5"], ["organisation=default", "practice=structural"]]


@pytest.mark.parametrize("overrides", COLLECTOR_CASES)
def test_collector_equals_every_registered_metric(overrides: list[str]) -> None:
    """Every collected column equals its registered Metric.compute on a fresh view of that week."""
    from abm.core.metrics import REGION_METRICS, Week
    from abm.core.model import RegionModel

    model = RegionModel(case_params([*overrides, "weeks=80"]))
    for _ in range(4):
        model.run(20)
        row = model.collector.region[model.collector.rows - 1]
        want = [m.compute(Week(model)) for m in REGION_METRICS]
        got = list(row[: len(want)])
        diff = {m.name: (g, w) for m, g, w in zip(REGION_METRICS, got, want, strict=True)
                if not (g == w or (np.isnan(g) and np.isnan(w)))}
        assert not diff, f"collection differs from the metric functions at week {model.week}: {diff}"
        services = model.staff.uses.shape[1]
        assert np.array_equal(row[len(want):len(want) + services], model.staff.uses.mean(axis=0))
        live = np.isin(model.units.service_state, LIVE_STATES)[model.care_units].mean(axis=0)
        assert np.array_equal(row[len(want) + services:], live)  # live__<service>


def test_adding_ties_gives_the_network_built_from_all_edges() -> None:
    """Network.with_edges (incremental) equals Network.from_edges over the old and new ties together."""
    from abm.core.network import Network

    rng = np.random.default_rng(7)
    n = 300
    src, dst = rng.integers(0, n, 2000), rng.integers(0, n, 2000)
    base = Network.from_edges(n, src, dst)
    new_src, new_dst = rng.integers(0, n, 40), rng.integers(0, n, 40)
    new_src[:5], new_dst[:5] = src[:5], dst[:5]  # some ties already exist
    new_dst[5] = new_src[5]  # a self-loop is dropped
    got = base.with_edges(new_src, new_dst)
    want = Network.from_edges(n, np.concatenate([src, new_src]), np.concatenate([dst, new_dst]))
    for attr in ("indptr", "indices", "data"):
        assert np.array_equal(getattr(got.adjacency, attr), getattr(want.adjacency, attr)), attr
    assert np.array_equal(got.degree, want.degree)  # (indptr equal above: every tie in the same row)
