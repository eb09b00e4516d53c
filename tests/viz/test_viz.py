"""The app's logic without a browser: levers, layout, saved scenarios, the store reader and `abm viz` errors."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from abm.core.metrics import REGISTRY
from abm.core.params import PRACTICES
from abm.errors import ParamError, UserError
from tests.helpers.viz_support import abm_executable, free_port
from viz import store_reader as sr
from viz.layout import compute_layout
from viz.levers import BY_ID, BY_KEY, LEVERS, Settings
from viz.results_page import fmt, table_html
from viz.scenario import save_scenario


def test_levers_take_range_and_help_from_the_parameter_metadata() -> None:
    for lever in LEVERS:
        field = next(f for f in dataclasses.fields(lever.cls) if f.name == lever.name)
        assert lever.key == f"{lever.cls.group}.{field.name}" and lever.help == field.metadata["help"]
        if lever.kind == "choice":
            assert lever.choices == field.metadata["choices"]
        else:
            assert lever.range == tuple(float(x) for x in field.metadata["range"])
    assert BY_ID["budget"].key == "practice.budget" and BY_ID["decided_by"].choices == ("management", "units")
    assert BY_ID["period_weeks"].kind == "int" and BY_ID["pilot_capacity"].key == "management.pilot_capacity"


def test_the_range_shown_is_the_one_the_slider_spans() -> None:
    from viz.widgets import lever_head

    for lever in (lv for lv in LEVERS if lv.kind != "choice"):
        lo, top = lever.range[0], lever.slider_max(lever.range[0])
        head = lever_head(lever, lo, "")
        assert f"{lever.text(lo)} to {lever.text(top)}" in head
        assert ("up to" in head) == (lever.range[1] > top)  # a wider typed range is said, not hidden
        steps = (top - lo) / lever.slider_step(lo)
        assert 1 <= steps <= 1000 and (lever.kind == "float" or lever.slider_step(lo) >= 1)


def test_an_out_of_range_lever_value_gets_the_same_message_as_abm_run() -> None:
    budget, period = BY_ID["budget"], BY_ID["period_weeks"]
    with pytest.raises(ParamError, match=r"^practice\.budget=2\.0 is not allowed: a number in \[0\.0, 0\.5\]$"):
        budget.validate("2")
    with pytest.raises(ParamError, match=r"^practice\.period_weeks=26\.5 is not allowed: an integer in \[2, 10000\]$"):
        period.validate("26.5")
    with pytest.raises(ParamError, match="learning.p_turnover='lots' is not allowed"):
        TURNOVER.validate("lots")
    with pytest.raises(ParamError, match="practice.decided_by='board' is not allowed: one of management, units"):
        BY_ID["decided_by"].validate("board")
    assert budget.validate("0,3") == 0.3 and period.validate("26") == 26 and isinstance(period.validate("26"), int)


def test_a_budget_too_large_for_structural_is_refused_at_the_lever_with_the_models_message() -> None:
    """Under structural the budget sizes the innovation units; a budget leaving care units empty is refused
    by ModelParams' own check across groups, with the draft's other settings (a small region here)."""
    small = Settings("small", "structural").with_lever("practice.innovation_share", 0.2)
    with pytest.raises(ParamError, match=r"^practice\.budget=0\.2 is not allowed: at most 0\.192 under structural"):
        BY_ID["budget"].validate("0.2", small.params())
    assert BY_ID["budget"].validate("0.2", Settings("small", "structural").params()) == 0.2


SHOCK = ("shock_boost", "shock_rollout")  # off in the stable environment of these settings
REASONS = {"exploit_only": {"budget", "decided_by", "explore_weeks", "innovation_share", "period_weeks",
                            "cross_share", "adaptive_gain", *SHOCK},
           "contextual": {"innovation_share", "period_weeks", "cross_share", "adaptive_gain", *SHOCK},
           "structural": {"period_weeks", "cross_share", "adaptive_gain", *SHOCK},
           "sequential": {"innovation_share", "cross_share", "adaptive_gain", *SHOCK},
           "networked": {"innovation_share", "period_weeks", "adaptive_gain", "cross_ties", *SHOCK},
           "adaptive": {"innovation_share", "period_weeks", "cross_share", *SHOCK}}


@pytest.mark.parametrize("practice", PRACTICES)
def test_a_lever_the_practice_does_not_use_is_off_with_a_reason_and_never_reaches_the_model(practice: str) -> None:
    settings = Settings("small", practice)
    off = {lv.id for lv in LEVERS if lv.reason(settings)}
    assert off == REASONS[practice]
    assert all(BY_ID[i].reason(settings).startswith("unused_") for i in off)
    moved = settings
    for lever in LEVERS:
        moved = moved.with_(levers=(*moved.levers, (lever.key, lever.choices[0] if lever.choices else 0.01)))
    kept = {BY_KEY[k].id for k, _ in moved.relevant().levers}
    assert kept == {lv.id for lv in LEVERS} - off


def test_the_shock_boost_is_on_only_in_an_environment_with_a_shock() -> None:
    for lever in (BY_ID[i] for i in SHOCK):
        assert not lever.reason(Settings(environment="pandemic_shock"))
        assert lever.reason(Settings(environment="turbulent")) == "unused_no_shock"


def test_a_lever_that_is_off_is_refused_and_the_draft_is_untouched() -> None:
    from viz import state

    run = state._run(Settings("small", "exploit_only"))
    state.set_lever(run, BY_ID["budget"], "0.2")
    assert run.draft.value.levers == () and "sets no time aside for exploring" in run.errors.value["budget"]
    state.set_choice(run, practice="contextual")  # now it applies, and the refusal is gone
    assert "budget" not in run.errors.value
    state.set_lever(run, BY_ID["budget"], "0.2")
    state.set_lever(run, BY_ID["decided_by"], "management")
    assert dict(run.draft.value.levers) == {"practice.budget": 0.2, "practice.decided_by": "management"}
    state.set_choice(run, practice="exploit_only")
    assert run.draft.value.levers == ()


def test_moved_levers_reach_the_model_with_their_types() -> None:
    from viz.sim import Simulation

    settings = Settings("small", "sequential").with_lever("practice.period_weeks", 26) \
        .with_lever("practice.decided_by", "units").with_lever("management.pilot_capacity", 5.0)
    assert "practice.period_weeks=26" in settings.overrides()
    params = Simulation.build(settings).params
    assert (params.practice.period_weeks, params.practice.decided_by, params.management.pilot_capacity) == \
        (26, "units", 5.0)


def test_staff_are_coloured_by_their_mean_know_how_over_the_dimensions() -> None:
    from viz.sim import Simulation

    sim = Simulation.build(Settings("small"))
    knowhow = sim.model.staff.knowhow
    assert knowhow.ndim == 2 and knowhow.shape[1] == 4
    colour = sim.staff_colour("knowhow")
    assert colour.shape == (sim.model.staff.n,)
    np.testing.assert_allclose(colour, np.round(knowhow.mean(axis=1) * 8) / 8)
    assert sim.staff_colour("adoption").shape == (sim.model.staff.n,)


def test_units_are_counted_by_kind_and_only_structural_has_innovation_units() -> None:
    from abm.core.state import UnitKind
    from viz.live import kinds_html
    from viz.sim import Simulation

    for practice, innovation in (("contextual", 0), ("structural", 1)):
        sim = Simulation.build(Settings("small", practice))
        counts = sim.kind_counts()
        assert sum(counts.values()) == sim.model.units.n and (counts[UnitKind.INNOVATION] > 0) == bool(innovation)
        html = kinds_html(sim)
        assert ('data-kind="innovation"' in html) == bool(innovation)
        names = {"primary_care": "Primary care ", "ward": "Ward ", "specialist": "Clinic ",
                 "innovation": "Innovation unit "}
        seen: dict[str, int] = {}
        for (kind, number), label in zip(sim.unit_ids, sim.unit_labels, strict=True):
            seen[kind] = seen.get(kind, 0) + 1
            assert number == seen[kind] and label == f"{names[kind]}{number}"  # numbered within their kind


TURNOVER = BY_ID["turnover"]


def test_layout_is_seeded_and_puts_staff_inside_their_unit() -> None:
    sizes = np.array([30, 5, 60, 12])
    staff_unit = np.repeat(np.arange(4), sizes)
    a, b = compute_layout(sizes, staff_unit, 7), compute_layout(sizes, staff_unit, 7)
    np.testing.assert_array_equal(a.staff_xy, b.staff_xy)
    assert not np.array_equal(a.staff_xy, compute_layout(sizes, staff_unit, 8).staff_xy)
    dist = np.linalg.norm(a.staff_xy - a.unit_xy[staff_unit], axis=1)
    assert np.all(dist <= a.unit_r[staff_unit] + 1e-9)


@pytest.fixture
def scenarios(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A user scenarios folder ($ABM_SCENARIOS) in a temp folder: the checkout is never written by tests."""
    folder = tmp_path / "scenarios"
    monkeypatch.setenv("ABM_SCENARIOS", str(folder))
    return folder


