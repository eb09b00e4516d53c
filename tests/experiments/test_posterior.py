"""Experiments over a calibrated posterior: the file, its draws, the plan, and every bad input as one line."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from abm.errors import UserError
from abm.experiments.posterior import (
    MAX_DRAWS,
    draws,
    posterior_path,
    read_posterior,
    sample,
    write_posterior,
)
from abm.experiments.spec import load_spec, plan
from abm.paths import CONFIGS_ENV
from tests.helpers.experiment_helpers import abm

SPEC = ("name: post_tiny\nbase: [organisation=small, weeks=4]\nsweep:\n  practice: exploit_only,contextual\n"
        "seeds: 2\nposterior: toy\ndraws: 3\n")


def toy(rows: int = 10) -> pd.DataFrame:
    """A synthetic posterior: two parameters, unequal weights, and the columns a calibration adds."""
    rng = np.random.default_rng(7)
    w = rng.uniform(0.1, 1.0, rows)
    return pd.DataFrame({"learning.p_turnover": rng.uniform(0.0, 0.02, rows),
                         "maturity.w_services": rng.uniform(0.2, 0.8, rows),
                         "weight": w / w.sum(), "distance": rng.uniform(0, 1, rows),
                         "generation": np.full(rows, 3)})


@pytest.fixture
def configs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A config-candidate folder (abm.paths.config_candidates via $ABM_CONFIGS) holding posterior `toy`."""
    folder = tmp_path / "cfg"
    write_posterior(toy(), folder / "posterior" / "toy.parquet")
    monkeypatch.setenv(CONFIGS_ENV, str(folder))
    return folder


def spec_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "exp.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_posterior_is_found_in_the_config_candidates_and_a_missing_one_names_what_exists(configs: Path) -> None:
    assert posterior_path("toy") == configs / "posterior" / "toy.parquet"
    with pytest.raises(UserError) as err:
        posterior_path("nope")
    assert "posterior 'nope' not found" in str(err.value) and str(configs / "posterior" / "nope.parquet") in \
        str(err.value) and "toy" in str(err.value).rsplit("one of ", 1)[1].split(", ")
    assert list(read_posterior("toy").columns) == list(toy().columns)


def test_draws_are_deterministic_distinct_rows_and_differ_with_the_seed(configs: Path) -> None:
    first = sample("toy", 4, seed=3)
    assert first == sample("toy", 4, seed=3)
    assert [d.row for d in first] == sorted({d.row for d in first}) and len(first) == 4  # distinct, file order
    assert [d.index for d in first] == [0, 1, 2, 3] and all(d.pool_weight == 0.25 for d in first)
    assert any([d.row for d in sample("toy", 4, seed=s)] != [d.row for d in first] for s in range(4, 8))
    df = toy()
    for d in first:  # the draw's values are its row's, exactly
        assert d.values == {"learning.p_turnover": df.at[d.row, "learning.p_turnover"],
                            "maturity.w_services": df.at[d.row, "maturity.w_services"]}
    assert draws("toy", 4, seed=3) == [d.values for d in first]


