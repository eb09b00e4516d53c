"""Browser-test settings shared by the app's browser test modules: Debian's Chromium (never `playwright
install`), headless, 1400 pixels wide, and timeouts generous enough for a busy 2-core CI machine (a module
may set its own `LOAD_TIMEOUT`, in milliseconds)."""

from __future__ import annotations

import pytest

from tests.helpers.viz_support import CHROMIUM, CHROMIUM_ARGS

LOAD_TIMEOUT = 60_000  # ms: Playwright's 30 s is too short beside other tests on two cores


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "viewport": {"width": 1400, "height": 1000}}


@pytest.fixture(autouse=True)
def generous_timeouts(request: pytest.FixtureRequest) -> None:
    """The page's default timeout: the module's `LOAD_TIMEOUT`, else 60 s."""
    if "page" in request.fixturenames:
        timeout = getattr(request.module, "LOAD_TIMEOUT", LOAD_TIMEOUT)
        request.getfixturevalue("page").set_default_timeout(timeout)