def test_a_saved_live_scenario_runs_as_a_workshop_config(scenarios: Path) -> None:
    from abm.api import compose

    live = Settings("small", "networked", "turbulent", 5).with_lever("practice.budget", 0.3) \
        .with_lever("practice.cross_share", 0.4).with_lever("practice.decided_by", "management") \
        .with_lever("practice.explore_weeks", 104)
    work, exp = save_scenario("town_hall", live, None, "what the ward managers asked")
    assert (work, exp) == (scenarios / "workshop" / "town_hall.yaml", scenarios / "experiments" / "town_hall.yaml")
    assert work.read_text().startswith("# @package _global_\n")
    params = compose(["+workshop=town_hall"])  # found on Hydra's search path (abm.paths.scenarios_dir)
    names = (params.organisation.name, params.practice.name, params.environment.name)
    assert names == ("small", "networked", "turbulent")
    pr = params.practice
    assert (pr.budget, pr.cross_share, pr.decided_by, pr.explore_weeks, params.seed) == (0.3, 0.4, "management", 104, 5)
    assert "explore_weeks: 104\n" in work.read_text()  # a count stays an integer
    text = exp.read_text()
    assert "# Run: uv run abm experiment town_hall" in text
    spec = yaml.safe_load(text)
    assert spec["base"] == ["+workshop=town_hall"] and spec["seeds"] == 10 and "sweep" not in spec
    assert "baseline" not in spec  # one configuration: nothing to compare it with (a baseline names a swept value)


