"""The levers over the catalogue that scenario discovery treats as uncertain: the value of services
(services.advantage_scale) and the timing of national mandates (services.mandate_delay). At their defaults they
change nothing (benchmarks.golden); away from them each moves what it should, in the direction it should."""

from __future__ import annotations

import numpy as np

from abm.api import compose
from abm.core.model import RegionModel

SMALL = ["organisation=small", "weeks=104"]


def model(*overrides: str, seed: int = 0) -> RegionModel:
    m = RegionModel(compose([*SMALL, f"seed={seed}", *overrides]))
    m.run()
    return m


def mean_of(metric: str, *overrides: str, seeds: range = range(3)) -> float:
    return float(np.mean([model(*overrides, seed=s).collector.region_frame()[metric].mean() for s in seeds]))


def test_advantage_scale_multiplies_the_listed_services_advantage_and_leaves_proposals_alone():
    one, two = RegionModel(compose(SMALL)), RegionModel(compose([*SMALL, "services.advantage_scale=2.0"]))
    n = one.n_catalogue
    assert n > 0 and one.advantage.size > n  # the default region gets proposals too
    assert np.array_equal(two.advantage[:n], 2.0 * one.advantage[:n])
    assert np.array_equal(two.advantage[n:], one.advantage[n:])


def test_more_valuable_services_are_adopted_more():
    low = mean_of("adoption_share", "services.advantage_scale=0.25")
    high = mean_of("adoption_share", "services.advantage_scale=2.0")
    assert high > low * 1.2, (low, high)


def test_mandate_delay_lengthens_only_mandated_services_roll_out():
    base, late = RegionModel(compose(SMALL)), RegionModel(compose([*SMALL, "services.mandate_delay=100"]))
    assert base.mandated.any() and np.array_equal(base.mandated, late.mandated)
    assert np.array_equal(late.mandate_weeks, np.where(base.mandated, base.mandate_weeks + 100, 0))


def test_later_mandates_put_fewer_units_on_mandated_services_by_the_end():
    on_time = mean_of("mandated_progress")
    late = mean_of("mandated_progress", "services.mandate_delay=520")
    assert late < on_time - 0.05, (on_time, late)
