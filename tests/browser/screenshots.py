"""`python -m tests.browser.screenshots OUTDIR` (`make screenshots`): full-page pictures of the
console's main pages, as the demo's compliance officer sees them, for the README.

The demo service and Chromium are those of the browser tests (tests/browser/live_demo.py).
The pictures are taken into OUTDIR/.tmp and replace those in OUTDIR only once all are taken.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

from tests.browser.live_demo import (
    COMPLIANCE_OFFICER,
    LiveDemo,
    chromium_executable,
    launch_chromium,
    live_demo,
    new_context,
)

OURS = re.compile(r"^\d\d-[a-z0-9-]+\.png$")  # the names this module gives its pictures
TALLEST = 2600  # px: a long page is cut here, which keeps the pictures small
PURPOSE = "Subject access request: checking what the record holds"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.browser.screenshots")
    parser.add_argument("outdir", type=Path, help="where the pictures go (docs/screenshots)")
    outdir: Path = parser.parse_args(argv).outdir
    if not chromium_executable().is_file():
        sys.stderr.write(
            f"Chromium is not at {chromium_executable()}: run .ci/ensure-chromium, or point "
            "VTR_TEST_CHROMIUM at one.\n"
        )
        return 2
    staging = outdir / ".tmp"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    with (
        tempfile.TemporaryDirectory(prefix="vtr-screenshots-") as work,
        live_demo(Path(work)) as demo,
        sync_playwright() as playwright,
    ):
        browser = launch_chromium(playwright)
        try:
            taken = take_pictures(browser, demo, staging)
        finally:
            browser.close()
    publish(staging, outdir, taken)
    sys.stdout.write(f"{len(taken)} pictures in {outdir}: {', '.join(taken)}\n")
    return 0


def take_pictures(browser: Browser, demo: LiveDemo, into: Path) -> list[str]:
    cases = demo.api_json(COMPLIANCE_OFFICER, "/referrals")["items"]
    case_id = next(case["referral_id"] for case in cases if case["stage"] == "concluded")
    agencies = demo.api_json(COMPLIANCE_OFFICER, "/agencies")["agencies"]
    police = next(a["agency_id"] for a in agencies if a["name"] == "Norfolk Constabulary")
    history = demo.api_json(COMPLIANCE_OFFICER, f"/referrals/{case_id}/history")
    day = max(event["occurred_at"] for event in history["events"])[:10]

    context = new_context(browser)
    page = context.new_page()
    page.goto(demo.url("/console/sign-in"))
    shots: list[tuple[str, Callable[[], object]]] = [
        ("sign-in", lambda: None),
        ("cases", lambda: _sign_in_and_open(page, demo, "/console/cases")),
        ("timeline", lambda: _timeline(page, demo, case_id)),
        ("timeline-revealed", lambda: _reveal(page)),
        (
            "as-it-stood",
            lambda: page.goto(demo.url(f"/console/cases/{case_id}/as-it-stood?on={day}")),
        ),
        ("register", lambda: page.goto(demo.url(f"/console/agencies/{police}/register"))),
        ("obligations", lambda: page.goto(demo.url("/console/obligations"))),
        ("worklist", lambda: page.goto(demo.url("/console/worklist"))),
        ("access-log", lambda: page.goto(demo.url(f"/console/access-log?referral_id={case_id}"))),
        ("integrity", lambda: page.goto(demo.url("/console/integrity"))),
    ]
    taken = []
    for number, (name, reach) in enumerate(shots, start=1):
        reach()
        file_name = f"{number:02d}-{name}.png"
        _picture(page, into / file_name)
        taken.append(file_name)
    context.close()
    return taken


def _sign_in_and_open(page: Page, demo: LiveDemo, path: str) -> None:
    page.fill("#token", demo.tokens[COMPLIANCE_OFFICER])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(demo.url("/console/"))
    page.goto(demo.url(path))


def _timeline(page: Page, demo: LiveDemo, case_id: str) -> None:
    page.goto(demo.url(f"/console/cases/{case_id}"))
    _open_first_record(page)


def _reveal(page: Page) -> None:
    page.fill("#purpose", PURPOSE)
    page.get_by_role("button", name="Reveal sealed content").click()
    page.locator("#revealed-notice").wait_for()
    _open_first_record(page)


def _open_first_record(page: Page) -> None:
    """The first event's fields shown, so that the picture has what was sealed or revealed."""
    page.locator("#timeline details").first.evaluate("details => { details.open = true; }")


def _picture(page: Page, path: Path) -> None:
    height = min(int(page.evaluate("document.documentElement.scrollHeight")), TALLEST)
    width = int(page.evaluate("document.documentElement.scrollWidth"))
    page.screenshot(
        path=path,
        full_page=True,
        clip={"x": 0, "y": 0, "width": width, "height": height},
        animations="disabled",
        caret="hide",
    )


def publish(staging: Path, outdir: Path, taken: list[str]) -> None:
    """The new pictures replace this module's old ones (any other file is left alone)."""
    for old in outdir.iterdir():
        if OURS.match(old.name) and old.name not in taken:
            old.unlink()
    for name in taken:
        (staging / name).replace(outdir / name)
    shutil.rmtree(staging)


if __name__ == "__main__":
    sys.exit(main())