def test_a_saved_comparison_sweeps_what_differs_and_each_point_composes(scenarios: Path) -> None:
    from abm.api import compose

    a = Settings("small", "exploit_only")
    b = Settings("small", "adaptive").with_lever("practice.adaptive_gain", 6.0)
    _, exp = save_scenario("two_ways", a, b, "")
    spec = yaml.safe_load(exp.read_text())
    assert spec["sweep"] == {"practice": "exploit_only,adaptive", "practice.adaptive_gain": "3.0,6.0"}
    assert spec["baseline"] == "practice=exploit_only"  # one KEY=VALUE: several matched no configuration
    point = compose([*spec["base"], "practice=adaptive", "practice.adaptive_gain=6.0"])
    assert (point.practice.name, point.practice.adaptive_gain) == ("adaptive", 6.0)
    assert set(spec["metrics"]) <= set(REGISTRY) and "dc_index" not in spec["metrics"]


def test_a_bad_or_taken_scenario_name_is_refused_and_nothing_is_written(scenarios: Path) -> None:
    with pytest.raises(UserError, match="scenario name 'Bad Name!' is not allowed"):
        save_scenario("Bad Name!", Settings(), None, "")
    assert not scenarios.exists()
    save_scenario("once", Settings(), None, "")
    with pytest.raises(UserError, match="is taken"):
        save_scenario("once", Settings(), None, "")
    with pytest.raises(UserError, match=r"scenario name 'quickstart' is taken \(.*experiments/quickstart.yaml"):
        save_scenario("quickstart", Settings(), None, "")  # a shipped experiment would shadow it


def write_fake_run(root: Path, label: str, seed: int, values: list[float]) -> Path:
    import json

    run = root / "exp" / "runs" / label.replace("=", "_") / f"seed={seed}"
    run.mkdir(parents=True)
    pd.DataFrame({"week": range(len(values)), "care_production": values}).to_parquet(run / "region.parquet")
    (run / "provenance.json").write_text(json.dumps(
        {"experiment": "exp", "config_hash": label, "overrides": [label], "seed": seed, "status": "ok", "config": {}}))
    return run


def write_fake_store(root: Path) -> None:
    base = {0: [1.0, 1.0], 1: [1.0, 2.0], 2: [1.0, 3.0]}
    for seed, vals in base.items():
        write_fake_run(root, "practice=a", seed, vals)
        write_fake_run(root, "practice=b", seed, [v + 0.5 + 0.1 * seed for v in vals])


def test_the_store_reader_gives_paired_differences_with_t_intervals(tmp_path: Path) -> None:
    write_fake_store(tmp_path)
    names, notes = sr.experiments(tmp_path)
    assert names == ["exp"]
    assert any("experiment.yaml: cannot read" in n for n in notes)  # the fake runs come without a spec
    results = sr.load("exp", tmp_path, ["care_production"])
    assert results.baseline == "practice=a" and results.labels == ["practice=a", "practice=b"]
    table = sr.baseline_table(results, "care_production").set_index("label")
    assert table.loc["practice=a", "baseline"] and table.loc["practice=a", "mean"] == pytest.approx(2.0)
    assert not table.loc["practice=b", "baseline"] and list(table["n"]) == [3, 3]
    diff = np.array([0.5, 0.6, 0.7])  # paired by seed: the sd of the differences, not of the levels
    half = 4.302652729911275 * diff.std(ddof=1) / np.sqrt(3)
    assert table.loc["practice=b", "diff"] == pytest.approx(0.6)
    assert table.loc["practice=b", "diff_hi"] - table.loc["practice=b", "diff"] == pytest.approx(half)
    assert np.isnan(table.loc["practice=a", "diff"])
    curve = sr.curves(results, "care_production")["practice=a"]
    assert list(curve["week"]) == [0, 1] and list(curve["mean"]) == [1.0, 2.0]
    assert curve["hi"].iloc[1] - 2.0 == pytest.approx(4.302652729911275 * 1.0 / np.sqrt(3))
    assert list(results.runs["seed"]) == [0, 1, 2, 0, 1, 2]
    assert all(Path(p).name == f"seed={s}" for p, s in zip(results.runs["path"], results.runs["seed"], strict=True))


def test_an_unreadable_store_file_becomes_a_note_not_a_crash(tmp_path: Path) -> None:
    import warnings

    write_fake_store(tmp_path)
    (tmp_path / "exp" / "runs" / "practice_b" / "seed=2" / "region.parquet").write_bytes(b"PAR1 truncated")
    (tmp_path / "exp" / "runs" / "practice_a" / "seed=1" / "provenance.json").write_text("{not json")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing escapes to the page as a warning
        results = sr.load("exp", tmp_path, ["care_production"])
    assert any("region.parquet: corrupt or truncated Parquet file" in n for n in results.notes)
    assert any("provenance.json: corrupt or unreadable JSON" in n for n in results.notes)
    assert list(sr.baseline_table(results, "care_production")["n"]) == [2, 2]
    html = table_html(sr.baseline_table(results, "care_production"), "care_production")
    assert html.count("<tr data-config=") == 2


