"""Take the README's screenshots of every page: `uv run python -m benchmarks.screenshots [out_dir]`.

Starts `abm viz` on a free port with a small `quickstart` results store in a temporary folder, drives
Debian's Chromium with Playwright and writes PNGs into docs/screenshots/ (or `out_dir`).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def play_until(page, weeks: int) -> None:  # noqa: ANN001
    page.click(".abm-speed >> text=60")
    page.click(".abm-play")
    page.wait_for_function(f"Number(document.querySelector('.abm-week').innerText) >= {weeks}", timeout=180_000)
    page.click(".abm-pause")
    page.wait_for_timeout(800)


def main(out: Path) -> None:
    from playwright.sync_api import sync_playwright

    from tests.helpers.viz_support import CHROMIUM, CHROMIUM_ARGS, viz_server, write_store

    out.mkdir(parents=True, exist_ok=True)
    store = write_store(Path(tempfile.mkdtemp(prefix="abm-results-")), weeks=104, seeds=5,
                        practices=("exploit_only", "contextual", "adaptive"))
    with viz_server(env={"ABM_RESULTS": str(store)}) as server, sync_playwright() as pw:
        url = server.url
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(120_000)
        page.goto(url)
        page.wait_for_selector(".abm-week")
        play_until(page, 80)
        page.screenshot(path=out / "live.png", full_page=True)
        page.click(".abm-language")
        page.wait_for_timeout(800)
        page.screenshot(path=out / "live_sv.png")
        page.click(".abm-language")
        page.click(".abm-organisation >> text=region")
        page.wait_for_selector(".abm-reset >> text=Apply and reset")  # the change is pending
        page.click(".abm-reset")
        page.wait_for_selector("svg.abm-units")
        play_until(page, 60)
        page.screenshot(path=out / "live_region.png", full_page=True)
        page.goto(url + "compare")
        page.wait_for_selector(".abm-week")
        play_until(page, 104)
        page.screenshot(path=out / "compare.png", full_page=True)
        page.goto(url + "results")
        page.click(".abm-experiments >> text=quickstart")
        page.wait_for_selector("svg.abm-units")
        page.click(".abm-replay-play")
        page.wait_for_function("Number(document.querySelector('.abm-replay-week').innerText) >= 70")
        page.click(".abm-replay-play")
        page.wait_for_timeout(800)
        page.screenshot(path=out / "results.png", full_page=True)
        page.goto(url + "about")
        page.wait_for_selector("svg.abm-diagram")
        page.screenshot(path=out / "about.png", full_page=True)
        browser.close()
    print(f"screenshots written to {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots")
