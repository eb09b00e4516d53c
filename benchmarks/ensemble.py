"""Benchmark of the app's "Many futures" card (printed, never asserted): from the click on "Run N futures"
to the answer on the page, for the default region, on Live (one arm: N runs) and on Compare (A and B: 2N
runs), then the same click again (everything from the results store), and the same ensembles without the
browser (viz.ensemble.run_ensemble into a fresh store).

    uv run python -m benchmarks.ensemble              # N = 20
    uv run python -m benchmarks.ensemble --futures 10 --no-browser

Runs `abm viz` as a real subprocess on a free port with a fresh results store and drives Debian's Chromium
with Playwright; workers: this machine's cores (os.cpu_count()), as in the app.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

TIMEOUT = 600_000


def click_to_answer(page: object, n: int) -> float:
    """Seconds from the click on Run to the card's answer (its verdict or final values)."""
    box = page.locator(".abm-futures-n input")  # type: ignore[attr-defined]
    box.fill(str(n))
    box.press("Enter")
    page.wait_for_selector(f".abm-futures-run >> text=Run {n} futures")  # type: ignore[attr-defined]
    old = page.query_selector(".abm-futures-result")  # type: ignore[attr-defined]
    start = time.perf_counter()
    page.click(".abm-futures-run")  # type: ignore[attr-defined]
    if old is not None:  # the last answer goes first (the new one may follow at once, from the store)
        old.wait_for_element_state("hidden", timeout=TIMEOUT)
    page.wait_for_selector(".abm-futures-result", timeout=TIMEOUT)  # type: ignore[attr-defined]
    return time.perf_counter() - start


def browser(n: int) -> None:
    from playwright.sync_api import sync_playwright

    from tests.helpers.viz_support import CHROMIUM, CHROMIUM_ARGS, viz_server

    store = Path(tempfile.mkdtemp(prefix="abm-futures-"))
    with viz_server(env={"ABM_RESULTS": str(store)}) as srv, sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = chromium.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(TIMEOUT)
        page.goto(srv.url)
        page.wait_for_selector(".abm-week")
        cold = click_to_answer(page, n)  # at once: the workers' forkserver is still loading the kernels
        print(f"live, clicked at once on a fresh server: {n} futures of the default region ({n} runs): click to "
              f"answer {cold:.1f} s", flush=True)
        page.click(".abm-practice .abm-option-structural")  # other settings (not A or B of Compare): a new experiment
        page.wait_for_selector(".abm-reset >> text=Apply and reset")
        page.click(".abm-reset")
        page.wait_for_selector(".abm-reset >> text=Apply and reset", state="detached")
        for path, runs in (("", n), ("compare", 2 * n)):
            if path:
                page.goto(srv.url + path)
                page.wait_for_selector(".abm-week")
            first = click_to_answer(page, n)
            again = click_to_answer(page, n)
            print(f"{path or 'live'}, forkserver ready: {n} futures of the default region ({runs} runs): "
                  f"click to answer {first:.1f} s; again, from the results store: {again:.1f} s", flush=True)
        chromium.close()


def in_process(n: int) -> None:
    from viz import ensemble as E
    from viz.levers import Settings

    store = Path(tempfile.mkdtemp(prefix="abm-futures-"))
    for arms in ([Settings()], [Settings(practice="exploit_only"), Settings(practice="adaptive")]):
        start = time.perf_counter()
        result = E.run_ensemble(arms, n, store)
        print(f"in process: {len(arms)} arm(s) x {n} futures ({result.ran} runs, {os.cpu_count()} workers): "
              f"{time.perf_counter() - start:.1f} s", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--futures", type=int, default=20)
    ap.add_argument("--no-browser", action="store_true")
    ns = ap.parse_args()
    print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}; {os.cpu_count()} CPUs", flush=True)
    if not ns.no_browser:
        browser(ns.futures)
    in_process(ns.futures)
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)


if __name__ == "__main__":
    main()