def test_a_saved_scenario_baseline_of_several_keys_is_paired_on_its_first(tmp_path: Path) -> None:
    """The Compare page saves `baseline: practice=a practice.budget=0.15`; compare takes one KEY=VALUE."""
    write_fake_store(tmp_path)
    (tmp_path / "exp" / "experiment.yaml").write_text(
        "name: exp\nsweep: {practice: 'a,b'}\nseeds: 3\nbaseline: practice=a practice.budget=0.15\n")
    results = sr.load("exp", tmp_path, ["care_production"])
    assert results.baseline == "practice=a"
    assert results.notes == ("baseline practice=a practice.budget=0.15: differences are paired on practice=a "
                             "(one KEY=VALUE, as abm compare)",)
    with pytest.raises(UserError, match="no results for experiment 'nope'"):
        sr.load("nope", tmp_path)


TWO_KEYS = """name: two_keys
description: two practices in two environments
base: [organisation=small, weeks=6]
sweep: {practice: 'exploit_only,contextual', environment: 'stable,turbulent'}
seeds: 3
metrics: [maturity_total, care_production]
baseline: practice=exploit_only
"""
CONFIGS = [f"practice={p}, environment={e}" for p in ("exploit_only", "contextual") for e in ("stable", "turbulent")]


@pytest.fixture(scope="module")
def two_key_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.helpers.experiment_helpers import run_in_process

    tmp = tmp_path_factory.mktemp("two_keys")
    run_in_process(TWO_KEYS, tmp, tmp / "results", "two_keys")
    return tmp / "results"


def compare_rows(root: Path, metric: str) -> pd.DataFrame:
    """What `abm compare` says of `metric`, one row per configuration: summary mean and CI, paired diff and CI."""
    from abm.analysis.compare import compare

    c = compare(["two_keys"], [metric], root=root)
    merged = c.summary.merge(c.paired, on=["practice", "environment", "metric"])
    merged.index = pd.Index([f"practice={p}, environment={e}"
                             for p, e in zip(merged["practice"], merged["environment"], strict=True)], name="label")
    return merged.rename(columns={"ci_lo": "lo", "ci_hi": "hi"})[["mean", "lo", "hi", "diff", "diff_lo", "diff_hi"]]


@pytest.mark.parametrize("metric", ["maturity_total", "care_production"])
def test_the_results_table_equals_abm_compare_on_a_two_key_sweep(two_key_store: Path, metric: str) -> None:
    """Each configuration is paired with the baseline of its own environment, as `abm compare` pairs it
    (one baseline column for all would put the environment's effect into the difference)."""
    want = compare_rows(two_key_store, metric)
    table = sr.baseline_table(sr.load("two_keys", two_key_store), metric).set_index("label")
    assert list(table.index) == CONFIGS and sorted(want.index) == sorted(CONFIGS)
    pd.testing.assert_frame_equal(table.loc[want.index, want.columns].astype(float), want.astype(float),
                                  check_exact=False, rtol=1e-12, atol=1e-12)
    assert list(table.index[table["baseline"]]) == CONFIGS[:2]
    assert list(table["n"]) == [3, 3, 3, 3]
    html = table_html(table.reset_index(), metric)
    for config, r in want.iterrows():
        row = html.split(f'<tr data-config="{config}">', 1)[1].split("</tr>", 1)[0]
        assert f"<td>{fmt(r['mean'])}</td><td>[{fmt(r['lo'])}, {fmt(r['hi'])}]</td>" in row
        if config.startswith("practice=contextual"):
            assert f"<td>{fmt(r['diff'])}</td><td>[{fmt(r['diff_lo'])}, {fmt(r['diff_hi'])}]</td>" in row
        else:
            assert "(baseline)" in row


def test_the_results_curves_are_the_analysis_bands_labelled_by_swept_values(two_key_store: Path) -> None:
    from abm.analysis.stats import band

    results = sr.load("two_keys", two_key_store)
    assert results.comparison.keys == ["practice", "environment"] and results.labels == CONFIGS
    curves = sr.curves(results, "care_production")
    assert list(curves) == CONFIGS
    want = band(results.comparison.region, ["practice", "environment"], "care_production")
    one = want[(want["practice"] == "contextual") & (want["environment"] == "turbulent")].sort_values("week")
    got = curves["practice=contextual, environment=turbulent"]
    assert list(got["week"]) == list(range(7))
    np.testing.assert_allclose(got[["mean", "lo", "hi"]].to_numpy(), one[["mean", "lo", "hi"]].to_numpy())
    assert (got["lo"] < got["mean"]).any() and (got["hi"] >= got["mean"]).all()
    runs = results.runs
    assert len(runs) == 12 and list(runs["label"].drop_duplicates()) == CONFIGS
    units, config = sr.read_replay(runs["path"].iloc[0])
    assert {"week", "unit", "n_staff", "stage"} <= set(units.columns) and config["organisation"]["name"] == "small"


