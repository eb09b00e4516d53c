"""`abm compare` of an experiment run over a posterior: configurations pooled over draws, differences paired
on (draw, seed), intervals over the per-draw means, and the count of draws agreeing in sign."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats

from abm.analysis.compare import compare
from abm.analysis.pooled import DRAW, draw_interval
from abm.analysis.stats import t_interval
from abm.errors import UserError
from abm.experiments.posterior import write_posterior
from abm.paths import CONFIGS_ENV
from tests.helpers.experiment_helpers import abm, run_in_process

# Three parameter sets far apart: services and know-how count little or much in maturity, and turnover is nil or
# high, so the draws' maturity levels differ far more than seeds do. draws: 2 of 3 rows: sampled.
POSTERIOR = pd.DataFrame({"learning.p_turnover": [0.0, 0.03, 0.06], "maturity.w_services": [0.05, 0.5, 0.95],
                          "maturity.w_knowhow": [0.05, 0.5, 0.95],
                          "weight": [0.4, 0.3, 0.3], "distance": [0.1, 0.2, 0.3]})
SPEC = ("name: post_cmp\ndescription: posterior compare test\nbase: [organisation=small, weeks=20]\n"
        "sweep:\n  practice: exploit_only,contextual\nseeds: 2\nmetrics: [maturity_total, care_production]\n"
        "baseline: practice=exploit_only\nposterior: spread\ndraws: 2\nposterior_seed: 1\n")
METRICS = ["maturity_total", "care_production"]


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The experiment run by the real `abm experiment` (2 practices x 2 draws x 2 seeds) into a temp store."""
    tmp = tmp_path_factory.mktemp("post_cmp")
    write_posterior(POSTERIOR, tmp / "cfg" / "posterior" / "spread.parquet")
    (tmp / "post_cmp.yaml").write_text(SPEC, encoding="utf-8")
    out = abm("experiment", str(tmp / "post_cmp.yaml"), "--root", str(tmp / "results"), "--workers", "2",
              "--no-progress", env={CONFIGS_ENV: str(tmp / "cfg")})
    assert out.returncode == 0, out.stdout + out.stderr
    assert "8 runs: 8 ok" in out.stdout
    return tmp / "results"


def test_the_store_records_the_posterior_its_draws_and_one_configuration_per_draw(root: Path) -> None:
    spec = yaml.safe_load((root / "post_cmp" / "experiment.yaml").read_text(encoding="utf-8"))
    assert (spec["posterior"], spec["draws"], spec["posterior_seed"]) == ("spread", 2, 1)
    drawn = spec["posterior_draws"]
    assert len(drawn) == 2 and [d["pool_weight"] for d in drawn] == [0.5, 0.5]
    for d in drawn:
        assert d["values"] == POSTERIOR.drop(columns=["weight", "distance"]).loc[d["row"]].to_dict()
    configs = spec["configurations"]
    assert sorted((c["values"]["practice"], c["values"][DRAW]) for c in configs) == sorted(
        (p, str(i)) for p in ("exploit_only", "contextual") for i in (0, 1))
    seeds = {c["config_hash"]: sorted(p.name for p in (root / "post_cmp" / "runs" / c["config_hash"]).iterdir())
             for c in configs}
    assert len(seeds) == 4 and all(s == ["seed=0", "seed=1"] for s in seeds.values())  # common random numbers


def per_draw(c, practice: str, metric: str) -> pd.Series:  # noqa: ANN001 (a Comparison)
    rows = c.final[c.final["practice"] == practice]
    return rows.groupby(DRAW)[metric].mean()


def test_pooled_rows_are_one_per_configuration_and_wider_than_a_single_draws_seed_interval(root: Path) -> None:
    c = compare(["post_cmp"], root=root)
    assert c.keys == ["practice"] and c.posterior is not None and c.posterior.name == "spread"
    assert len(c.summary) == 2 * 2 and set(c.summary["n"]) == {4} and set(c.summary["n_draws"]) == {2}
    for practice in ("exploit_only", "contextual"):
        row = c.summary.query(f"practice == '{practice}' and metric == 'maturity_total'").iloc[0]
        means = per_draw(c, practice, "maturity_total").to_numpy()
        mean, _, lo, hi = t_interval(means)  # equal pool weights: Student's t over the two per-draw means
        assert (row["mean"], row["ci_lo"], row["ci_hi"]) == pytest.approx((mean, lo, hi))
        for draw in (0, 1):  # the seed-only interval of one draw is far narrower: draws differ strongly
            one = c.final[(c.final["practice"] == practice) & (c.final[DRAW] == draw)]["maturity_total"]
            _, _, dlo, dhi = t_interval(one.to_numpy())
            assert hi - lo > 2 * (dhi - dlo), (practice, draw, lo, hi, dlo, dhi)


