"""`abm.api.as_function`: the model as a function of keyword arguments, alone and wrapped by the EMA Workbench
(`ReplicatorModel` with seeds as replications, sequential and multiprocessing evaluators).

The workbench keeps one process-wide register of outcome names and their classes: the outcomes here are
ArrayOutcomes (a ReplicatorModel returns one value per replication), so they are named apart from those the
export tests (tests/analysis/test_ema.py) declare as scalar or time series outcomes in the same process.
"""

from __future__ import annotations

import multiprocessing
import pickle

import numpy as np
import pytest

import abm
from abm.analysis.ema import workbench
from abm.analysis.outcomes import outcome_values, parse_outcomes
from abm.api import as_function, keyword_overrides
from abm.errors import UserError

TINY = ["organisation.n_staff=40", "organisation.n_units=4", "organisation.n_innovation_units=1", "weeks=20"]
OUTCOMES = ["maturity_total", "care_production_mean", "adoption_share"]
WB_OUTCOMES = ["care_production_mean", "services_live"]  # ArrayOutcomes: names the export tests do not use


def direct(overrides: list[str], outcomes: list[str]) -> dict[str, float]:
    """The outcomes of `abm.run` on the same overrides, computed by abm.analysis.outcomes."""
    return outcome_values(abm.run(overrides).region, parse_outcomes(outcomes))


def test_a_call_equals_abm_run_on_the_same_overrides() -> None:
    f = as_function(TINY, outcomes=OUTCOMES)
    got = f(practice="structural", practice__budget=0.2, learning__p_turnover=0.002, seed=3)
    want = direct([*TINY, "practice=structural", "practice.budget=0.2", "learning.p_turnover=0.002", "seed=3"],
                  OUTCOMES)
    assert list(got) == OUTCOMES and all(isinstance(v, float) for v in got.values())
    assert got == want


def test_same_keywords_and_seed_give_identical_numbers_and_another_seed_others() -> None:
    f = as_function(TINY, outcomes=OUTCOMES)
    first = f(environment="turbulent", seed=5)
    assert f(environment="turbulent", seed=5) == first
    assert pickle.loads(pickle.dumps(f))(environment="turbulent", seed=5) == first  # what a worker process gets
    assert f(environment="turbulent", seed=6) != first


def test_the_seed_is_the_keyword_else_the_base_overrides_and_a_bad_one_is_hydras_error() -> None:
    f = as_function([*TINY, "seed=4"], outcomes=OUTCOMES)
    assert f() == direct([*TINY, "seed=4"], OUTCOMES)
    assert f(seed=np.int64(7)) == f(seed=7) == direct([*TINY, "seed=7"], OUTCOMES)
    with pytest.raises(UserError, match="seed"):
        f(seed="seven")
    with pytest.raises(UserError, match="seed=-1 is not allowed"):
        f(seed=-1)


def test_keywords_become_exact_overrides() -> None:
    x = 0.1 + 0.2  # 0.30000000000000004: repr keeps every digit
    assert keyword_overrides({"practice__budget": x, "practice": "structural", "weeks": np.int64(10),
                              "seed": 3, "scenario__management": False, "learning__p_turnover": np.float64(2e-3)}
                             ) == ["practice.budget=0.30000000000000004", "practice=structural", "weeks=10",
                                   "seed=3", "scenario.management=false", "learning.p_turnover=0.002"]
    assert abm.compose([*TINY, "practice=structural", *keyword_overrides({"practice__budget": x})]
                       ).practice.budget == x


def test_group_choices_and_top_level_keys_change_the_run_as_their_overrides_do() -> None:
    f = as_function(TINY, outcomes=["maturity_total", "services_live"])
    base = f(seed=1)
    chosen = f(practice="structural", environment="turbulent", weeks=12, seed=1)
    assert chosen != base
    assert chosen == direct([*TINY, "practice=structural", "environment=turbulent", "weeks=12", "seed=1"],
                            ["maturity_total", "services_live"])


def one_line(err: pytest.ExceptionInfo[UserError], *needles: str) -> None:
    text = str(err.value)
    assert "\n" not in text, text
    for needle in needles:
        assert needle in text, (needle, text)


