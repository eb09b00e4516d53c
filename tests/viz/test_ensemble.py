"""Many futures (viz/ensemble.py): run through the experiment machinery into the store, read back by
`abm compare`'s own statistics, reused from the store, cancellable, the same whatever the workers."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from abm.core.metrics import REGISTRY
from abm.errors import UserError
from abm.store.layout import run_dirs, run_status
from tests.helpers.experiment_helpers import abm
from viz import ensemble as E
from viz.i18n import TEXT
from viz.levers import Settings

WEEKS = 30  # the app's settings run the preset's horizon; these tests shorten it to keep fast
A = Settings(organisation="small", practice="exploit_only")
B = Settings(organisation="small", practice="adaptive").with_lever("practice.budget", 0.2)
N = 4


@pytest.fixture(scope="module")
def short() -> Iterator[None]:
    """Every arm runs WEEKS weeks (an override added to the settings' own)."""
    original = E.arm_overrides
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(E, "arm_overrides", lambda s: [*original(s), f"weeks={WEEKS}"])
        yield


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, short: None) -> tuple[Path, E.Ensemble]:
    root = tmp_path_factory.mktemp("futures")
    seen: list[tuple[int, int]] = []
    result = E.run_ensemble([A, B], N, root, workers=2, on_progress=lambda d, t: seen.append((d, t)))
    assert seen[0] == (0, 2 * N) and seen[-1] == (2 * N, 2 * N)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    return root, result


def test_every_headline_outcome_says_which_way_is_better() -> None:
    assert set(E.BETTER) == set(E.HEADLINE) and set(E.HEADLINE) <= set(REGISTRY)
    assert all(v in (-1, 1) for v in E.BETTER.values())
    assert E.BETTER["waiting_list"] == -1 and E.BETTER["maturity_total"] == 1


def test_the_experiment_name_is_a_hash_of_the_configuration_and_n(short: None) -> None:
    a = E.plan_arm(A, N)
    assert E.plan_arm(A, N).name == a.name and a.name.startswith(E.PREFIX)
    assert E.plan_arm(A.with_(seed=7), N).name == a.name  # the ensemble runs seeds 0..N-1 itself
    assert E.plan_arm(A, N + 1).name != a.name and E.plan_arm(B, N).name != a.name
    assert a.spec.seeds == list(range(N)) and f"weeks={WEEKS}" in a.spec.base
    with pytest.raises(E.SameSettings):
        E.plan_arms([A, A.with_(seed=3)], N)
    for bad in (0, E.MAX_N + 1, 2.5, True):
        with pytest.raises(UserError, match="futures="):
            E.check_n(bad)  # type: ignore[arg-type]


def test_the_ensemble_runs_every_future_into_the_store(store: tuple[Path, E.Ensemble]) -> None:
    root, result = store
    assert result.status == "done" and result.ran == 2 * N and not result.from_store and result.done == 2 * N
    for name in result.experiments:
        assert [run_status(d) for d in run_dirs(root / name)] == ["ok"] * N
        assert (root / name / "experiment.yaml").is_file()


def test_the_verdict_is_abm_compares_paired_difference(store: tuple[Path, E.Ensemble]) -> None:
    """The app's numbers are the rows of compare()'s paired and summary tables, and B's wins are counted
    from the same per-run values, paired by seed."""
    from abm.analysis.compare import compare

    root, result = store
    a, b = result.experiments
    c = compare([a, b], list(E.HEADLINE), root=root)
    assert c.baseline == ("experiment", a)
    for v in E.verdicts(result.comparison):  # type: ignore[arg-type]
        s = "_mean" if REGISTRY[v.metric].kind == "flow" else ""
        assert s == ("_mean" if v.over_run else "")
        row = c.paired[(c.paired["experiment"] == b) & (c.paired["metric"] == v.metric)].iloc[0]
        assert (v.diff, v.diff_lo, v.diff_hi, v.n) == (row[f"diff{s}"], row[f"diff_lo{s}"], row[f"diff_hi{s}"], N)
        table = c.means if s else c.final
        va = table[table["experiment"] == a].set_index("seed")[v.metric]
        vb = table[table["experiment"] == b].set_index("seed")[v.metric]
        assert v.wins == int(((vb - va) * E.BETTER[v.metric] > 0).sum())
        assert v.ties == int((vb == va).sum())
        assert v.mean_a == pytest.approx(va.mean(), rel=1e-12) and v.mean_b == pytest.approx(vb.mean(), rel=1e-12)
        if v.mean_a:
            assert v.pct == pytest.approx(tuple(100 * x / v.mean_a for x in (v.diff, v.diff_lo, v.diff_hi)))


