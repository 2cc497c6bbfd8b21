"""The demo service as a browser meets it: `python -m api serve --demo` in its own process on
a free local port (SQLite under a temporary data folder), with the demo people's tokens, and
Debian's Chromium driven by Playwright (which never downloads a browser here).

Shared by the browser tests (tests/browser/conftest.py) and `make screenshots`.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2 as httpx
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, ViewportSize

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT: ViewportSize = {"width": 1200, "height": 900}
ACTION_TIMEOUT_MS = 15_000  # the longest a page may take over anything (Playwright's: 30s)
STARTUP_SECONDS = 60
PORT_ATTEMPTS = 3

# The demo's people (scenarios/demo_script.py), by what the console shows them.
COMPLIANCE_OFFICER = "dpo-1"
PARTNER_PRACTITIONER = "school-dsl-1"  # Riverside Academy's designated safeguarding lead
MASH_TRIAGE = "mash-triage-1"


class LiveDemoError(RuntimeError):
    """The demo service would not start; the message carries the end of its output."""


def chromium_executable() -> Path:
    return Path(os.environ.get("VTR_TEST_CHROMIUM") or DEFAULT_CHROMIUM)


def launch_chromium(playwright: Playwright) -> Browser:
    return playwright.chromium.launch(
        executable_path=chromium_executable(), headless=True, args=CHROMIUM_ARGS
    )


def new_context(browser: Browser) -> BrowserContext:
    """A fresh browser profile: no cookies, so no session."""
    opened = browser.new_context(viewport=VIEWPORT)
    opened.set_default_timeout(ACTION_TIMEOUT_MS)
    return opened


@dataclass(frozen=True)
class LiveDemo:
    base_url: str
    tokens: Mapping[str, str]  # actor id → bearer token
    data_dir: Path

    def url(self, path: str) -> str:
        return self.base_url + path

    def api_get(self, actor_id: str, path: str, **params: Any) -> httpx.Response:
        """GET the API over HTTP as one of the demo people."""
        headers = {"Authorization": f"Bearer {self.tokens[actor_id]}"}
        return httpx.get(self.url(path), params=params, headers=headers, timeout=30)

    def api_json(self, actor_id: str, path: str, **params: Any) -> Any:
        answer = self.api_get(actor_id, path, **params)
        answer.raise_for_status()
        return answer.json()

    def sign_in(self, context: BrowserContext, actor_id: str) -> Page:
        """A page of `context`, signed in to the console with the person's API token."""
        page = context.new_page()
        page.goto(self.url("/console/sign-in"))
        page.fill("#token", self.tokens[actor_id])
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(self.url("/console/"))
        return page


@contextmanager
def live_demo(workdir: Path) -> Iterator[LiveDemo]:
    """The demo service, serving until the block ends; then stopped."""
    for attempt in range(1, PORT_ATTEMPTS + 1):
        port = _free_port()
        data_dir = workdir / f"data-{attempt}"
        log = workdir / f"server-{attempt}.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                [sys.executable, "-m", "api", "serve", "--demo"],
                cwd=ROOT,
                env=_environment(data_dir, port),
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        try:
            demo = _wait_until_serving(process, port, data_dir, log)
            if demo is None:  # another process took the port first: try another
                continue
            yield demo
            return
        finally:
            _stop(process)
    raise LiveDemoError(f"no free port to serve on after {PORT_ATTEMPTS} attempts")


def _environment(data_dir: Path, port: int) -> dict[str, str]:
    """This process's environment without a developer's VTR_* settings, plus the demo's."""
    kept = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("VTR_") or name.startswith("VTR_TEST_")
    }
    return {
        **kept,
        "VTR_DATA_DIR": str(data_dir),
        "VTR_STORE": "sqlite",
        "VTR_HOST": "127.0.0.1",
        "VTR_PORT": str(port),
        "VTR_LOG_FORMAT": "json",
    }


def _wait_until_serving(
    process: subprocess.Popen[bytes], port: int, data_dir: Path, log: Path
) -> LiveDemo | None:
    """The running demo, once /healthz answers and its own token is accepted (so the answer
    came from this process, not another on the same port); None if the port was taken."""
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = _tail(log)
            if "address already in use" in output:
                return None
            raise LiveDemoError(f"the demo service exited ({process.returncode}):\n{output}")
        tokens_file = data_dir / "demo-tokens.json"
        if tokens_file.exists() and _healthy(base_url):
            try:
                tokens: dict[str, str] = json.loads(tokens_file.read_text(encoding="utf-8"))
            except ValueError:  # being written as another service answered on the port
                time.sleep(0.2)
                continue
            demo = LiveDemo(base_url=base_url, tokens=tokens, data_dir=data_dir)
            if demo.api_get(COMPLIANCE_OFFICER, "/referrals").status_code == 200:
                return demo
            time.sleep(0.5)  # someone else's service: ours is about to fail to bind
            continue
        time.sleep(0.2)
    raise LiveDemoError(f"the demo service did not answer in {STARTUP_SECONDS}s:\n{_tail(log)}")


def _healthy(base_url: str) -> bool:
    try:
        return httpx.get(base_url + "/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=20)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _tail(log: Path, lines: int = 40) -> str:
    return "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
