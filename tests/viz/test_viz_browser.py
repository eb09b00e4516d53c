"""The browser app, driven in Debian's Chromium by Playwright against `abm viz` run as a real subprocess."""

from __future__ import annotations

import os
import re
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.helpers.viz_support import (
    CHROMIUM,
    HOSTILE_DESCRIPTION,
    HOSTILE_VALUE,
    Server,
    abm_executable,
    viz_server,
    write_hostile_store,
    write_morris_store,
    write_store,
)

pytestmark = pytest.mark.browser
pytest.importorskip("playwright")
if not Path(CHROMIUM).exists():
    pytest.skip("Debian's chromium is not installed", allow_module_level=True)

LOAD_TIMEOUT = 60_000


@pytest.fixture(scope="module")
def scenarios_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder the module's server saves scenarios into (`abm viz --scenarios`; not yet created)."""
    return tmp_path_factory.mktemp("user") / "my scenarios"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, scenarios_folder: Path) -> Iterator[Server]:
    """The app, with a small `quickstart` experiment and a small Morris screen `morris_small` in its results
    store (written while it starts), saving scenarios into `scenarios_folder`."""
    store = tmp_path_factory.mktemp("results")

    def write() -> None:
        write_store(store, weeks=20, seeds=3)
        write_morris_store(store, trajectories=3)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        with viz_server(env={"ABM_RESULTS": str(store)}, args=("--scenarios", str(scenarios_folder))) as srv:
            writer.join()
            yield srv
    finally:
        writer.join()


@pytest.fixture
def app_url(server: Server) -> str:
    return server.url


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
    page.click(".abm-practice .abm-option-exploit_only")
    apply_and_reset(page)
    page.wait_for_function("Number(document.querySelector('.abm-week').innerText) === 0")
    page.wait_for_function("location.search.includes('practice%3Dexploit_only')")  # the address has it
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
    assert "budget" not in page.evaluate("location.search")  # the refused value never reached the model
    box.fill("0.3")
    box.press("Enter")
    page.wait_for_function("!document.querySelector('.abm-error')")
    apply_and_reset(page)
    page.wait_for_function("location.search.includes('practice.budget%3D0.3')")
    page.wait_for_function("Number(document.querySelector('.abm-week').innerText) === 0")  # the views have it
    step_to(page, 1)
    assert kpi(page, "exploration_share") == pytest.approx(0.3, abs=1e-3)  # the budget account spends the budget


def test_levers_the_practice_does_not_use_are_disabled_with_a_reason(page, app_url: str) -> None:  # noqa: ANN001
    open_live(page, app_url)
    assert page.locator(".abm-lever-off.abm-lever-innovation_share").count() == 1
    assert "only Dedicated innovation units has innovation units" in page.inner_text(".abm-lever-innovation_share")
    assert page.locator(".abm-lever-off.abm-lever-budget").count() == 0
    page.click(".abm-practice .abm-option-exploit_only")
    page.wait_for_selector(".abm-lever-off.abm-lever-budget")
    assert "Today's care only sets no time aside" in page.inner_text(".abm-lever-budget")
    assert page.locator(".abm-input-budget input").is_disabled()
    page.click(".abm-practice .abm-option-structural")
    page.wait_for_selector(".abm-lever-off.abm-lever-budget", state="detached")
    assert page.locator(".abm-lever-off.abm-lever-innovation_share").count() == 0
    assert page.locator(".abm-lever-off.abm-lever-period_weeks").count() == 1
    page.click(".abm-choice-decided_by >> text=Each unit's manager")
    apply_and_reset(page)
    page.wait_for_function("location.search.includes('practice%3Dstructural')")
    page.click(".abm-technical .v-input--selection-controls__ripple")  # the modellers' view: the overrides
    page.wait_for_selector(".abm-overrides")
    assert "practice.decided_by=units" in page.inner_text(".abm-overrides")
    assert "innovation units" in page.inner_text(".abm-kinds")


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
    assert "Today's care only" in overlay and "Explore when falling short" in overlay  # the practices in words
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
    assert "Tid för att utforska" in page.inner_text(".abm-lever-budget")
    assert "bara Särskilda innovationsenheter har innovationsenheter" in \
        page.inner_text(".abm-lever-innovation_share")
    assert "Väntelista" in page.inner_text(".abm-kpis") and "vårdcentraler" in page.inner_text(".abm-kinds")
    assert "Alla utforskar lite" in page.inner_text(".abm-practice")  # the practices in words, in Swedish
    page.click(".abm-language")
    page.wait_for_selector(".abm-play >> text=Play")