def test_the_verdict_equals_what_abm_compare_prints(store: tuple[Path, E.Ensemble]) -> None:
    from abm.analysis.markdown import fmt

    root, result = store
    a, b = result.experiments
    out = abm("compare", a, b, "--root", str(root), "--no-figures", "--out", str(root / "report"))
    assert out.returncode == 0, out.stderr
    at_week, over_run = out.stdout.split("mean over weeks")
    for v in E.verdicts(result.comparison):  # type: ignore[arg-type]
        text = over_run if v.over_run else at_week
        line = next(ln for ln in text.splitlines() if re.match(rf"\s*{b}\s+{v.metric}\s", ln))
        assert f"{fmt(v.diff)} [{fmt(v.diff_lo)}, {fmt(v.diff_hi)}]" in line, line


def test_asking_again_reads_the_finished_runs_from_the_store(store: tuple[Path, E.Ensemble], short: None) -> None:
    root, first = store
    stamps = {d: (d / "provenance.json").stat().st_mtime_ns for n in first.experiments for d in run_dirs(root / n)}
    again = E.run_ensemble([A, B], N, root, workers=2)
    assert again.status == "done" and again.ran == 0 and again.from_store
    assert {d: (d / "provenance.json").stat().st_mtime_ns for d in stamps} == stamps
    assert E.verdicts(again.comparison) == E.verdicts(first.comparison)  # type: ignore[arg-type]
    live = E.run_ensemble([A], N, root)  # Live's arm with A's settings: A's experiment, already stored
    assert live.from_store and live.experiments == first.experiments[:1]
    finals = E.finals(live.comparison)  # type: ignore[arg-type]
    assert [f.metric for f in finals] == list(E.HEADLINE) and all(f.lo <= f.mean <= f.hi for f in finals)
    curves = E.curves(first.comparison, "maturity_total")  # type: ignore[arg-type]
    assert len(curves) == 2 and list(curves[0]["week"]) == list(range(WEEKS + 1))


def test_a_cancelled_ensemble_keeps_its_runs_and_the_next_runs_only_the_rest_with_the_same_numbers(
        tmp_path: Path, store: tuple[Path, E.Ensemble], short: None) -> None:
    """Cancelled after its first run (one worker: cancelled() is asked before each run), then asked again:
    only the rest run, and the verdict is bit for bit the two-worker one."""
    root = tmp_path / "store"

    def after_one() -> bool:
        return sum(run_status(d) == "ok" for d in run_dirs(root / E.plan_arm(A, N).name)) >= 1

    cut = E.run_ensemble([A, B], N, root, workers=1, cancelled=after_one)
    assert cut.status == "cancelled" and cut.done == 1 and cut.comparison is None
    assert all(run_status(d) == "ok" for n in cut.experiments for d in run_dirs(root / n))
    rest = E.run_ensemble([A, B], N, root, workers=1)
    assert rest.status == "done" and rest.ran == 2 * N - 1
    assert E.verdicts(rest.comparison) == E.verdicts(store[1].comparison)  # type: ignore[arg-type]


def test_a_job_reports_progress_and_its_answer_in_the_background(tmp_path: Path, short: None) -> None:
    progress: list[tuple[int, int]] = []
    answers: list[E.Ensemble] = []
    job = E.Job([A], 2, tmp_path, workers=1, on_progress=lambda d, t: progress.append((d, t)),
                on_done=answers.append).start()
    result = job.wait(120)
    assert result is not None and answers == [result] and result.status == "done"
    assert progress[-1] == (2, 2)
    errors: list[Exception] = []
    E.Job([A, A], 2, tmp_path, on_error=errors.append).start().wait(60)
    assert len(errors) == 1 and isinstance(errors[0], E.SameSettings)


def test_one_ensemble_at_a_time_runs_on_a_server(tmp_path: Path, short: None) -> None:
    """Each ensemble uses every core: a second one, from another session, is refused with one line."""
    from viz import ensemble_ui as ui

    started, release = threading.Event(), threading.Event()

    def hold(done: int, total: int) -> None:  # the first ensemble waits here while holding the server
        started.set()
        release.wait(60)

    first = E.Job([A], 1, tmp_path, workers=1, on_progress=hold).start()
    assert started.wait(60)
    errors: list[Exception] = []
    E.Job([B], 1, tmp_path, on_error=errors.append).start().wait(60)
    release.set()
    assert first.wait(120) is not None and first.result.status == "done"  # type: ignore[union-attr]
    assert len(errors) == 1 and isinstance(errors[0], E.Busy)
    panel = ui._panel()
    ui.failed(panel, errors[0])
    assert panel.error.value == TEXT["ens_busy"][0]


