"""The browser app, driven in Debian's Chromium by Playwright against `abm viz` run as a real subprocess."""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.helpers.viz_support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    HOSTILE_DESCRIPTION,
    HOSTILE_VALUE,
    Server,
    viz_server,
    write_hostile_store,
    write_store,
)

pytestmark = pytest.mark.browser
pytest.importorskip("playwright")
if not Path(CHROMIUM).exists():
    pytest.skip("Debian's chromium is not installed", allow_module_level=True)

LOAD_TIMEOUT = 60_000


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "viewport": {"width": 1400, "height": 1000}}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The app, with a small `quickstart` experiment in its results store (written while it starts)."""
    store = tmp_path_factory.mktemp("results")
    writer = threading.Thread(target=write_store, args=(store,), kwargs={"weeks": 20, "seeds": 3})
    writer.start()
    try:
        with viz_server(env={"ABM_RESULTS": str(store)}) as srv:
            writer.join()
            yield srv
    finally:
        writer.join()


@pytest.fixture
def app_url(server: Server) -> str:
    return server.url


@pytest.fixture(autouse=True)
def generous_timeouts(request: pytest.FixtureRequest) -> None:
    """CI machines have two cores and other tests running beside: wait longer than Playwright's 30 s."""
    if "page" in request.fixturenames:
        request.getfixturevalue("page").set_default_timeout(LOAD_TIMEOUT)


def open_live(page, url: str):  # noqa: ANN001, ANN201
    page.set_default_timeout(LOAD_TIMEOUT)
    page.goto(url)
    page.wait_for_selector(".abm-week", timeout=LOAD_TIMEOUT)
    return page


def week(page) -> int:  # noqa: ANN001
    return int(page.inner_text(".abm-week"))


def chart(page, metric: str, kind: str = "") -> str:  # noqa: ANN001
    sel = f'svg[data-metric="{metric}"]' + (f'[data-kind="{kind}"]' if kind else "")
    return page.locator(sel).first.inner_html()


def step_to(page, target: int) -> None:  # noqa: ANN001
    while week(page) < target:
        before = week(page)
        page.click(".abm-step")
        page.wait_for_function(f"Number(document.querySelector('.abm-week').innerText) > {before}")


def apply_and_reset(page) -> None:  # noqa: ANN001
    """Changed settings show as pending (the button reads "Apply and reset"); reset applies them."""
    page.wait_for_selector(".abm-reset >> text=Apply and reset")
    page.click(".abm-reset")
    page.wait_for_selector(".abm-reset >> text=Apply and reset", state="detached")


def kpi(page, metric: str, tag: str = "") -> float:  # noqa: ANN001
    text = page.locator(f'.abm-kpis{tag} [data-metric="{metric}"] .abm-kpi-value').inner_text()
    return float(text.replace(",", ""))


def test_live_page_loads_offline_with_no_console_errors(page, server: Server) -> None:  # noqa: ANN001
    app_url = server.url
    errors, hosts = [], set()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: hosts.add(urlparse(r.url).hostname) if r.url.startswith(("http", "ws")) else None)
    open_live(page, app_url)
    page.wait_for_selector("svg.abm-network")
    page.wait_for_timeout(500)
    assert errors == []
    assert hosts == {"127.0.0.1"}, f"requests left 127.0.0.1: {hosts}"
    assert week(page) == 0
    assert page.locator(".abm-kpis [data-metric]").count() == 8
    assert page.locator('.abm-kpis [data-metric="dc_index"]').count() == 0
    assert page.locator("svg.abm-pipeline").count() == 1
    assert "Could not load URL" not in server.output(), "the server tried to fetch an asset from elsewhere"
    assert "warm-up skipped" not in server.output(), server.output()[-2000:]


def test_step_and_play_advance_the_week_and_change_the_plots(page, app_url: str) -> None:  # noqa: ANN001
    open_live(page, app_url)
    first = chart(page, "maturity_total")
    network = page.locator("svg.abm-network").inner_html()
    step_to(page, 1)
    assert week(page) == 1
    assert chart(page, "maturity_total") != first
    page.click(".abm-speed >> text=60")
    page.click(".abm-play")
    page.wait_for_function("Number(document.querySelector('.abm-week').innerText) >= 8", timeout=30_000)
    page.click(".abm-pause")
    page.wait_for_selector(".abm-play")  # the server has taken the pause (steps in flight may still land)
    page.wait_for_timeout(300)
    played = week(page)
    assert played >= 8
    page.wait_for_timeout(600)  # 36 more weeks at 60 a second, had the run not stopped
    assert week(page) == played, "pause did not stop the run"
    assert page.locator("svg.abm-network").inner_html() != network
    assert chart(page, "care_production").count("<polyline") == 1