def test_draws_follow_the_weights(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One draw from weights 0.5, 0.3, 0.2, 0: over 1,000 seeds each row's share is within 0.06 of its weight
    (binomial sd at most 0.016, so about 3.8 sd), and the row of weight 0 is never drawn."""
    df = pd.DataFrame({"learning.p_turnover": [0.001, 0.002, 0.003, 0.004], "weight": [0.5, 0.3, 0.2, 0.0]})
    write_posterior(df, tmp_path / "posterior" / "w.parquet")
    monkeypatch.setenv(CONFIGS_ENV, str(tmp_path))
    counts = Counter(sample("w", 1, seed=s)[0].row for s in range(1000))
    assert counts[3] == 0
    for row, weight in ((0, 0.5), (1, 0.3), (2, 0.2)):
        assert abs(counts[row] / 1000 - weight) < 0.06, counts


def test_every_row_of_positive_weight_runs_in_file_order_when_draws_reach_the_rows(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    df = pd.DataFrame({"learning.p_turnover": [0.001, 0.002, 0.003, 0.004], "weight": [0.5, 0.0, 0.3, 0.2]})
    write_posterior(df, tmp_path / "posterior" / "w.parquet")
    monkeypatch.setenv(CONFIGS_ENV, str(tmp_path))
    got = sample("w", 10, seed=0)
    assert [d.row for d in got] == [0, 2, 3]
    assert [d.pool_weight for d in got] == pytest.approx([0.5, 0.3, 0.2])  # pooled by the posterior's weights
    assert got == sample("w", 3, seed=99)  # the seed does not matter then


def test_integer_fields_get_integers_and_equal_rows_are_one_draw(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    df = pd.DataFrame({"learning.contacts_per_week": [2.6, 3.2, 1.0], "maturity.w_services": [0.5, 0.5, 0.5],
                       "weight": [0.25, 0.25, 0.5]})
    write_posterior(df, tmp_path / "posterior" / "i.parquet")
    monkeypatch.setenv(CONFIGS_ENV, str(tmp_path))
    got = sample("i", 5, seed=0)
    assert [d.values["learning.contacts_per_week"] for d in got] == [3, 1]  # 2.6 and 3.2 both round to 3
    assert all(type(d.values["learning.contacts_per_week"]) is int for d in got)
    assert [d.weight for d in got] == [0.5, 0.5] and got[0].overrides()[0] == "learning.contacts_per_week=3"


def test_plan_runs_every_configuration_on_every_draw_with_the_drawn_values_composed(configs: Path,
                                                                                    tmp_path: Path) -> None:
    spec = load_spec(str(spec_file(tmp_path, SPEC)))
    configurations = plan(spec)
    drawn = sample("toy", 3, seed=0)
    assert len(configurations) == 2 * 3 and len({c.config_hash for c in configurations}) == 6
    assert [c.values for c in configurations] == [{"practice": p, "posterior_draw": str(i)}
                                                  for p in ("exploit_only", "contextual") for i in range(3)]
    for c in configurations:
        d = drawn[int(c.values["posterior_draw"])]
        assert c.resolved["practice"]["name"] == c.values["practice"]
        assert c.resolved["learning"]["p_turnover"] == d.values["learning.p_turnover"]  # exactly: repr round-trips
        assert c.resolved["maturity"]["w_services"] == d.values["maturity.w_services"]
        assert c.overrides[-2:] == d.overrides()
    recorded = spec.as_dict()
    assert (recorded["posterior"], recorded["draws"], recorded["posterior_seed"]) == ("toy", 3, 0)
    assert [r["values"] for r in recorded["posterior_draws"]] == [d.values for d in drawn]
    assert recorded["posterior_ess"] == pytest.approx(1 / (toy()["weight"] ** 2).sum())


def test_floats_reach_the_config_exactly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    values = [0.1 + 0.2, 1e-05 / 3, 0.7071067811865476]
    df = pd.DataFrame({"learning.p_turnover": values, "weight": [1 / 3] * 3})
    write_posterior(df, tmp_path / "posterior" / "toy.parquet")
    monkeypatch.setenv(CONFIGS_ENV, str(tmp_path))
    configurations = plan(load_spec(str(spec_file(tmp_path, SPEC))))
    assert [c.resolved["learning"]["p_turnover"] for c in configurations] == values * 2


def test_the_posterior_seed_changes_the_draws_and_the_plan(configs: Path, tmp_path: Path) -> None:
    a = plan(load_spec(str(spec_file(tmp_path, SPEC))))
    b = plan(load_spec(str(spec_file(tmp_path, SPEC + "posterior_seed: 5\n"))))
    assert {c.config_hash for c in a} != {c.config_hash for c in b}


def bad_frames() -> dict[str, pd.DataFrame]:
    good = toy(4)
    return {
        "noweight": good.drop(columns="weight"),
        "negative": good.assign(weight=[0.5, 0.5, 0.5, -0.5]),
        "zero": good.assign(weight=0.0),
        "nan": good.assign(**{"learning.p_turnover": [0.01, np.nan, 0.01, 0.01]}),
        "noparams": good[["weight", "distance"]],
        "unknown": good.rename(columns={"maturity.w_services": "maturity.no_such_key"}),
        "text": good.assign(**{"learning.p_turnover": ["a", "b", "c", "d"]}),
        "outside": good.assign(**{"learning.p_turnover": [2.0, 2.0, 2.0, 2.0]}),
    }


BAD = [
    ("posterior: nope\ndraws: 2\n", "posterior 'nope' not found"),
    ("posterior: toy\ndraws: 0\n", "draws=0 is not allowed: an integer in [1, 100,000]"),
    ("posterior: toy\ndraws: 1.5\n", "draws=1.5 is not allowed"),
    ("posterior: toy\ndraws: many\n", "draws='many' is not allowed"),
    (f"posterior: toy\ndraws: {MAX_DRAWS + 1}\n", "is not allowed: an integer in [1, 100,000]"),
    ("posterior: toy\n", "posterior=toy needs 'draws'"),
    ("draws: 2\n", "draws=2 is not allowed without 'posterior'"),
    ("posterior_seed: 3\n", "posterior_seed=3 is not allowed without 'posterior'"),
    ("posterior: toy\ndraws: 2\nposterior_seed: -1\n", "posterior_seed=-1 is not allowed"),
    ("posterior: ../toy\ndraws: 2\n", "posterior='../toy' is not allowed"),
    ("posterior: toy\ndraws: 100000\nseeds: 200\n", "is 40,000,000 runs, which is not allowed"),
    ("posterior: toy\ndraws: 2\nsensitivity: {method: morris, params: {practice.alpha: [0.0, 0.4], "
     "learning.p_socialise: [0.01, 0.5]}}\n", "'posterior' and 'sensitivity' cannot both be given"),
    ("posterior: toy\ndraws: 2\nsweep:\n  practice: exploit_only\n  learning.p_turnover: 0.01,0.02\n",
     "the sweep sets learning.p_turnover, which is not allowed: posterior toy draws it"),
    ("posterior: toy\ndraws: 2\nbase: [organisation=small, maturity.w_services=0.4]\n",
     "base (or the command line) sets maturity.w_services, which is not allowed"),
    *[(f"posterior: {name}\ndraws: 2\n", needle) for name, needle in (
        ("noweight", "not a posterior: no column 'weight'"),
        ("negative", "column 'weight' holds a value that is not a finite number >= 0"),
        ("zero", "the weights sum to 0.0, not a positive number"),
        ("nan", "column 'learning.p_turnover' holds a value that is not a finite number"),
        ("noparams", "not a posterior: no parameter column"),
        ("unknown", "column 'maturity.no_such_key' is not a numeric model parameter"),
        ("text", "column 'learning.p_turnover' is str, not numbers"),
        ("outside", "learning.p_turnover=2.0 is not allowed"),
        ("garbage", "not a readable Parquet file"),
    )],
]


@pytest.mark.parametrize("extra, needle", BAD)
def test_bad_posterior_input_is_one_line_exit_2_and_nothing_written(tmp_path: Path, extra: str, needle: str) -> None:
    folder = tmp_path / "cfg" / "posterior"
    write_posterior(toy(), folder / "toy.parquet")
    for name, df in bad_frames().items():  # malformed files, written around the checks of write_posterior
        df.to_parquet(folder / f"{name}.parquet", index=False)
    (folder / "garbage.parquet").write_bytes(b"not parquet at all")
    head = "name: post_bad\nbase: [organisation=small, weeks=4]\nsweep:\n  practice: exploit_only,contextual\n"
    text = head + "seeds: 2\n" + extra
    if "sweep:" in extra or "sensitivity" in extra:
        text = text.replace("sweep:\n  practice: exploit_only,contextual\n", "")
    if "base:" in extra:
        text = text.replace("base: [organisation=small, weeks=4]\n", "")
    if "seeds: 200" in extra:
        text = text.replace("seeds: 2\n", "")
    path = spec_file(tmp_path, text)
    root = tmp_path / "store"
    out = abm("experiment", str(path), "--root", str(root), env={CONFIGS_ENV: str(tmp_path / "cfg")})
    assert out.returncode == 2, out.stdout + out.stderr
    assert out.stderr.count("\n") == 1 and needle in out.stderr and "Traceback" not in out.stderr, out.stderr
    assert str(path) in out.stderr  # names the file
    assert not root.exists()


def test_a_command_line_override_of_a_drawn_parameter_is_refused(tmp_path: Path) -> None:
    write_posterior(toy(), tmp_path / "cfg" / "posterior" / "toy.parquet")
    root = tmp_path / "store"
    out = abm("experiment", str(spec_file(tmp_path, SPEC)), "learning.p_turnover=0.01", "--root", str(root),
              env={CONFIGS_ENV: str(tmp_path / "cfg")})
    assert out.returncode == 2 and out.stderr.count("\n") == 1, out.stderr
    assert "sets learning.p_turnover, which is not allowed: posterior toy draws it" in out.stderr
    assert not root.exists()


def test_write_posterior_refuses_weights_that_do_not_sum_to_one(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="the weights sum to 2.0, not 1"):
        write_posterior(toy(4).assign(weight=0.5), tmp_path / "p.parquet")
    assert not (tmp_path / "p.parquet").exists()
