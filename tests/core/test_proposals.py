"""Proposals (abm/core/mechanisms/proposals.py, ODD 7.2a): new services of uncertain value reach a managed
region during a run, one in each interval of 52 / proposals_per_year weeks; they are the same in a longer run;
their properties stay within their spreads; docking runs get none; and management's funnel (sensing, pilots
within capacity, the unit's judgement) decides which are taken up."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from abm.api import compose
from abm.core.mechanisms import fit, lifecycle, proposals
from abm.core.model import RegionModel
from abm.core.params import ManagementParams, ServicesParams
from abm.core.rng import stream
from abm.core.state import ServiceState as SS

REALITY = np.where(np.random.default_rng(0).random(30) < 0.5, -1, 1).astype(np.int8)


def drawn(sp: ServicesParams, weeks: int, seed: int = 1):
    return proposals.propose(sp, weeks, REALITY, stream(seed, "proposals"))


def test_one_proposal_arrives_in_each_interval_and_none_after_the_horizon() -> None:
    sp = ServicesParams(proposals_per_year=4.0)
    specs, required = drawn(sp, 260)
    assert len(specs) == proposals.count(sp, 260) == 20 and required.shape == (20, REALITY.size)
    weeks = np.array([s.arrival_week for s in specs])
    assert (weeks >= 1).all() and (weeks <= 260).all()
    assert ((weeks - 1) // 13 == np.arange(20)).all()  # proposal k arrives in weeks 1 + [13k, 13k + 13)
    assert proposals.count(ServicesParams(proposals_per_year=0.0), 260) == 0
    assert drawn(ServicesParams(proposals_per_year=0.0), 260)[0] == ()


def test_a_longer_run_has_the_same_first_proposals() -> None:
    sp = ServicesParams()
    short, req_short = drawn(sp, 104)
    long, req_long = drawn(sp, 520)
    assert long[: len(short)] == short and np.array_equal(req_long[: len(short)], req_short)


def test_properties_stay_within_their_spread_and_a_zero_spread_gives_the_means() -> None:
    sp = ServicesParams(proposals_per_year=52.0, proposal_spread=0.2, proposal_remote=0.3)
    specs, _ = drawn(sp, 520)
    adv = np.array([s.relative_advantage for s in specs])
    cost = np.array([s.cost for s in specs])
    assert (np.abs(adv - sp.proposal_advantage) <= 0.2 + 1e-12).all() and adv.std() > 0.05
    assert (np.abs(cost - sp.proposal_cost) <= 0.2 + 1e-12).all()
    remote = np.array([s.remote for s in specs])
    assert abs(remote.mean() - 0.3) < 0.05  # 520 proposals
    assert all(s.patient_facing == s.remote and (s.substitution > 0) == s.remote for s in specs)
    assert {s.dimension for s in specs} == set(proposals.SERVICE_DIMENSIONS)
    flat, _ = drawn(replace(sp, proposal_spread=0.0), 104)
    assert {(s.relative_advantage, s.cost, s.complexity) for s in flat} == {(0.5, 0.4, 0.5)}


@pytest.mark.parametrize("chance", [0.2, 0.8])
def test_required_signs_agree_with_reality_with_the_proposal_fit_chance(chance: float) -> None:
    _, required = drawn(ServicesParams(proposals_per_year=52.0, proposal_fit=chance), 520)
    agree = (required * REALITY[None, :])[required != 0]
    assert abs((agree > 0).mean() - chance) < 0.03  # 520 x 5 signs
    assert (np.abs(required).sum(axis=1) == proposals.FIT_DIMS).all()


def test_a_managed_run_appends_the_proposals_and_keeps_the_listed_services_draws() -> None:
    with_them = RegionModel(compose(["organisation=small", "weeks=104"]), collect=False)
    without = RegionModel(compose(["organisation=small", "weeks=104", "services.proposals_per_year=0"]), collect=False)
    n = without.n_catalogue
    assert with_them.n_catalogue == n and len(with_them.catalogue) == n + 8
    assert with_them.catalogue_names[n:] == [f"proposal_{k}" for k in range(1, 9)]
    assert np.array_equal(with_them.required[:n], without.required)  # the listed services' fit is unchanged
    assert with_them.units.service_state.shape == (with_them.units.n, n + 8)


@pytest.mark.parametrize("scenario", ["bass", "threshold", "complex_contagion"])
def test_docking_scenarios_get_no_proposals(scenario: str) -> None:
    model = RegionModel(compose([f"scenario={scenario}"]), collect=False)
    assert len(model.catalogue) == model.n_catalogue


def proposal_values(overrides: list[str], seeds: range) -> tuple[list[float], list[float], list[int]]:
    """True values at arrival of the proposals piloted and of all proposals, and pilots started, per run."""
    piloted, every, started = [], [], []
    for seed in seeds:
        model = RegionModel(compose(["organisation=small", "weeks=156", f"seed={seed}", *overrides]), collect=False)
        n = model.n_catalogue
        values = fit.benefit(model.advantage, model.cost, fit.fit(model.required, model.reality), 0.5)[n:]
        model.run()
        attempts = model.record.attempts[n:]
        piloted += list(values[attempts > 0])
        every += list(values)
        started.append(int(model.record.attempts.sum()))
    return piloted, every, started


def test_management_pilots_the_more_valuable_proposals() -> None:
    """Sensing estimates value with noise and only what passes the value threshold is piloted: the proposals
    piloted are worth more on average than all proposals (6 runs of the small region)."""
    piloted, every, _ = proposal_values(["management.sensing_investment=4"], range(6))
    assert len(piloted) >= 5 and np.mean(piloted) > np.mean(every) + 0.03


def test_a_larger_pilot_capacity_pilots_more_proposals() -> None:
    """With more ideas than pilot slots, capacity binds: the same seeds pilot more at a larger capacity."""
    _, _, low = proposal_values(["management.pilot_capacity=5"], range(4))
    _, _, high = proposal_values(["management.pilot_capacity=40"], range(4))
    assert all(h > lo for h, lo in zip(high, low, strict=True)), (low, high)


def test_a_live_service_its_code_judges_below_the_bar_is_dropped_with_the_misfit_chance() -> None:
    mp = ManagementParams(value_threshold=0.1, p_misfit_abandon=0.5)
    benefit = np.array([[0.05, 0.1, 0.15, -0.2]])
    assert lifecycle.misfits(benefit, np.full((1, 4), 0.4), mp).tolist() == [[True, True, False, True]]
    assert not lifecycle.misfits(benefit, np.full((1, 4), 0.6), mp).any()  # the chance not drawn


def test_proposals_arrive_in_the_model_on_their_weeks() -> None:
    model = RegionModel(compose(["organisation=small", "weeks=60"]), collect=False)
    n = model.n_catalogue
    arrival = model.arrival[n:]
    for _ in range(60):
        model.step()
        state = model.units.service_state[:, n:]
        assert ((state != SS.UNAVAILABLE).any(axis=0) == (arrival <= model.week)).all()