@pytest.mark.parametrize("args, message", [
    (["--port", "abc"], "--port='abc' is not allowed: an integer in [1, 65535]"),
    (["--port", "70000"], "--port=70000 is not allowed"),
    (["--colour", "red"], "unknown argument '--colour'"),
    (["--port"], "argument --port: expected one argument"),
])
def test_abm_viz_refuses_bad_arguments_with_one_line(args: list[str], message: str) -> None:
    out = subprocess.run([*abm_executable(), "viz", *args], capture_output=True, text=True, timeout=60)
    assert out.returncode == 2
    assert message in out.stderr and len(out.stderr.strip().splitlines()) == 1


def test_abm_viz_refuses_a_port_in_use() -> None:
    import socket

    port = free_port()
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))
        s.listen()
        out = subprocess.run([*abm_executable(), "viz", "--port", str(port)], capture_output=True, text=True,
                             timeout=60)
    assert out.returncode == 2 and f"cannot listen on --host 127.0.0.1 --port {port}" in out.stderr


STARTUP_PROBE = """
import sys
import viz.app
from numba.core.registry import CPUDispatcher
from viz.sim import warm_up_in_background

def kernels():
    return {f"{name}.{key}": len(value.signatures) for name, module in list(sys.modules.items())
            if name.startswith("abm") for key, value in vars(module).items()
            if isinstance(value, CPUDispatcher) and value.__module__ == name}

print("scipy.stats" in sys.modules, "hydra" in sys.modules, sum(n > 0 for n in kernels().values()))
warm_up_in_background().join()
print(" ".join(sorted(k for k, n in kernels().items() if n > 0)))
"""

RUN_PROBE = """
import sys
from numba.core.registry import CPUDispatcher
from abm.api import run
for practice in ("contextual", "structural", "networked", "adaptive", "sequential", "exploit_only"):
    for environment in ("stable", "pandemic_shock"):
        run([f"practice={practice}", f"environment={environment}", "weeks=80"])
print(" ".join(sorted(f"{name}.{key}" for name, module in list(sys.modules.items()) if name.startswith("abm")
                      for key, value in vars(module).items()
                      if isinstance(value, CPUDispatcher) and value.__module__ == name and value.signatures)))
"""


