"""Signing in to the console and out again, as a browser (and an attacker) sees it: the
cookie's attributes, forms that only this service can submit, sessions that end on the
server, and credentials that never come back in a page or a log."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI

from api.access.identity import revoke_token
from api.logging import configure_logging
from api.settings import Settings
from tests.api_client import TOKENS
from tests.console.console_client import ORIGIN, Browser
from tests.support import FixedClock


@pytest.fixture(params=["sqlite"])
def backend(request: pytest.FixtureRequest) -> str:
    """Sessions live in the process, not the store: SQLite is enough."""
    name: str = request.param
    return name


class WallClock:
    """The console's sessions run on real time; tests move it."""

    def __init__(self) -> None:
        self.moment = datetime(2026, 11, 29, 9, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.moment


@pytest.fixture
def wall(app: FastAPI) -> WallClock:
    clock = WallClock()
    app.state.console_clock = clock
    return clock


@pytest.fixture
def browser(app: FastAPI, wall: WallClock) -> Iterator[Browser]:
    with Browser(app) as opened:
        yield opened


def test_a_token_signs_in_with_a_strict_httponly_secure_cookie(browser: Browser) -> None:
    signed_in = browser.sign_in("dpo-1", next_page="/console/cases")
    assert signed_in.status_code == 303
    assert signed_in.headers["location"] == "/console/cases"
    cookie = next(
        value
        for name, value in signed_in.headers.multi_items()
        if name == "set-cookie" and value.startswith("vtr_console_session=")
    ).lower()
    for attribute in ("httponly", "secure", "samesite=strict", "path=/console", "max-age=28800"):
        assert attribute in cookie, attribute
    cases = browser.get("/console/cases")
    assert cases.status_code == 200
    assert "Signed in as" in cases.text
    assert "dpo-1" in cases.text
    assert cases.headers["cache-control"] == "no-store"
    assert "OFFICIAL-SENSITIVE" in cases.text


def test_pages_need_a_session_and_come_back_after_sign_in(browser: Browser) -> None:
    for path in ("/console/", "/console/cases", "/console/access-log", "/console/integrity"):
        answer = browser.get(path)
        assert answer.status_code == 303, path
        assert answer.headers["location"] == f"/console/sign-in?next={path}"


def test_a_refused_token_signs_nobody_in_and_is_never_repeated(
    browser: Browser, capfd: pytest.CaptureFixture[str]
) -> None:
    configure_logging("json", "DEBUG")
    forged = "vtr_" + "x" * 43
    refused = browser.sign_in_with(forged)
    assert refused.status_code == 401
    assert "The token was not accepted" in refused.text
    assert "govuk-error-summary" in refused.text
    assert forged not in refused.text
    assert browser.session_cookie is None
    assert browser.get("/console/cases").status_code == 303
    empty = browser.sign_in_with("   ")
    assert empty.status_code == 422
    assert "Enter your API token" in empty.text
    logged = capfd.readouterr()
    assert forged not in logged.out + logged.err
    assert TOKENS["dpo-1"] not in logged.out + logged.err


def test_sign_in_forms_from_elsewhere_are_refused(browser: Browser) -> None:
    """Login CSRF: a form posted without this browser's form token, or from another origin,
    signs nobody in."""
    csrf = browser.form_token("/console/sign-in")
    attempts = {
        "no form token": ({"token": TOKENS["dpo-1"]}, {"Origin": ORIGIN}),
        "another browser's token": (
            {"token": TOKENS["dpo-1"], "csrf_token": "not-" + csrf},
            {"Origin": ORIGIN},
        ),
        "another origin": (
            {"token": TOKENS["dpo-1"], "csrf_token": csrf},
            {"Origin": "https://evil.example"},
        ),
    }
    for name, (fields, headers) in attempts.items():
        answer = browser.client.post("/console/sign-in", data=fields, headers=headers)
        assert answer.status_code == 403, name
        assert "nothing was done" in answer.text, name
        assert browser.session_cookie is None, name


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/console/", "/console//evil.example", "/docs"],
)
def test_sign_in_never_sends_the_browser_away_from_the_console(
    browser: Browser, target: str
) -> None:
    assert browser.sign_in("dpo-1", next_page=target).headers["location"] == "/console/"


def test_sign_out_ends_the_session_on_the_server(browser: Browser, app: FastAPI) -> None:
    browser.sign_in("dpo-1")
    kept = browser.session_cookie
    assert kept is not None
    no_token = browser.client.post("/console/sign-out", headers={"Origin": ORIGIN})
    assert no_token.status_code == 403
    assert browser.get("/console/cases").status_code == 200  # still signed in
    signed_out = browser.sign_out()
    assert signed_out.status_code == 303
    assert signed_out.headers["location"] == "/console/signed-out"
    assert '"cache"' in signed_out.headers["clear-site-data"]
    with Browser(app) as thief:  # the old cookie, replayed
        thief.client.cookies.set("vtr_console_session", kept, domain="testserver")
        assert thief.get("/console/cases").status_code == 303
    assert browser.get("/console/cases").status_code == 303


def test_sessions_end_when_idle_and_after_their_lifetime(
    browser: Browser, wall: WallClock, settings: Settings
) -> None:
    browser.sign_in("dpo-1")
    idle = timedelta(minutes=settings.console_idle_minutes)
    wall.moment += idle - timedelta(seconds=1)
    assert browser.get("/console/cases").status_code == 200
    wall.moment += idle + timedelta(seconds=1)
    assert browser.get("/console/cases").status_code == 303
    browser.sign_in("dpo-1")
    end = wall.moment + timedelta(hours=settings.console_session_hours)
    while wall.moment < end - idle:  # kept busy, yet it ends at its lifetime
        wall.moment += idle / 2
        assert browser.get("/console/").status_code == 200
    wall.moment = end + timedelta(seconds=1)
    assert browser.get("/console/").status_code == 303


def test_a_revoked_token_ends_the_session_at_the_next_page(
    browser: Browser, settings: Settings, clock: FixedClock
) -> None:
    browser.sign_in("dpo-1")
    assert browser.get("/console/cases").status_code == 200
    token_id = "t-dpo-1-compliance_officer"
    revoke_token(Path(settings.token_table), token_id, clock.now() - timedelta(seconds=1))
    answer = browser.get("/console/cases")
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/console/sign-in")
    assert browser.get("/console/").status_code == 303  # the session itself has ended


def test_unknown_console_pages_are_gov_uk_pages_that_name_nothing(browser: Browser) -> None:
    browser.sign_in("dpo-1")
    missing = browser.get("/console/no-such-page")
    assert missing.status_code == 404
    assert "Page not found" in missing.text
    assert "govuk-template" in missing.text
    assert missing.headers["content-type"].startswith("text/html")
