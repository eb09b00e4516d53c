"""Take the README's screenshots of every page at 1400 and 800 pixels wide:
`uv run python -m benchmarks.screenshots [out_dir]` (about 3 minutes on 2 cores).

Starts `abm viz` on a free port with a small `quickstart` results store in a temporary folder (and an empty
scenarios folder), drives Debian's Chromium with Playwright and writes PNGs into docs/screenshots/ (or
`out_dir`): Live at both widths (and in Swedish at 800), the 8,000-staff region, Compare with the verdict of
20 futures, Results, Info and the guided tour's first card.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
ENSEMBLE_TIMEOUT = 600_000  # ms: 40 runs of the default region on a busy 2-core machine


def play_until(page, weeks: int) -> None:  # noqa: ANN001
    page.click(".abm-speed >> text=60")
    page.click(".abm-play")
    page.wait_for_function(f"Number(document.querySelector('.abm-week').innerText) >= {weeks}", timeout=180_000)
    page.click(".abm-pause")
    page.wait_for_selector(".abm-play")
    page.wait_for_timeout(800)


def address(url: str, path: str = "", lang: str = "en", **runs: list[str]) -> str:
    query = [f"lang={lang}"] + [f"{name}={quote(o)}" for name, overrides in runs.items() for o in overrides]
    return f"{url}{path}?{'&'.join(query)}"


def main(out: Path) -> None:
    from playwright.sync_api import sync_playwright

    from tests.helpers.viz_support import CHROMIUM, CHROMIUM_ARGS, viz_server, write_store

    out.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="abm-screens-"))
    store = write_store(scratch / "results", weeks=104, seeds=5, practices=("exploit_only", "contextual", "adaptive"))
    env = {"ABM_RESULTS": str(store), "ABM_VIZ_TOUR": "1"}
    with viz_server(env=env, args=("--scenarios", str(scratch / "scenarios"))) as server, sync_playwright() as pw:
        url = server.url
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        wide = browser.new_page(viewport={"width": 1400, "height": 1000})
        wide.set_default_timeout(120_000)
        wide.goto(address(url))
        wide.wait_for_selector(".abm-tour")
        wide.screenshot(path=out / "tour.png")
        wide.click(".abm-tour-skip")
        wide.wait_for_selector(".abm-week")
        play_until(wide, 80)
        wide.screenshot(path=out / "live.png", full_page=True)
        wide.goto(address(url, run=["organisation=region", "practice=contextual"]))
        wide.wait_for_selector("svg.abm-units")
        play_until(wide, 60)
        wide.screenshot(path=out / "live_region.png", full_page=True)
        wide.goto(address(url, "compare", a=["practice=exploit_only"], b=["practice=contextual"]))
        wide.wait_for_selector(".abm-week")
        play_until(wide, 104)
        wide.click(".abm-futures-run")
        wide.wait_for_selector(".abm-verdicts", timeout=ENSEMBLE_TIMEOUT)
        wide.wait_for_timeout(800)
        wide.screenshot(path=out / "compare.png", full_page=True)
        wide.goto(address(url, "results"))
        wide.click(".abm-experiments >> text=quickstart")
        wide.wait_for_selector("svg.abm-units")
        wide.click(".abm-replay-play")
        wide.wait_for_function("Number(document.querySelector('.abm-replay-week').innerText) >= 70")
        wide.click(".abm-replay-play")
        wide.wait_for_timeout(800)
        wide.screenshot(path=out / "results.png", full_page=True)
        wide.goto(address(url, "info"))
        wide.wait_for_selector("svg.abm-diagram")
        wide.screenshot(path=out / "info.png", full_page=True)
        narrow = browser.new_context(viewport={"width": 800, "height": 1000}).new_page()
        narrow.add_init_script("window.localStorage.setItem('abm-tour-seen', '1')")
        narrow.set_default_timeout(120_000)
        for lang, name in (("en", "live_800.png"), ("sv", "live_sv_800.png")):
            narrow.goto(address(url, lang=lang, run=["practice=structural", "environment=pandemic_shock"]))
            narrow.wait_for_selector(".abm-week")
            play_until(narrow, 70)
            narrow.screenshot(path=out / name, full_page=True)
        browser.close()
    print(f"screenshots written to {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots")