def test_changing_the_practice_and_resetting_changes_the_outcomes(page, app_url: str) -> None:  # noqa: ANN001
    open_live(page, app_url)
    step_to(page, 3)
    contextual = kpi(page, "exploration_share")
    page.click(".abm-practice >> text=exploit_only")
    apply_and_reset(page)
    page.wait_for_function("Number(document.querySelector('.abm-week').innerText) === 0")
    assert "practice=exploit_only" in page.inner_text(".abm-overrides")
    step_to(page, 3)
    assert contextual > 0.05
    assert kpi(page, "exploration_share") == 0.0


def test_an_out_of_range_value_is_refused_with_a_message_and_the_app_keeps_working(page, app_url: str) -> None:
    open_live(page, app_url)
    box = page.locator(".abm-input-budget input")
    box.fill("2")
    box.press("Enter")
    error = page.locator(".abm-error").first
    error.wait_for()
    assert "practice.budget=2.0 is not allowed: a number in [0.0, 0.5]" in error.inner_text()
    page.click(".abm-reset")
    step_to(page, 2)
    assert "budget" not in page.inner_text(".abm-overrides")
    box.fill("0.3")
    box.press("Enter")
    page.wait_for_function("!document.querySelector('.abm-error')")
    apply_and_reset(page)
    page.wait_for_function("document.querySelector('.abm-overrides').innerText.includes('practice.budget=0.3')")
    step_to(page, 1)
    assert kpi(page, "exploration_share") == pytest.approx(0.3, abs=1e-3)  # the budget account spends the budget


def test_levers_the_practice_does_not_use_are_disabled_with_a_reason(page, app_url: str) -> None:  # noqa: ANN001
    open_live(page, app_url)
    assert page.locator(".abm-lever-off.abm-lever-innovation_share").count() == 1
    assert "only structural builds innovation units" in page.inner_text(".abm-lever-innovation_share")
    assert page.locator(".abm-lever-off.abm-lever-budget").count() == 0
    page.click(".abm-practice >> text=exploit_only")
    page.wait_for_selector(".abm-lever-off.abm-lever-budget")
    assert "exploit_only explores nothing" in page.inner_text(".abm-lever-budget")
    assert page.locator(".abm-input-budget input").is_disabled()
    page.click(".abm-practice >> text=structural")
    page.wait_for_selector(".abm-lever-off.abm-lever-budget", state="detached")
    assert page.locator(".abm-lever-off.abm-lever-innovation_share").count() == 0
    assert page.locator(".abm-lever-off.abm-lever-period_weeks").count() == 1
    page.click(".abm-choice-decided_by >> text=units")
    apply_and_reset(page)
    page.wait_for_function("document.querySelector('.abm-overrides').innerText.includes('practice=structural')")
    assert "practice.decided_by=units" in page.inner_text(".abm-overrides")
    assert "innovation units (IU)" in page.inner_text(".abm-kinds")


def test_two_browser_contexts_have_independent_models(browser, app_url: str) -> None:  # noqa: ANN001
    one, two = browser.new_context(), browser.new_context()
    try:
        a, b = open_live(one.new_page(), app_url), open_live(two.new_page(), app_url)
        step_to(a, 3)
        b.wait_for_timeout(300)
        assert week(b) == 0
        step_to(b, 1)
        assert week(a) == 3
    finally:
        one.close()
        two.close()


def test_compare_shows_both_runs_and_their_difference(page, app_url: str) -> None:  # noqa: ANN001
    page.goto(app_url + "compare")
    page.wait_for_selector(".abm-week", timeout=LOAD_TIMEOUT)
    step_to(page, 4)
    overlay = chart(page, "exploration_share", "overlay")
    assert overlay.count("<polyline") == 2
    assert "exploit_only" in overlay and "adaptive" in overlay
    assert chart(page, "care_production", "difference").count("<polyline") == 1
    assert kpi(page, "exploration_share", "-a") == 0.0
    assert kpi(page, "exploration_share", "-b") > 0.0