def test_the_app_imports_light_and_the_warm_up_loads_every_kernel() -> None:
    """What `abm viz` imports before it listens leaves out scipy.stats and Hydra, and no kernel is loaded
    yet; the background warm-up it starts once listening then loads every compiled kernel that the app's runs
    (every practice, with and without a shock, in a fresh process) call. Kernels only other paths need (the
    threshold rule, complete graphs, the docking checks' rest test) are left to the runs that need them."""
    out = subprocess.run([sys.executable, "-c", STARTUP_PROBE], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    before, after = out.stdout.split("\n")[:2]
    assert before == "False False 0"
    used = subprocess.run([sys.executable, "-c", RUN_PROBE], capture_output=True, text=True, timeout=300)
    assert used.returncode == 0, used.stderr
    needed = set(used.stdout.split())
    assert needed and needed <= set(after.split()), needed - set(after.split())


def test_a_failing_warm_up_says_so_in_one_line_and_the_server_goes_on(monkeypatch: pytest.MonkeyPatch,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    import viz.sim

    def broken(overrides: list[str]) -> None:
        raise OSError("numba cache directory is read-only")

    monkeypatch.setattr(viz.sim, "load_kernels", broken)
    viz.sim.warm_up_in_background().join()
    assert capsys.readouterr().out == "abm viz: warm-up skipped (OSError: numba cache directory is read-only)\n"


# the levers drawn at first: those of the section that is open (closed sections make no widgets)
OPEN_LEVERS = sum(lv.section == LEVERS[0].section for lv in LEVERS)


def test_playing_paints_the_views_without_re_rendering_the_page_and_nothing_paints_over_them(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """While playing, each week goes straight into the views' widget (a re-render walks the whole page, whose
    cost grows with every lever); a later re-render of another part (a refused lever) leaves the newest week."""
    import re

    import solara

    from viz import live, state, widgets
    from viz.frames import FrameView

    monkeypatch.setattr(state, "live", state._run(Settings("small")))
    monkeypatch.setattr(state, "FRAME_TIMEOUT", 0.01)  # no browser here to say it has shown a frame
    heads = []
    monkeypatch.setattr(widgets, "lever_head", lambda *a: heads.append(a) or "")
    box, rc = solara.render(live.LivePage(), handle_error=False)
    try:
        sim = state.ensure(state.live)
        assert sim.painter is not None and len(heads) == OPEN_LEVERS

        def shown() -> int:
            views = rc.find(FrameView).widgets
            assert len(views) == 1
            return int(re.search(r'class="abm-week">(\d+)<', views[0].unsafe_innerHTML).group(1))

        assert shown() == 0
        for _ in range(3):
            assert state.advance((state.live,), state.tick)
        assert sim.week == shown() == 3 and len(heads) == OPEN_LEVERS  # painted; no lever drawn again
        state.set_lever(state.live, BY_ID["budget"], "9")  # a refusal: the levers are drawn again
        assert len(heads) > OPEN_LEVERS and "budget" in state.live.errors.value and shown() == 3
        state.step((state.live,), state.tick)  # the Step button: a re-render, which paints the week too
        assert shown() == 4
    finally:
        rc.close()


# --- results, charts and downloads ---

SVG_NS = "{http://www.w3.org/2000/svg}"


def parse_figure(markup: str):  # noqa: ANN201
    """A chart of viz.svg (a figure with its download links) as XML: (the figure, its <svg>)."""
    import xml.etree.ElementTree as ET

    fig = ET.fromstring(markup)
    assert fig.tag == "figure" and fig.get("class") == "abm-figure"
    return fig, fig.find(f"{SVG_NS}svg")


def plot_rect(chart) -> tuple[float, float, float, float]:  # noqa: ANN001
    rect = next(r for r in chart.iter(f"{SVG_NS}rect") if r.get("class") == "abm-plot")
    x, y, w, h = (float(rect.get(k)) for k in ("x", "y", "width", "height"))
    return x, y, x + w, y + h


def points(chart, tag: str = "polyline") -> np.ndarray:  # noqa: ANN001
    return np.array([[float(v) for v in p.split(",")] for el in chart.iter(f"{SVG_NS}{tag}")
                     for p in el.get("points").split()])


def curve(label: str, y: list[float] | np.ndarray, colour: int = 0) -> object:
    from viz import svg

    y = np.asarray(y, float)
    return svg.Series(label, np.arange(y.size, dtype=float), y, svg.PALETTE[colour % 8])


@pytest.mark.parametrize("n_series", [2, 5, 24])
def test_the_legend_sits_below_the_plot_and_never_covers_a_curve(n_series: int) -> None:
    from viz import svg

    series = [curve(f"practice=p{i}, environment=a long swept value {i}", np.linspace(0, 1, 20) ** (1 + i / 4), i)
              for i in range(n_series)]
    fig, chart = parse_figure(svg.line_chart(series, "title", width=300, height=170))
    x0, y0, x1, y1 = plot_rect(chart)
    legend = next(g for g in chart.iter(f"{SVG_NS}g") if g.get("class") == "abm-legend")
    items = [g for g in legend if g.get("class") == "abm-legend-item"]
    assert len(items) == n_series
    height = float(chart.get("height"))
    for item in items:
        rect, text = item.find(f"{SVG_NS}rect"), item.find(f"{SVG_NS}text")
        assert float(rect.get("y")) > y1 + 10 and float(text.get("y")) - 9 > y1 + 10  # below the x tick labels
        assert float(text.get("y")) <= height and float(rect.get("x")) >= x0 and float(rect.get("x")) < x1
    assert height == 170 + 13 * len({item.find(f"{SVG_NS}rect").get("y") for item in items})  # grows by its rows
    assert height >= 170 + 13 * n_series / 2  # labels too long to share a row: a row each, or nearly
    _, two = parse_figure(svg.line_chart([curve("A", [1, 2]), curve("B", [2, 1], 1)], "title"))
    assert float(two.get("height")) == 170 + 13  # short labels share one row
    pts = points(chart)
    assert ((pts[:, 1] >= y0 - 1e-6) & (pts[:, 1] <= y1 + 1e-6)).all()
    assert [a.get("data-download") for a in fig.iter("a")] == ["svg", "png"]


@pytest.mark.parametrize("ys, zero_line", [
    ([0.50, 0.505, 0.52], False),  # a share in a sliver: not drawn on 0..1
    ([0.0, 0.12, 0.3], False),  # non-negative from 0: keeps 0
    ([0.05, 0.2, 0.31], False),  # near 0: keeps 0
    ([61.0, 60.2, 75.0], False),  # far from 0: fits around the data
    ([-0.2, 0.1, 0.3], True),  # a difference: 0 on the axis
    ([1234.0, 5678.0, 9000.0], False),
    ([5.0, 5.0, 5.0], False),  # constant
    ([0.0, 0.0, 0.0], False),
])
def test_the_y_axis_fits_the_data_on_round_ticks(ys: list[float], zero_line: bool) -> None:
    from viz import svg

    _, chart = parse_figure(svg.line_chart([curve("a", ys)], "t", zero_line=zero_line))
    ticks = [float(t.get("data-value")) for t in chart.iter(f"{SVG_NS}text") if t.get("class") == "abm-ytick"]
    lo, hi = min(ys), max(ys)
    assert ticks[0] <= lo and ticks[-1] >= hi and 3 <= len(ticks) <= 8
    steps = np.diff(ticks)
    assert np.allclose(steps, steps[0])
    mantissa = steps[0] / 10 ** np.floor(np.log10(steps[0]) + 1e-9)
    assert round(float(mantissa), 6) in (1, 2, 5)  # a 1-2-5 step
    if hi > lo:
        assert ticks[-1] - ticks[0] <= 2.5 * (hi - lo) if lo > 0.25 * hi or lo < 0 else ticks[0] == 0
    if lo >= 0 and lo <= 0.25 * hi:
        assert ticks[0] == 0
    if zero_line:
        assert 0.0 in ticks
    _, y0, _, y1 = plot_rect(chart)
    pts = points(chart)
    assert ((pts[:, 1] >= y0 - 1e-6) & (pts[:, 1] <= y1 + 1e-6)).all()  # every point inside the plot


def test_a_bar_chart_keeps_the_order_given_fits_its_whiskers_and_escapes_its_labels() -> None:
    from viz import svg

    hostile = '<img src=x onerror="window.__xss=1">'
    cats = ["b", "a", hostile]
    fig, chart = parse_figure(svg.bar_chart(cats, [
        svg.Bars("mu*", np.array([3.0, 1.0, -0.5]), np.array([1.5, 0.2, np.nan])),
        svg.Bars("sigma", np.array([2.0, 0.5, 0.1]), None, svg.PALETTE[4])], "t", data={"metric": "m", "week": 3}))
    assert fig.get("data-filename") == "m_week3"
    bars = [b for b in chart.iter(f"{SVG_NS}rect") if b.get("class") == "abm-bar"]
    assert [(b.get("data-category"), b.get("data-series")) for b in bars] == [
        (c, s) for c in cats for s in ("mu*", "sigma")]
    assert [float(b.get("data-value")) for b in bars] == [3.0, 2.0, 1.0, 0.5, -0.5, 0.1]
    assert [float(b.get("y")) for b in bars] == sorted(float(b.get("y")) for b in bars)  # top to bottom as given
    ticks = [float(t.get("data-value")) for t in chart.iter(f"{SVG_NS}text") if t.get("class") == "abm-xtick"]
    assert ticks[0] <= -0.5 and ticks[-1] >= 4.5 and 0.0 in ticks  # the bars, their whiskers and 0
    x0, _, x1, _ = plot_rect(chart)
    for b in bars:
        assert x0 - 1e-6 <= float(b.get("x")) and float(b.get("x")) + float(b.get("width")) <= x1 + 1e-6
    whiskers = [p for p in chart.iter(f"{SVG_NS}path") if p.get("class") == "abm-whisker"]
    assert len(whiskers) == 2  # none where the interval is not a number, none for sigma
    assert "<img" not in svg.bar_chart(cats, [svg.Bars("x", np.ones(3))], "t")


def test_download_names_are_the_metric_and_week_and_never_a_path() -> None:
    from viz import svg
    from viz.downloads import file_name

    assert svg.download_name("chart", {"metric": "maturity_total", "week": 12}) == "maturity_total_week12"
    assert svg.download_name("chart", {"metric": "care_production", "kind": "difference", "week": 4}) == (
        "care_production_difference_week4")
    assert svg.download_name("network", {"week": 0}) == "network_week0"
    assert svg.download_name("chart", {"metric": '../../etc/<x y="1">'}) == "etc_x_y_1"
    assert file_name("../exp", "a b", "week3") == "exp_a_b_week3.csv"


@pytest.fixture(scope="module")
def morris_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.helpers.viz_support import write_morris_store

    return write_morris_store(tmp_path_factory.mktemp("morris") / "results", trajectories=3)


def test_a_sensitivity_experiment_shows_the_indices_abm_sensitivity_computes(morris_store: Path) -> None:
    from abm.analysis.sensitivity import indices
    from viz.results_page import indices_chart, indices_table_html

    assert sr.sensitivity_method(sr.read_spec("morris_small", morris_store)) == "morris"
    found = sr.load_indices("morris_small", morris_store)
    assert found.method == "morris" and found.week == 6 and found.notes == ()
    assert list(found.tables) == ["maturity_total", "care_production"]
    for metric, table in found.tables.items():
        pd.testing.assert_frame_equal(table, indices("morris_small", metric, root=morris_store))
        assert list(table["mu_star"]) == sorted(table["mu_star"], reverse=True)
        _, chart = parse_figure(indices_chart("morris", metric, table, found.week))
        bars = [b for b in chart.iter(f"{SVG_NS}rect") if b.get("class") == "abm-bar"]
        assert [b.get("data-category") for b in bars[::2]] == list(table["param"])  # sorted by mu*
        np.testing.assert_allclose([float(b.get("data-value")) for b in bars[::2]], table["mu_star"])
        np.testing.assert_allclose([float(b.get("data-value")) for b in bars[1::2]], table["sigma"])
        html = indices_table_html(metric, table)
        assert html.count("<tr data-param=") == 3 and fmt(table["mu_star"].iloc[0]) in html
    frame = sr.indices_frame(found)
    assert list(frame.columns) == ["metric", "week", "param", "mu_star", "mu_star_conf", "mu", "sigma"]
    assert len(frame) == 6 and set(frame["week"]) == {6}


def test_an_unfinished_design_is_a_note_and_a_plain_experiment_is_not_a_sensitivity_one(morris_store: Path,
                                                                                         tmp_path: Path) -> None:
    import shutil as sh

    broken = tmp_path / "results"
    sh.copytree(morris_store, broken)
    sh.rmtree(sorted((broken / "morris_small" / "runs").iterdir())[0])
    found = sr.load_indices("morris_small", broken)
    assert found.tables == {} and len(found.notes) == 2
    assert "1 of 12 design points have no finished run at week 6" in found.notes[0]
    write_fake_store(tmp_path / "plain")
    assert sr.sensitivity_method(sr.read_spec("exp", tmp_path / "plain")) is None


def test_many_configurations_get_a_multi_select_and_few_get_checkboxes(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    import ipyvuetify as v
    import solara

    from viz import results_page
    from viz.frames import FrameView

    for i in range(14):
        for seed in (0, 1):
            write_fake_run(tmp_path / "many", f"practice=p{i:02d}", seed, [1.0, 1.0 + i + seed])
    write_fake_store(tmp_path / "few")
    for store, values in (("many", ",".join(f"p{i:02d}" for i in range(14))), ("few", "a,b")):
        (tmp_path / store / "exp" / "experiment.yaml").write_text(
            f"name: exp\nsweep: {{practice: '{values}'}}\nseeds: 2\nmetrics: [care_production]\n")
    for store, n_boxes, n_selects in (("many", 0, 1), ("few", 2, 0)):
        monkeypatch.setenv("ABM_RESULTS", str(tmp_path / store))
        _, rc = solara.render(results_page.ExperimentView("exp"), handle_error=False)
        assert len(rc.find(v.Checkbox).widgets) == n_boxes
        selects = rc.find(v.Select, multiple=True).widgets
        assert len(selects) == n_selects
        if n_selects:
            assert selects[0].v_model == [f"practice=p{i:02d}" for i in range(8)]  # the first eight to start
            chart = rc.find(FrameView).widgets[0].unsafe_innerHTML
            assert chart.count("<polyline") == 8
            import re

            assert len(set(re.findall(r'class="abm-line" fill="none" stroke="(#[0-9a-f]+)"', chart))) == 8
        rc.close()


def test_the_live_time_series_download_is_the_collectors_table() -> None:
    from viz.downloads import csv_bytes, series_frame
    from viz.sim import Simulation

    a, b = Simulation.build(Settings(organisation="small")), Simulation.build(Settings(organisation="small"))
    a.step(3)
    b.step(2)
    table = pd.read_csv(__import__("io").BytesIO(csv_bytes(series_frame([("A", a), ("B", b)]))))
    assert list(table.columns[:2]) == ["run", "week"] and set(REGISTRY) <= set(table.columns)
    assert list(table["run"]) == ["A"] * 4 + ["B"] * 3 and list(table["week"]) == [0, 1, 2, 3, 0, 1, 2]
    np.testing.assert_allclose(table.loc[table["run"] == "A", "care_production"], a.series("care_production")[1])


def test_the_downloads_component_builds_the_csv_when_asked() -> None:
    import io
    import time

    import solara
    from solara.components.file_download import FileDownloadWidget

    from viz.downloads import Downloads
    from viz.sim import Simulation

    sim = Simulation.build(Settings(organisation="small"))
    _, rc = solara.render(Downloads([("A", sim)]), handle_error=False)
    widget = rc.find(FileDownloadWidget, mime_type="text/csv").widget
    assert widget.filename == "outcomes_A.csv" and widget.bytes is None  # nothing is built before it is asked for
    sim.step(2)  # built at click time: the weeks played by then
    widget.request_download = True
    deadline = time.monotonic() + 30
    while rc.find(FileDownloadWidget, mime_type="text/csv").widget.bytes is None and time.monotonic() < deadline:
        time.sleep(0.05)
    table = pd.read_csv(io.BytesIO(rc.find(FileDownloadWidget, mime_type="text/csv").widget.bytes))
    assert list(table["week"]) == [0, 1, 2] and set(table["run"]) == {"A"}
    rc.close()


def test_a_sobol_experiment_shows_st_and_s1_with_their_intervals(tmp_path: Path) -> None:
    from abm.analysis.sensitivity import indices
    from tests.helpers.viz_support import write_morris_store
    from viz.results_page import indices_chart

    root = write_morris_store(tmp_path / "results", "sobol_small", sobol_samples=4)
    assert sr.sensitivity_method(sr.read_spec("sobol_small", root)) == "sobol"
    found = sr.load_indices("sobol_small", root, ["maturity_total"])
    table = found.tables["maturity_total"]
    pd.testing.assert_frame_equal(table, indices("sobol_small", "maturity_total", root=root))
    _, chart = parse_figure(indices_chart("sobol", "maturity_total", table, found.week))
    bars = [b for b in chart.iter(f"{SVG_NS}rect") if b.get("class") == "abm-bar"]
    assert [b.get("data-series") for b in bars[:2]] == ["ST (total)", "S1 (first order)"]
    assert [b.get("data-category") for b in bars[::2]] == list(table["param"])  # sorted by ST
    np.testing.assert_allclose([float(b.get("data-value")) for b in bars[::2]], table["ST"])
    np.testing.assert_allclose([float(b.get("data-value")) for b in bars[1::2]], table["S1"])
    whiskers = [p for p in chart.iter(f"{SVG_NS}path") if p.get("class") == "abm-whisker"]
    assert len(whiskers) == int(np.isfinite(table[["ST_conf", "S1_conf"]].to_numpy()).sum())
    ticks = [float(t.get("data-value")) for t in chart.iter(f"{SVG_NS}text") if t.get("class") == "abm-xtick"]
    ends = np.concatenate([table[c] + s * table[f"{c}_conf"] for c in ("ST", "S1") for s in (-1, 1)])
    assert ticks[0] <= np.nanmin(ends) and ticks[-1] >= np.nanmax(ends)
    assert list(sr.indices_frame(found).columns) == ["metric", "week", "param", "S1", "S1_conf", "ST", "ST_conf"]