@pytest.mark.parametrize(("kwargs", "needles"), [
    ({"colour": "blue"}, ["'colour' is not known", "practice__budget", "environment", "weeks"]),
    ({"practice__colour": 1}, ["'practice__colour' is not known", "practice.colour", "budget"]),
    ({"nowhere__budget": 0.1}, ["'nowhere' is not a config group", "practice"]),
    ({"care": "x"}, ["'care' is not known", "config group's choice"]),
    ({"practice": "a,b"}, ["practice='a,b' is not allowed", "plain word"]),
    ({"practice__budget": 9.0}, ["practice.budget=9.0 is not allowed", "[0.0, 0.5]"]),
    ({"practice": "nonsense"}, ["practice=nonsense is not a known option", "structural"]),
])
def test_a_bad_keyword_at_call_time_is_one_line_naming_it(kwargs: dict[str, object], needles: list[str]) -> None:
    f = as_function(TINY, outcomes=["maturity_total"])
    with pytest.raises(UserError) as err:
        f(**kwargs, seed=0)
    one_line(err, *needles)


@pytest.mark.parametrize(("args", "needles"), [
    ((TINY, ["maturity_totl"]), ["outcomes='maturity_totl' is not allowed", "_mean", "maturity_total"]),
    ((TINY, []), ["at least one outcome"]),
    ((TINY, ["maturity_total", "maturity_total"]), ["each outcome once"]),
    ((["practice.budget=0.9"], ["maturity_total"]), ["practice.budget=0.9 is not allowed", "[0.0, 0.5]"]),
    ((["colour=blue"], ["maturity_total"]), ["colour"]),
    (("weeks=5", ["maturity_total"]), ["overrides='weeks=5' is not allowed", "a list"]),
])
def test_bad_outcomes_or_base_overrides_fail_when_the_function_is_made(args: tuple, needles: list[str]) -> None:
    with pytest.raises(UserError) as err:
        as_function(*args)
    one_line(err, *needles)


def replicator(f: object, seeds: list[int]) -> object:
    ew = workbench()
    model = ew.ReplicatorModel("ehealth", function=f)
    model.uncertainties = [ew.CategoricalParameter("practice", ["contextual", "structural"]),
                           ew.RealParameter("practice__budget", 0.05, 0.3)]
    model.outcomes = [ew.ArrayOutcome(name) for name in WB_OUTCOMES]
    model.replications = [{"seed": s} for s in seeds]
    return model


def check_against_direct_calls(f: object, experiments: object, outcomes: dict[str, np.ndarray],
                               seeds: list[int]) -> None:
    assert len(experiments) == 2 and list(experiments["model"]) == ["ehealth", "ehealth"]
    for name in WB_OUTCOMES:
        assert outcomes[name].shape == (2, len(seeds))
    for i, row in experiments.iterrows():
        for j, seed in enumerate(seeds):
            want = f(practice=row["practice"], practice__budget=row["practice__budget"], seed=seed)
            assert {name: outcomes[name][i, j] for name in WB_OUTCOMES} == want


def test_replicator_model_with_the_sequential_evaluator_returns_the_direct_calls_numbers() -> None:
    ew = workbench()
    f, seeds = as_function(TINY, outcomes=WB_OUTCOMES), [0, 1]
    with ew.SequentialEvaluator(replicator(f, seeds)) as evaluator:
        experiments, outcomes = evaluator.perform_experiments(scenarios=2)
    check_against_direct_calls(f, experiments, outcomes, seeds)


@pytest.mark.skipif(multiprocessing.get_start_method(allow_none=False) != "fork", reason="fork start method only")
def test_replicator_model_with_two_worker_processes_returns_the_same_numbers() -> None:
    ew = workbench()
    f, seeds = as_function(TINY, outcomes=WB_OUTCOMES), [0, 1]
    with ew.MultiprocessingEvaluator(replicator(f, seeds), n_processes=2) as evaluator:
        experiments, outcomes = evaluator.perform_experiments(scenarios=2)
    check_against_direct_calls(f, experiments, outcomes, seeds)
