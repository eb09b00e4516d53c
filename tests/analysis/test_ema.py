"""`abm results export EXPERIMENT --ema FILE.tar.gz` (abm.analysis.ema): a tiny experiment run into a temporary
store with the real `abm experiment` command, exported, read back with the EMA Workbench's own
`load_results` and checked against the store's reader; and bad input (one line, exit 2, nothing written).

The outcome names here are declared to the workbench's process-wide register as scalar or time series
outcomes; tests/test_as_function.py uses other names for its ArrayOutcomes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from abm.analysis.ema import BOOKKEEPING, TIME, export, typed, workbench
from abm.cli import main
from abm.store.reader import load_region, load_runs, read_spec
from tests.helpers.experiment_helpers import abm

TINY = ("name: tiny\ndescription: two practices, two budgets, two seeds\n"
        "base: [organisation.n_staff=40, organisation.n_units=4, organisation.n_innovation_units=1, weeks=8]\n"
        "sweep:\n  practice: contextual,structural\n  practice.budget: 0.1,0.25\nseeds: 2\n"
        "metrics: [maturity_total, adoption_share]\n")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with the finished experiment `tiny` (8 runs of 8 weeks), run by the real CLI."""
    tmp = tmp_path_factory.mktemp("ema")
    (tmp / "tiny.yaml").write_text(TINY, encoding="utf-8")
    assert main(["experiment", str(tmp / "tiny.yaml"), "--root", str(tmp / "store"), "--workers", "1"]) == 0
    return tmp / "store"


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_export_round_trips_through_load_results_with_the_store_readers_values(store: Path, tmp_path: Path) -> None:
    dest = tmp_path / "tiny.tar.gz"
    assert main(["results", "export", "tiny", "--root", str(store), "--ema", str(dest),
                 "--outcome", "maturity_total", "adoption_share_mean", "--series", "care_production"]) == 0
    assert files_in(tmp_path) == ["tiny.tar.gz"]  # no temporary file left beside it
    experiments, outcomes = workbench().load_results(str(dest))

    # the rows: one per finished run, in the plan's order of configurations, then seed
    runs = load_runs("tiny", store)
    plan = [c["config_hash"] for c in read_spec("tiny", store)["configurations"]]
    order = runs.assign(n=runs["config_hash"].map(plan.index)).sort_values(["n", "seed"], ignore_index=True)
    assert len(experiments) == 8 and list(experiments.columns) == ["practice", "practice__budget", "seed",
                                                                  *BOOKKEEPING]
    assert list(experiments["practice"].astype(str)) == list(order["practice"])
    assert list(experiments["practice__budget"]) == [float(v) for v in order["practice.budget"]]
    assert list(experiments["seed"]) == list(order["seed"]) and experiments["seed"].dtype == "int64"
    assert list(experiments["scenario"]) == list(order["n"])
    assert set(experiments["model"]) == {"tiny"} and experiments["policy"].isna().all()  # "None", as the workbench
    assert {c: str(t) for c, t in experiments.dtypes.items()} == {
        "practice": "category", "practice__budget": "float64", "seed": "int64", "scenario": "category",
        "policy": "category", "model": "category"}

    # the outcomes, from the store's reader, computed here without abm.analysis.outcomes
    region = load_region("tiny", store).sort_values(["config_hash", "seed", "week"])
    by_run = {k: g for k, g in region.groupby(["config_hash", "seed"])}
    tables = [by_run[(h, s)] for h, s in zip(order["config_hash"], order["seed"], strict=True)]
    assert np.array_equal(outcomes["maturity_total"], [t["maturity_total"].iloc[-1] for t in tables])
    assert np.array_equal(outcomes["adoption_share_mean"],
                          [t.loc[t["week"] >= 1, "adoption_share"].mean() for t in tables])
    assert outcomes["care_production"].shape == outcomes[TIME].shape == (8, 9)
    assert np.array_equal(outcomes["care_production"], np.stack([t["care_production"].to_numpy() for t in tables]))
    assert np.array_equal(outcomes[TIME], np.tile(np.arange(9), (8, 1)))

    # what load_results reads is what export returns (floats exactly)
    got_e, got_o = export("tiny", ["maturity_total", "adoption_share_mean"], ["care_production"], store)
    pd.testing.assert_frame_equal(got_e.drop(columns="policy"), experiments.drop(columns="policy"),
                                  check_categorical=False)
    assert got_o.keys() == outcomes.keys() and all(np.array_equal(got_o[k], outcomes[k]) for k in outcomes)


def test_from_experiments_gives_scenarios_as_function_runs_again_to_the_stored_numbers(store: Path) -> None:
    from abm.api import as_function

    from_experiments = workbench().em_framework.points.from_experiments

    experiments, outcomes = export("tiny", ["maturity_total", "adoption_share_mean"], root=store)
    f = as_function(["organisation.n_staff=40", "organisation.n_units=4", "organisation.n_innovation_units=1",
                     "weeks=8"], outcomes=["maturity_total", "adoption_share_mean"])
    samples = from_experiments(experiments)  # the parameter columns, without scenario, policy and model
    for i in (0, 5):
        assert f(**samples[i]) == {k: outcomes[k][i] for k in outcomes}  # the stored run, number for number


