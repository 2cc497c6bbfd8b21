"""The browser tests: the demo service in its own process, and headless Chromium.

They run by default and fail loudly when Chromium is missing (`.ci/ensure-chromium` installs
Debian's); set VTR_TEST_SKIP_BROWSER=1 to opt out explicitly. Each module gets one service and
one browser; every test opens contexts of its own (its own cookies, so its own sign-in).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, sync_playwright

from tests.browser.live_demo import LiveDemo, chromium_executable, launch_chromium, new_context
from tests.browser.live_demo import live_demo as start_live_demo


@pytest.fixture(scope="session")
def browser_tests_enabled() -> None:
    if os.environ.get("VTR_TEST_SKIP_BROWSER") == "1":
        pytest.skip("browser tests opted out with VTR_TEST_SKIP_BROWSER=1")
    chromium = chromium_executable()
    if not (chromium.is_file() and os.access(chromium, os.X_OK)):
        pytest.fail(
            f"Chromium is not at {chromium}: the browser tests need it. Run `.ci/ensure-chromium` "
            "(it installs Debian's chromium), or point VTR_TEST_CHROMIUM at a Chromium, or opt "
            "out explicitly with VTR_TEST_SKIP_BROWSER=1.",
            pytrace=False,
        )


@pytest.fixture(scope="module")
def live_demo(
    browser_tests_enabled: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveDemo]:
    with start_live_demo(tmp_path_factory.mktemp("live-demo")) as demo:
        yield demo


@pytest.fixture(scope="module")
def browser(browser_tests_enabled: None) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = launch_chromium(playwright)
        yield launched
        launched.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh browser profile for one test: no cookies, no session."""
    opened = new_context(browser)
    yield opened
    opened.close()
