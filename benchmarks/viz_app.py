"""Benchmarks of the browser app (printed, never asserted): start-up to an interactive page, weeks per
second while playing with every view visible (default region; 8,000-staff region with the aggregated
network view), how fast Pause answers at every region preset, and server memory per open session.

    uv run python -m benchmarks.viz_app            # all
    uv run python -m benchmarks.viz_app --sessions 8 --seconds 10

Runs `abm viz` as a real subprocess on a free port and drives Debian's Chromium with Playwright.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import time
from pathlib import Path

from playwright.sync_api import Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.helpers.viz_support import CHROMIUM, CHROMIUM_ARGS, PAUSE, viz_server

TIMEOUT = 120_000


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (a start-up figure that load on the machine inflates less)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def week(page: Page) -> int:
    return int(page.inner_text(".abm-week"))


def open_live(page: Page, url: str) -> None:
    page.set_default_timeout(TIMEOUT)
    page.goto(url)
    page.wait_for_selector(".abm-week")


HORIZON = 260  # weeks of the default configuration


def play_rate(page: Page, seconds: float) -> float:
    """Weeks per second shown in the page while playing at the top speed."""
    page.click(".abm-speed >> text=60")
    page.click(".abm-play")
    page.wait_for_function("Number(document.querySelector('.abm-week').innerText) >= 2")
    w0, t0 = week(page), time.perf_counter()
    w1, t1 = w0, t0
    while t1 - t0 < seconds and w1 < HORIZON - 10:  # a fast machine may reach the horizon (play stops there)
        page.wait_for_timeout(250)
        w1, t1 = week(page), time.perf_counter()
    # play may have stopped by itself at the horizon meanwhile (and its pause button gone)
    with contextlib.suppress(PlaywrightTimeout):
        page.click(".abm-pause", timeout=5_000)
    return (w1 - w0) / (t1 - t0)




def pause_latency(page: Page, url: str, organisation: str) -> tuple[float, int]:
    """Seconds Pause takes to answer while playing `organisation` at top speed, and the weeks shown after it
    answered (0 when the weeks stopped with it)."""
    page.goto(f"{url}?lang=en&run=organisation%3D{organisation}")
    page.wait_for_selector(f".abm-organisation .abm-option-{organisation}.v-item--active")
    page.click(".abm-speed >> text=60")
    page.click(".abm-play")
    page.wait_for_function("Number(document.querySelector('.abm-week').innerText) >= 4", timeout=300_000)
    seconds = page.evaluate(PAUSE) / 1000
    stopped = week(page)
    page.wait_for_timeout(1000)
    return seconds, week(page) - stopped


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--sessions", type=int, default=5)
    opts = parser.parse_args()
    start = time.perf_counter()
    with viz_server() as server, sync_playwright() as pw:
        url, proc, answered = server.url, server.proc, server.seconds
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        open_live(page, url)
        interactive = time.perf_counter() - start
        print(f"start-up: server answers HTTP after {answered:.1f} s; Live page interactive after "
              f"{interactive:.1f} s (target < 4 s); server CPU time by then {cpu_seconds(proc.pid):.1f} s; "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        rate = play_rate(page, opts.seconds)
        print(f"playing organisation=default (600 staff), all views: {rate:.1f} weeks/s (target >= 20)")
        page.click(".abm-organisation .abm-option-region")
        page.wait_for_selector(".abm-reset >> text=Apply and reset")  # the change is pending
        page.click(".abm-reset")
        page.wait_for_selector("svg.abm-units")
        rate = play_rate(page, opts.seconds)
        print(f"playing organisation=region (8,000 staff), aggregated network: {rate:.1f} weeks/s (target >= 2)")
        from viz.levers import ORGANISATIONS

        for organisation in ORGANISATIONS:
            seconds, after = pause_latency(page, url, organisation)
            print(f"pause at organisation={organisation}: answered in {seconds:.2f} s (target < 0.5 s); "
                  f"{after} weeks shown after it")
        page.close()
        base = rss_mb(proc.pid)
        contexts = []
        for _ in range(opts.sessions):
            ctx = browser.new_context()
            open_live(ctx.new_page(), url)
            contexts.append(ctx)
        time.sleep(1.0)
        loaded = rss_mb(proc.pid)
        print(f"memory: server RSS {base:.0f} MB -> {loaded:.0f} MB with {opts.sessions} more Live sessions "
              f"(default region): {(loaded - base) / opts.sessions:.1f} MB per session")
        for ctx in contexts:
            ctx.close()
        time.sleep(3.0)
        print(f"memory: server RSS {rss_mb(proc.pid):.0f} MB 3 s after those sessions closed")
        browser.close()


if __name__ == "__main__":
    main()