def test_the_winner_is_the_better_direction_and_only_when_the_interval_excludes_no_difference() -> None:
    def verdict(metric: str, lo: float, hi: float) -> E.Verdict:
        return E.Verdict(metric, E.BETTER[metric], False, 260, 20, 10, 0, 50.0, 50.0 + (lo + hi) / 2, (lo + hi) / 2,
                         lo, hi)

    assert verdict("maturity_total", 1.0, 3.0).winner == "B"
    assert verdict("maturity_total", -3.0, -1.0).winner == "A"
    assert verdict("waiting_list", 1.0, 3.0).winner == "A"  # a longer waiting list is worse
    assert verdict("waiting_list", -3.0, -1.0).winner == "B"
    assert verdict("maturity_total", -1.0, 3.0).winner == ""
    assert verdict("maturity_total", 1.0, 3.0).pct == pytest.approx((4.0, 2.0, 6.0))


def test_the_card_shows_compares_numbers_escaped_in_english_and_swedish(store: tuple[Path, E.Ensemble]) -> None:
    from abm.analysis.markdown import fmt
    from viz import ensemble_ui as ui
    from viz.i18n import language, metric_label

    _, result = store
    verdicts = E.verdicts(result.comparison)  # type: ignore[arg-type]
    page = ui.result_html(result)
    for v in verdicts:
        assert f'data-metric="{v.metric}"' in page and f'data-diff="{v.diff!r}"' in page
        assert f"{fmt(v.diff)} [{fmt(v.diff_lo)}, {fmt(v.diff_hi)}]" in page
        assert f"in {v.wins} of {N} futures" in page
    assert "lower is better" in page and "higher is better" in page and "8 runs computed now" in page
    assert page.count('class="abm-chart"') == 2 * len(E.HEADLINE) and "<script" not in page  # curves, B - A
    try:
        language.value = "sv"
        swedish = ui.result_html(result)
        assert "B gör det bättre än A i" in swedish and metric_label("waiting_list") in swedish
    finally:
        language.value = "en"
    assert ui.signed(-2.14) == "\u22122.1" and ui.signed(0.5) == "+0.5"


def test_every_text_of_the_card_is_in_english_and_swedish_in_one_block() -> None:
    from viz.i18n import METRIC_SV, TEXT

    source = (Path(E.__file__).parent / "ensemble_ui.py").read_text(encoding="utf-8")
    used = set(re.findall(r'(?<![\w.])t\("(\w+)"\)', source)) | set(re.findall(r'"(ens_\w+)"', source))
    assert used <= set(TEXT)
    mine = [k for k in TEXT if k.startswith("ens_")]
    assert all(TEXT[k][0] and TEXT[k][1] for k in mine) and set(E.HEADLINE) <= set(METRIC_SV)
    text = (Path(E.__file__).parent / "i18n.py").read_text(encoding="utf-8")
    block = text.split("# --- many futures ---")[1]
    assert text.count("# --- many futures ---") == 2 and all(f'"{k}"' in block for k in mine)


def test_the_difference_curve_ends_at_compares_paired_difference(store: tuple[Path, E.Ensemble]) -> None:
    """B - A week by week, paired by future: at the last week exactly what compare pairs (for the outcomes
    judged at the last week), and its band is that interval."""
    _, result = store
    c = result.comparison
    assert c is not None
    for v in E.verdicts(c):
        curve = E.difference_curve(c, v.metric)
        assert list(curve["week"]) == list(range(WEEKS + 1))
        if not v.over_run:
            last = curve.iloc[-1]
            assert last["mean"] == pytest.approx(v.diff, abs=1e-12)
            if v.diff_hi > v.diff_lo:
                assert (last["lo"], last["hi"]) == pytest.approx((v.diff_lo, v.diff_hi), rel=1e-9)
    assert ui_page_has_difference_charts(result)


def ui_page_has_difference_charts(result: E.Ensemble) -> bool:
    from viz import ensemble_ui as ui

    return ui.charts_html(result).count('data-kind="futures-difference"') == len(E.HEADLINE)