def run_abm(args: list[str], scenarios: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`abm ARGS` as a subprocess finding the saved scenarios, from `cwd` (its results store inside)."""
    env = {**os.environ, "ABM_SCENARIOS": str(scenarios), "ABM_RESULTS": str(cwd / "results")}
    return subprocess.run([*abm_executable(), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def save_as(page, name: str) -> str:  # noqa: ANN001
    """Type a name into the save box and save; the success line."""
    page.locator(".abm-scenario-name input").fill(name)
    page.click(".abm-save-button")
    return page.locator(".abm-saved").inner_text()


def assert_runs(name: str, scenarios: Path, cwd: Path) -> None:
    """The saved scenario runs as `abm run +workshop=NAME` and as `abm experiment NAME` (short and few seeds)."""
    run = run_abm(["run", f"+workshop={name}", "weeks=3"], scenarios, cwd)
    assert run.returncode == 0, run.stderr[-2000:]
    exp = run_abm(["experiment", name, "weeks=3", "--seeds", "1", "--workers", "1", "--no-progress"], scenarios, cwd)
    assert exp.returncode == 0, exp.stderr[-2000:]


def test_save_from_live_refuses_a_bad_name_and_saves_a_runnable_scenario_into_the_folder(
        page, app_url: str, scenarios_folder: Path, tmp_path: Path) -> None:  # noqa: ANN001
    name = "browser_live"
    open_live(page, app_url)
    assert str(scenarios_folder) in page.inner_text(".abm-scenarios-folder")
    page.click(".abm-practice .abm-option-structural")
    apply_and_reset(page)
    page.locator(".abm-scenario-name input").fill("Not OK!")
    page.click(".abm-save-button")
    assert "scenario name 'Not OK!' is not allowed" in page.locator(".abm-save .abm-error").inner_text()
    assert str(scenarios_folder) in save_as(page, name)
    work, exp = scenarios_folder / "workshop" / f"{name}.yaml", scenarios_folder / "experiments" / f"{name}.yaml"
    assert work.is_file() and exp.is_file() and "override /practice: structural" in work.read_text()
    assert_runs(name, scenarios_folder, tmp_path)


def test_save_from_compare_saves_a_runnable_sweep_into_the_folder(page, app_url: str, scenarios_folder: Path,
                                                                 tmp_path: Path) -> None:  # noqa: ANN001
    page.goto(app_url + "compare")
    page.wait_for_selector(".abm-week", timeout=LOAD_TIMEOUT)
    assert str(scenarios_folder) in page.inner_text(".abm-scenarios-folder")
    save_as(page, "browser_compare")
    assert "sweep:" in (scenarios_folder / "experiments" / "browser_compare.yaml").read_text()
    assert_runs("browser_compare", scenarios_folder, tmp_path)


def test_a_region_edited_in_the_app_is_built_at_reset_and_saves_and_runs(page, app_url: str,
                                                                          scenarios_folder: Path, tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    open_live(page, app_url)
    page.click(".abm-region .v-expansion-panel-header")  # the card opens (closed, it costs the page nothing)
    totals = ("13 care units, 390 staff", "9 care units, 270 staff", "6 care units, 180 staff",
              "6 care units, 90 staff")
    for (field, value), total in zip((("primary_care", "3"), ("wards", "2"), ("specialist", "1"),
                                      ("staff_per_unit", "15")), totals, strict=True):
        box = page.locator(f".abm-region-{field} input")
        box.fill(value)
        box.press("Enter")
        page.wait_for_selector(f".abm-region-total >> text={total}")  # the server has taken it
    page.locator(".abm-service-ai_triage .v-input--checkbox label").click()  # not offered: its week box is off
    page.wait_for_selector(".abm-service-ai_triage .abm-service-week input[disabled]")
    apply_and_reset(page)
    kinds = page.locator(".abm-kinds")
    for kind, count in (("primary_care", 3), ("ward", 2), ("specialist", 1)):  # once the views have the reset
        page.wait_for_selector(f'.abm-kinds [data-kind="{kind}"][data-count="{count}"]')
    assert "6 " in kinds.inner_text()
    save_as(page, "browser_region")
    from abm.api import compose

    monkeypatch.setenv("ABM_SCENARIOS", str(scenarios_folder))
    params = compose(["+workshop=browser_region"])
    assert (params.organisation.n_units, params.organisation.n_staff) == (6, 90)
    assert "ai_triage" not in {s.name for s in params.services.catalogue}
    assert_runs("browser_region", scenarios_folder, tmp_path)


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


# --- results, charts and downloads ---

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def open_results(page, url: str, name: str) -> None:  # noqa: ANN001
    page.goto(url + "results")
    page.wait_for_selector(".abm-experiments", timeout=LOAD_TIMEOUT)
    page.click(f".abm-experiments >> text={name}")


def downloaded(page, selector: str, tmp_path: Path) -> tuple[str, bytes]:  # noqa: ANN001
    """Click `selector`, wait for the download it starts: (its file name, its bytes)."""
    with page.expect_download() as info:
        page.click(selector)
    download = info.value
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    return download.suggested_filename, path.read_bytes()


def png_size(data: bytes) -> tuple[int, int]:
    import struct

    assert data[:8] == PNG_SIGNATURE
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk comes first
    return width, height


def svg_root(data: bytes):  # noqa: ANN201
    import xml.etree.ElementTree as ET

    root = ET.fromstring(data)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    return root


def test_a_morris_experiment_shows_its_indices_and_no_configuration_checkboxes(page, app_url: str) -> None:
    open_results(page, app_url, "morris_small")
    page.wait_for_selector("svg.abm-bars")
    assert page.locator("svg.abm-bars").count() == 2  # one per outcome of the experiment file
    assert page.locator(".v-input--checkbox").count() == 0 and page.locator(".abm-baseline-table").count() == 0
    assert page.locator(".abm-indices-table tr[data-param]").count() == 6  # 3 factors x 2 outcomes
    first = page.locator('svg.abm-bars[data-metric="maturity_total"] rect.abm-bar').first.get_attribute(
        "data-category")
    assert first == page.locator('.abm-indices-table[data-metric="maturity_total"] tr[data-param]').first \
        .get_attribute("data-param")  # the largest mu* first, in the chart as in the table
    assert "Morris screening" in page.inner_text("body")


def test_charts_download_as_svg_and_png_and_tables_as_csv(page, app_url: str, tmp_path: Path) -> None:  # noqa: ANN001
    import io

    import pandas as pd

    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    open_results(page, app_url, "morris_small")
    page.wait_for_selector("svg.abm-bars")
    chart = page.locator("svg.abm-bars").first
    size = (int(chart.get_attribute("width")), int(chart.get_attribute("height")))
    name, data = downloaded(page, ".abm-figure >> nth=0 >> [data-download=png]", tmp_path)
    assert name == "maturity_total_morris_week6.png" and png_size(data) == size
    name, data = downloaded(page, ".abm-figure >> nth=0 >> [data-download=svg]", tmp_path)
    assert name == "maturity_total_morris_week6.svg"
    root = svg_root(data)
    assert (root.get("width"), root.get("height")) == tuple(map(str, size)) and b"abm-bar" in data
    name, data = downloaded(page, ".abm-csv-indices", tmp_path)
    table = pd.read_csv(io.BytesIO(data))
    assert name == "morris_small_morris_indices.csv" and len(table) == 6
    assert list(table.columns) == ["metric", "week", "param", "mu_star", "mu_star_conf", "mu", "sigma"]

    open_results(page, app_url, "quickstart")
    page.wait_for_selector('svg.abm-chart[data-kind="mean"]')
    name, data = downloaded(page, ".abm-csv-curves", tmp_path)
    curves = pd.read_csv(io.BytesIO(data))
    assert name == "quickstart_maturity_total_curves.csv"
    assert list(curves.columns) == ["configuration", "week", "mean", "lo", "hi"] and len(curves) == 2 * 21
    name, data = downloaded(page, ".abm-csv-baseline", tmp_path)
    baseline = pd.read_csv(io.BytesIO(data))
    assert list(baseline.columns) == ["label", "mean", "lo", "hi", "diff", "diff_lo", "diff_hi", "n", "baseline"]
    assert list(baseline["label"]) == ["practice=exploit_only", "practice=contextual"]
    name, data = downloaded(page, ".abm-replay-box .abm-figure [data-download=png]", tmp_path)
    assert name == "network_week0.png" and png_size(data)[0] > 100

    open_live(page, app_url)  # the weekly views: a widget redrawn every week, downloads still work
    step_to(page, 2)
    trend = page.locator('.abm-trends svg[data-metric="maturity_total"]')
    size = (int(trend.get_attribute("width")), int(trend.get_attribute("height")))
    name, data = downloaded(page, '.abm-figure[data-filename="maturity_total_week2"] [data-download=png]', tmp_path)
    assert name == "maturity_total_week2.png" and png_size(data) == size
    name, data = downloaded(page, '.abm-figure[data-filename="network_week2"] [data-download=svg]', tmp_path)
    assert svg_root(data).get("class") == "abm-network"
    assert errors == []


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
    page.click(".cmp-abm-organisation .abm-option-small")
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