def test_results_lists_and_plots_a_stored_quickstart_experiment(page, app_url: str) -> None:  # noqa: ANN001
    page.goto(app_url + "results")
    page.wait_for_selector(".abm-experiments", timeout=LOAD_TIMEOUT)
    page.click(".abm-experiments >> text=quickstart")
    page.wait_for_selector('svg.abm-chart[data-kind="mean"]')
    mean = page.locator('svg.abm-chart[data-kind="mean"]').first.inner_html()
    assert mean.count("<polyline") == 2 and mean.count("<polygon") == 2  # two configurations, 95% bands
    table = page.inner_text(".abm-baseline-table")
    assert "practice=contextual" in table and re.search(r"\d", table)
    page.wait_for_selector("svg.abm-units")
    page.click(".abm-replay-play")
    page.wait_for_function("Number(document.querySelector('.abm-replay-week').innerText) >= 10")
    page.click(".abm-replay-play")
    assert int(page.locator("svg.abm-units").get_attribute("data-week")) >= 10  # the drawing follows the replay


def test_language_switch_shows_swedish_labels(page, app_url: str) -> None:  # noqa: ANN001
    open_live(page, app_url)
    page.click(".abm-language")
    page.wait_for_selector(".abm-play >> text=Spela")
    assert "Vecka" in page.inner_text("h2")
    assert "Utforskningsbudget" in page.inner_text(".abm-lever-budget")
    assert "bara structural bygger innovationsenheter" in page.inner_text(".abm-lever-innovation_share")
    assert "Väntelista" in page.inner_text(".abm-kpis") and "vårdcentraler" in page.inner_text(".abm-kinds")
    page.click(".abm-language")
    page.wait_for_selector(".abm-play >> text=Play")


def test_save_scenario_refuses_a_bad_name_and_saves_a_runnable_workshop_config(page, app_url: str) -> None:
    from abm.api import compose
    from viz.scenario import default_dirs

    configs, experiments = default_dirs()
    name = f"browser_test_{os.getpid()}"
    work, exp = configs / "workshop" / f"{name}.yaml", experiments / f"{name}.yaml"
    created_dir = not (configs / "workshop").exists()
    open_live(page, app_url)
    page.click(".abm-practice >> text=structural")
    apply_and_reset(page)
    box = page.locator(".abm-scenario-name input")
    box.fill("Not OK!")
    page.click(".abm-save-button")
    assert "scenario name 'Not OK!' is not allowed" in page.locator(".abm-save .abm-error").inner_text()
    try:
        box.fill(name)
        page.click(".abm-save-button")
        page.wait_for_selector(".abm-saved")
        assert work.is_file() and exp.is_file()
        params = compose([f"+workshop={name}"])
        assert (params.practice.name, params.organisation.name) == ("structural", "default")
    finally:
        work.unlink(missing_ok=True)
        exp.unlink(missing_ok=True)
        if created_dir and (configs / "workshop").is_dir() and not any((configs / "workshop").iterdir()):
            (configs / "workshop").rmdir()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Path, Path]]:
    """The app over a store someone hostile wrote (tests/helpers/viz_support.py: write_hostile_store)."""
    store = tmp_path_factory.mktemp("hostile")
    _, bad = write_hostile_store(store)
    with viz_server(env={"ABM_RESULTS": str(store)}) as srv:
        yield srv, store, bad


def open_experiment(page, url: str, name: str):  # noqa: ANN001, ANN201
    response = page.goto(url + "results")
    page.wait_for_selector(".abm-experiments", timeout=LOAD_TIMEOUT)
    page.click(f".abm-experiments >> text={name}")
    page.wait_for_selector(".abm-baseline-table")
    return response


def test_hostile_store_text_is_shown_literally_and_runs_no_script(page, hostile) -> None:  # noqa: ANN001
    """A swept value, baseline and description carrying `<img onerror>` and `<script>` (behind backticks, which
    once closed a Markdown code span) show as text; no script runs; the page is served with its CSP."""
    server, _, _ = hostile
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    response = open_experiment(page, server.url, "hostile")
    page.wait_for_selector("svg.abm-units")
    page.wait_for_timeout(500)
    assert page.evaluate("window.__xss") is None
    body = page.inner_text("body")
    assert f"practice={HOSTILE_VALUE}" in body  # the heading and the table, literally
    assert HOSTILE_DESCRIPTION in body
    assert page.locator("img").count() == 0 and page.locator(".abm-baseline-table script").count() == 0
    configs = page.eval_on_selector_all(".abm-baseline-table tr[data-config]", "rs => rs.map(r => r.dataset.config)")
    assert configs == [f"practice={HOSTILE_VALUE}", "practice=contextual"]
    assert errors == []
    headers = response.headers  # the Results page's own response
    assert "default-src 'self'" in headers["content-security-policy"]
    assert "object-src 'none'" in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff" and headers["referrer-policy"] == "no-referrer"