def test_default_outcomes_are_the_experiments_metrics_at_the_last_week(store: Path, tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    dest = tmp_path / "out" / "default.tar.gz"  # a missing folder is made
    assert main(["results", "export", "tiny", "--root", str(store), "--ema", str(dest)]) == 0
    assert "wrote" in capsys.readouterr().out
    _, outcomes = workbench().load_results(str(dest))
    assert list(outcomes) == ["maturity_total", "adoption_share"] and outcomes["maturity_total"].shape == (8,)
    _, with_series = export("tiny", series=["adoption_share"], root=store)  # a series is not also an outcome
    assert list(with_series) == ["maturity_total", "adoption_share", TIME]


def test_a_compacted_store_exports_the_same(store: Path, tmp_path: Path) -> None:
    before = export("tiny", ["maturity_total"], ["care_production"], store)
    assert main(["results", "compact", "tiny", "--root", str(store)]) == 0
    after = export("tiny", ["maturity_total"], ["care_production"], store)
    pd.testing.assert_frame_equal(before[0], after[0])
    assert all(np.array_equal(before[1][k], after[1][k]) for k in before[1])


def test_parameter_columns_are_typed_as_the_workbench_types_them() -> None:
    assert typed(["1", "20"]).dtype == "int64"
    assert typed(["0.1", "2"]).tolist() == [0.1, 2.0]
    assert typed(["1", None]).dtype == "float64"
    assert typed(["structural", None]).dtype == "category"


BAD = [
    (["results", "export", "nope", "--ema", "{tmp}/x.tar.gz"], ["no results for experiment 'nope'", "tiny"]),
    (["results", "export", "tiny", "--ema", "{tmp}/x.tar.gz", "--outcome", "maturity"],
     ["outcome='maturity' is not allowed", "_mean", "maturity_total"]),
    (["results", "export", "tiny", "--ema", "{tmp}/x.tar.gz", "--series", "adoption_share_mean"],
     ["series='adoption_share_mean' is not allowed", "every week"]),
    (["results", "export", "tiny", "--ema", "{tmp}/x.tar.gz", "--outcome", "care_production", "--series",
      "care_production"], ["outcome='care_production' is not allowed", "also a series"]),
    (["results", "export", "tiny"], ["--ema FILE.tar.gz is missing"]),
    (["results", "export", "--ema", "{tmp}/x.tar.gz"], ["name the experiment"]),
    (["results", "export", "tiny", "--ema", "{tmp}/x.csv"], ["--ema=", "a file name ending in .tar.gz"]),
    (["results", "export", "tiny", "--ema", "{tmp}"], ["--ema=", "is not allowed"]),
    (["results", "export", "tiny", "--ema", "/proc/abm-x.tar.gz"], ["--ema='/proc'", "a writable folder"]),
    (["results", "show", "tiny", "--ema", "{tmp}/x.tar.gz"], ["belong to results export"]),
]


@pytest.mark.parametrize(("args", "needles"), BAD, ids=[" ".join(a[2:])[:40] for a, _ in BAD])
def test_bad_export_input_is_one_line_exit_2_and_nothing_written(store: Path, tmp_path: Path, args: list[str],
                                                                 needles: list[str],
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    argv = [a.replace("{tmp}", str(tmp_path)) for a in args]
    assert main([*argv, "--root", str(store)]) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("abm: error: ") and captured.out == "", captured
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    assert files_in(tmp_path) == []


def test_bad_export_from_the_real_command_line_has_no_traceback(store: Path, tmp_path: Path) -> None:
    out = abm("results", "export", "tiny", "--root", str(store), "--ema", str(tmp_path / "x.tar.gz"),
              "--outcome", "nope")
    assert out.returncode == 2 and out.stderr.count("\n") == 1 and "outcome='nope' is not allowed" in out.stderr
    assert "Traceback" not in out.stderr and "ipyparallel" not in out.stderr and files_in(tmp_path) == []


def test_an_experiment_over_a_posterior_exports_each_runs_draw_and_its_values(tmp_path: Path,
                                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from abm.analysis.pooled import DRAW
    from abm.experiments.posterior import write_posterior
    from abm.paths import CONFIGS_ENV

    posterior = pd.DataFrame({"learning.p_turnover": [0.001, 0.004, 0.0125], "maturity.w_services": [0.3, 0.5, 0.7],
                              "weight": [0.2, 0.3, 0.5]})
    write_posterior(posterior, tmp_path / "cfg" / "posterior" / "toy.parquet")
    monkeypatch.setenv(CONFIGS_ENV, str(tmp_path / "cfg"))
    (tmp_path / "post.yaml").write_text(
        "name: post\nbase: [organisation.n_staff=40, organisation.n_units=4, organisation.n_innovation_units=1, "
        "weeks=4]\nsweep:\n  practice: exploit_only,contextual\nseeds: 1\nposterior: toy\ndraws: 2\n", encoding="utf-8")
    assert main(["experiment", str(tmp_path / "post.yaml"), "--root", str(tmp_path / "s"), "--workers", "1"]) == 0
    experiments, outcomes = export("post", ["maturity_total"], root=tmp_path / "s")
    assert list(experiments.columns) == ["practice", "learning__p_turnover", "maturity__w_services", DRAW, "seed",
                                         *BOOKKEEPING]
    assert experiments[DRAW].dtype == "int64" and sorted(experiments[DRAW]) == [0, 0, 1, 1]
    drawn = read_spec("post", tmp_path / "s")["posterior_draws"]
    for _, row in experiments.iterrows():
        values = drawn[row[DRAW]]["values"]
        assert (row["learning__p_turnover"], row["maturity__w_services"]) == (
            values["learning.p_turnover"], values["maturity.w_services"])
    assert outcomes["maturity_total"].shape == (4,)