def test_differences_are_paired_on_draw_and_seed_and_the_sign_count_is_right(root: Path) -> None:
    c = compare(["post_cmp"], root=root)
    f = c.final.set_index(["practice", DRAW, "seed"])
    for metric in METRICS:
        diff = (f.loc["contextual"][metric] - f.loc["exploit_only"][metric])  # aligned on (draw, seed)
        by_draw = diff.groupby(level=DRAW).mean().to_numpy()
        row = c.paired.query(f"practice == 'contextual' and metric == '{metric}'").iloc[0]
        mean, _, lo, hi = t_interval(by_draw)
        assert row["n_pairs"] == 4 and row["n_draw_pairs"] == 2
        assert (row["diff"], row["diff_lo"], row["diff_hi"]) == pytest.approx((mean, lo, hi))
        assert row["same_sign"] == int((np.sign(by_draw) == np.sign(diff.mean())).sum())
        assert row["d_z"] == pytest.approx(diff.mean() / diff.std(ddof=1))
    assert c.paired.query("practice == 'exploit_only'")["n_pairs"].eq(0).all()


def test_the_sign_count_counts_draws_that_disagree(root: Path) -> None:
    """Draw 0's values of one practice are shifted so that its difference has the opposite sign of draw 1's, and
    a tenth of its size: the pooled difference keeps draw 1's sign and the count drops to 1 of 2."""
    c = compare(["post_cmp"], root=root)
    final = c.final.copy()
    shift = (final["practice"] == "contextual") & (final[DRAW] == 0)
    f = final.set_index(["practice", DRAW, "seed"])
    d = (f.loc["contextual"]["maturity_total"] - f.loc["exploit_only"]["maturity_total"]).groupby(level=DRAW).mean()
    assert abs(d.loc[1]) > 0.02  # the shift below flips draw 0 only if draw 1's difference is not ~0
    final.loc[shift, "maturity_total"] -= d.loc[0] + math.copysign(abs(d.loc[1]) / 10 + 0.01, d.loc[1])
    from abm.analysis.pooled import paired_pooled

    row = paired_pooled(final, ["practice"], ["maturity_total"], ("practice", "exploit_only"),
                        c.posterior.pool).query("practice == 'contextual'").iloc[0]
    assert row["same_sign"] == 1 and row["n_draw_pairs"] == 2 and np.sign(row["diff"]) == np.sign(d.loc[1])


def test_compare_cli_prints_pooled_rows_with_the_sign_count(root: Path, tmp_path: Path) -> None:
    out = abm("compare", "post_cmp", "--root", str(root), "--out", str(tmp_path / "report"), "--no-figures")
    assert out.returncode == 0, out.stderr
    lines = [ln for ln in out.stdout.splitlines() if "maturity_total" in ln]
    assert len(lines) == 4  # two practices, in the week table and the run-mean table: no row per draw
    assert "draws same sign" in out.stdout
    c = compare(["post_cmp"], root=root)
    same = int(c.paired.query("practice == 'contextual' and metric == 'maturity_total'")["same_sign"].iloc[0])
    assert lines[1].rstrip().endswith(f"{same}/2") and lines[0].split()[0] == "exploit_only"
    report = (tmp_path / "report" / "report.md").read_text(encoding="utf-8")
    assert "Run over 2 draws of the posterior `spread`" in report and "| draws same sign |" in report
    paired = pd.read_csv(tmp_path / "report" / "paired.csv")
    assert {"n_draw_pairs", "same_sign", "same_sign_mean"} <= set(paired.columns)


def test_an_experiment_without_the_same_draws_is_not_compared_with_it(root: Path, tmp_path: Path) -> None:
    plain = SPEC.replace("post_cmp", "plain_cmp").replace("posterior: spread\ndraws: 2\nposterior_seed: 1\n", "")
    run_in_process(plain.replace("weeks=20", "weeks=2").replace("seeds: 2", "seeds: 1"), tmp_path, root, "plain")
    with pytest.raises(UserError, match="did not run over the same posterior draws"):
        compare(["post_cmp", "plain_cmp"], root=root)


def test_draw_interval_is_students_t_for_equal_weights_and_a_weighted_mean_otherwise() -> None:
    m = np.array([1.0, 2.0, 4.0, 7.0])
    mean, se, lo, hi = draw_interval(m, np.full(4, 0.25))
    assert (lo, hi) == pytest.approx(stats.t.interval(0.95, 3, loc=m.mean(), scale=stats.sem(m)))
    assert se == pytest.approx(stats.sem(m))
    w = np.array([0.4, 0.3, 0.2, 0.1])
    mean, se, lo, hi = draw_interval(m, w)
    assert mean == pytest.approx(np.average(m, weights=w))
    assert se == pytest.approx(math.sqrt(4 / 3 * np.sum(w ** 2 * (m - mean) ** 2)))
    assert hi - mean == pytest.approx(mean - lo) and draw_interval(m, w) == (mean, se, lo, hi)
    assert math.isnan(draw_interval(m[:1], w[:1])[2])
    assert draw_interval(np.array([1.0, np.nan, 3.0]), np.full(3, 1 / 3))[0] == pytest.approx(2.0)