def test_a_truncated_parquet_file_is_a_note_naming_it_and_the_page_goes_on(page, hostile) -> None:  # noqa: ANN001
    server, store, bad = hostile
    open_experiment(page, server.url, "broken")
    note = page.locator(".abm-store-notes").first.inner_text()
    assert f"{bad.relative_to(store)}: corrupt or truncated" in note
    assert page.locator(".abm-baseline-table tr[data-config]").count() == 2  # both configurations, one run short
    assert str(store.resolve()) not in note and "Traceback" not in page.inner_text("body")
    page.click(".abm-replay-run")  # the run whose file is truncated: a note, and the page goes on
    page.click(".v-menu__content >> text=seed=1 >> nth=0")
    page.wait_for_timeout(300)
    assert "Traceback" not in page.inner_text("body") and page.locator(".abm-page-error").count() == 0


@pytest.fixture(scope="module")
def futures_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Path]]:
    """The app with an empty results store of its own, for the many-futures card."""
    store = tmp_path_factory.mktemp("futures")
    with viz_server(env={"ABM_RESULTS": str(store)}) as srv:
        yield srv, store


def futures(page, n: int) -> None:  # noqa: ANN001
    """Ask for `n` futures and click Run."""
    box = page.locator(".abm-futures-n input")
    box.fill(str(n))
    box.press("Enter")
    page.wait_for_selector(f".abm-futures-run >> text=Run {n} futures")
    page.click(".abm-futures-run")


def test_many_futures_on_compare_cancel_keeps_the_runs_then_the_verdict_is_abm_compares(  # noqa: ANN001
        page, futures_server: tuple[Server, Path]) -> None:
    """Five futures of A and B on the small region: the progress bar, Cancel after the first finished run
    (the runs stop and stay stored), Run again (only the rest run), the verdict equal to abm compare's on the
    same runs (the function it prints; tests/viz/test_ensemble.py also runs `abm compare` itself), and once
    more straight from the store."""
    from abm.analysis.compare import compare
    from abm.store.layout import run_dirs, run_status

    server, store = futures_server

    def stored() -> list[Path]:
        return [d for e in store.glob("futures_*") for d in run_dirs(e) if run_status(d) == "ok"]

    page.goto(server.url + "compare")
    page.wait_for_selector(".abm-week", timeout=LOAD_TIMEOUT)
    page.click(".cmp-abm-organisation >> text=small")
    apply_and_reset(page)
    futures(page, 5)
    page.wait_for_selector(".abm-futures-progress")
    page.wait_for_function("(document.querySelector('.abm-futures-count') || {innerText: ''}).innerText"
                           ".match(/^[1-9]\\d* of 10/)")
    page.click(".abm-futures-cancel")
    page.wait_for_selector(".abm-futures-cancelled")
    kept = len(stored())
    assert 1 <= kept < 10 and f"{kept} of 10 runs are kept" in page.inner_text(".abm-futures-cancelled")
    page.wait_for_timeout(1000)
    assert len(stored()) == kept  # the runs stopped
    page.click(".abm-futures-run")
    page.wait_for_selector(".abm-verdicts")
    assert int(page.get_attribute(".abm-futures-source", "data-ran")) == 10 - kept
    assert all(run_status(d) == "ok" for e in store.glob("futures_*") for d in run_dirs(e))

    verdicts = page.eval_on_selector_all(".abm-verdict", "els => els.map(e => ({...e.dataset}))")
    assert [v["metric"] for v in verdicts] == ["maturity_total", "care_production", "waiting_list", "services_live"]
    names = page.inner_text(".abm-futures-command").split()[4:]
    assert len(names) == 2
    c = compare(names, root=store)
    assert c.baseline == ("experiment", names[0])
    for v in verdicts:  # care delivered is a flow: its run mean; the others at the last week
        s = "_mean" if v["metric"] == "care_production" else ""
        row = c.paired[(c.paired["experiment"] == names[1]) & (c.paired["metric"] == v["metric"])].iloc[0]
        assert (float(v["diff"]), float(v["diffLo"]), float(v["diffHi"])) == \
            (row[f"diff{s}"], row[f"diff_lo{s}"], row[f"diff_hi{s}"])
        assert int(v["n"]) == int(row[f"n_pairs{s}"]) == 5 and 0 <= int(v["wins"]) <= 5

    page.click(".abm-futures-run")  # asked again: straight from the store
    page.wait_for_selector(".abm-futures-source[data-ran='0']")
    assert "From the results store" in page.inner_text(".abm-futures-source")
