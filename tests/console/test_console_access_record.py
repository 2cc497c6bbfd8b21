"""Every console page is a consultation in the access log exactly as the matching API read:
the same fields, the same scope, the same refusal, and sealed content opened only with a
stated purpose. Each test reads what the page showed *and* what the log then says."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any
from uuid import UUID

import pytest
from fastapi import FastAPI

from api.logging import configure_logging
from tests.api_client import TOKENS, Api
from tests.console.console_client import Browser
from tests.section8_support import school_and_mentors_cases
from tests.sharing_support import POLICE
from tests.support import SUBJECT_NAME, FixedClock, find_personal_data

# Fields that name the request itself, not what was read: its time and its ids.
REQUEST_FIELDS = {"recorded_at", "request_id", "client_request_id"}
PURPOSE = "Subject access request SAR-2026-113"


@pytest.fixture
def world(api: Api, clock: FixedClock) -> tuple[dict[str, UUID], UUID, UUID]:
    """The agencies; a case the school received a disclosure in; a case it has no part in."""
    return school_and_mentors_cases(api, clock)


@pytest.fixture
def browser(app: FastAPI, api: Api) -> Iterator[Browser]:
    with Browser(app) as opened:
        yield opened


def log_entries(api: Api) -> list[dict[str, Any]]:
    """The whole access log, as a second compliance officer reads it (their reads left out)."""
    answer = api.client.get("/access-log", headers=api.headers("dpo-2"))
    assert answer.status_code == 200, answer.text
    return [entry for entry in answer.json()["consultations"] if entry["actor_id"] != "dpo-2"]


def logged_by(api: Api, action: Any) -> list[dict[str, Any]]:
    """The entries `action` added to the access log, without their request's own ids."""
    before = len(log_entries(api))
    action()
    added = log_entries(api)[before:]
    return [{k: v for k, v in entry.items() if k not in REQUEST_FIELDS} for entry in added]


def api_get(api: Api, by: str, path: str, **params: Any) -> Any:
    headers = {"Authorization": f"Bearer {TOKENS[by]}"}
    purpose = params.pop("purpose", None)
    if purpose:
        headers["Access-Purpose"] = purpose
    return api.client.get(path, params=params or None, headers=headers)


def test_each_page_is_logged_exactly_as_the_api_reads_it_serves(
    api: Api, browser: Browser, world: tuple[dict[str, UUID], UUID, UUID]
) -> None:
    agencies, case, _ = world
    police = agencies[POLICE]
    browser.sign_in("dpo-1")
    last_day = "2026-03-05"
    as_of = "2026-03-05T23:59:59.999999+00:00"
    pages: dict[str, tuple[Callable[[], Any], list[tuple[str, dict[str, Any]]]]] = {
        "case list, filtered": (
            lambda: browser.get(
                "/console/cases", stage="strategy_discussion", agency_id=str(police), page="2"
            ),
            [
                (
                    "/referrals",
                    {
                        "stage": "strategy_discussion",
                        "agency_id": str(police),
                        "limit": 25,
                        "offset": 25,
                    },
                )
            ],
        ),
        "timeline": (
            lambda: browser.get(f"/console/cases/{case}"),
            [(f"/referrals/{case}", {}), (f"/referrals/{case}/history", {})],
        ),
        "timeline as of a day": (
            lambda: browser.get(f"/console/cases/{case}", as_of=last_day),
            [
                (f"/referrals/{case}", {"as_of": as_of}),
                (f"/referrals/{case}/history", {"as_of": as_of}),
            ],
        ),
        "as it stood": (
            lambda: browser.get(f"/console/cases/{case}/as-it-stood", on=last_day),
            [
                (f"/referrals/{case}", {"as_of": as_of}),
                (f"/referrals/{case}/knowledge", {"as_of": as_of}),
            ],
        ),
        "register as of a day": (
            lambda: browser.get(f"/console/agencies/{police}/register", as_of=last_day),
            [(f"/agencies/{police}/disclosure-register", {"as_of": as_of})],
        ),
        "register CSV": (
            lambda: browser.get(f"/console/agencies/{police}/register.csv"),
            [(f"/agencies/{police}/disclosure-register", {"format": "csv"})],
        ),
        "section 8": (
            lambda: browser.get("/console/obligations", status="overdue"),
            [("/disposal-obligations", {"status": "overdue"})],
        ),
        "worklist": (lambda: browser.get("/console/worklist"), [("/worklist", {})]),
        "who viewed this case": (
            lambda: browser.get("/console/access-log", referral_id=str(case)),
            [("/access-log", {"referral_id": str(case)})],
        ),
    }
    for name, (open_page, reads) in pages.items():
        shown: list[Any] = []
        by_console = logged_by(api, lambda: shown.append(open_page()))  # noqa: B023
        assert shown[0].status_code == 200, (name, shown[0].text[:500])
        by_api = logged_by(
            api,
            lambda: [api_get(api, "dpo-1", path, **dict(params)) for path, params in reads],  # noqa: B023
        )
        assert by_console, name
        assert by_console == by_api, name


def test_the_log_ties_each_entry_to_the_page_view_that_caused_it(
    api: Api, browser: Browser, world: tuple[dict[str, UUID], UUID, UUID]
) -> None:
    _, case, _ = world
    browser.sign_in("dpo-1")
    page = browser.get(f"/console/cases/{case}")
    assert page.headers["protective-marking"] == "OFFICIAL-SENSITIVE"
    page_view = page.headers["x-request-id"]
    tied = [entry for entry in log_entries(api) if entry["client_request_id"] == page_view]
    assert [entry["route"] for entry in tied] == ["get_case", "get_history"]


def test_sealed_content_opens_only_with_a_stated_purpose_which_the_log_keeps(
    api: Api, browser: Browser, world: tuple[dict[str, UUID], UUID, UUID]
) -> None:
    _, case, _ = world
    browser.sign_in("dpo-1")
    page = f"/console/cases/{case}"
    closed = browser.get(page)
    assert "Sealed personal data" in closed.text
    assert find_personal_data(closed.text) == []
    csrf = browser.form_token(page)
    refused: list[Any] = []
    too_short = logged_by(
        api, lambda: refused.append(browser.post(page, {"purpose": "because"}, csrf))
    )
    assert refused[0].status_code == 422
    assert "State why you need to see the sealed content" in refused[0].text
    assert SUBJECT_NAME not in refused[0].text
    assert not any(entry["revealed"] for entry in too_short)
    shown: list[Any] = []
    opened_log = logged_by(
        api, lambda: shown.append(browser.post(page, {"purpose": PURPOSE}, csrf))
    )
    assert shown[0].status_code == 200
    assert SUBJECT_NAME in shown[0].text
    assert shown[0].headers["cache-control"] == "no-store"
    assert PURPOSE not in str(shown[0].url)  # posted: never in an address or history
    by_api = logged_by(
        api,
        lambda: (
            api_get(api, "dpo-1", f"/referrals/{case}", purpose=PURPOSE),
            api_get(api, "dpo-1", f"/referrals/{case}/history", reveal="true", purpose=PURPOSE),
        ),
    )
    assert opened_log == by_api
    assert [(e["route"], e["revealed"], e["purpose"]) for e in opened_log] == [
        ("get_case", False, PURPOSE),
        ("get_history", True, PURPOSE),
    ]


def test_revealing_without_the_sessions_form_token_is_refused(
    api: Api, browser: Browser, world: tuple[dict[str, UUID], UUID, UUID]
) -> None:
    _, case, _ = world
    browser.sign_in("dpo-1")
    shown: list[Any] = []
    logged = logged_by(
        api,
        lambda: shown.append(
            browser.client.post(f"/console/cases/{case}", data={"purpose": PURPOSE})
        ),
    )
    assert shown[0].status_code == 403
    assert SUBJECT_NAME not in shown[0].text
    assert logged == []


def test_another_agencys_case_is_refused_exactly_as_the_api_refuses_it(
    api: Api, browser: Browser, world: tuple[dict[str, UUID], UUID, UUID]
) -> None:
    _, _, mentors_case = world
    reference = f"VTR-{str(mentors_case)[:8].upper()}"
    by_api: list[Any] = []
    api_log = logged_by(
        api, lambda: by_api.append(api_get(api, "school-1", f"/referrals/{mentors_case}"))
    )
    browser.sign_in("school-1")
    shown: list[Any] = []
    console_log = logged_by(
        api, lambda: shown.append(browser.get(f"/console/cases/{mentors_case}"))
    )
    assert (shown[0].status_code, by_api[0].status_code) == (403, 403)
    assert by_api[0].json()["detail"] in shown[0].text
    assert reference not in shown[0].text
    assert shown[0].headers["cache-control"] == "no-store"
    assert console_log == api_log
    assert [(e["outcome"], e["reason"]) for e in console_log] == [("denied", "no-access-to-case")]


def test_a_practitioner_sees_only_their_agencys_cases_in_the_list(
    api: Api, browser: Browser, world: tuple[dict[str, UUID], UUID, UUID]
) -> None:
    _, school_case, mentors_case = world
    browser.sign_in("school-1")
    listed = browser.get("/console/cases").text
    assert f"VTR-{str(school_case)[:8].upper()}" in listed
    assert f"VTR-{str(mentors_case)[:8].upper()}" not in listed
    refused = browser.get("/console/access-log")
    assert refused.status_code == 403
    assert "Your role does not allow this" in refused.text


def test_the_service_log_names_the_page_view_by_its_own_request_id(
    api: Api,
    browser: Browser,
    world: tuple[dict[str, UUID], UUID, UUID],
    capfd: pytest.CaptureFixture[str],
) -> None:
    """The page's line in the service's log carries the page's id, not the id of an API read
    it made (which would tie the log's lines to the wrong requests)."""
    _, case, _ = world
    browser.sign_in("dpo-1")
    configure_logging("json", "INFO")
    capfd.readouterr()
    page_view = browser.get(f"/console/cases/{case}").headers["x-request-id"]
    captured = capfd.readouterr()
    printed = (captured.out + captured.err).splitlines()
    lines = [json.loads(line) for line in printed if line.startswith("{")]
    requests = [line for line in lines if line.get("event") == "request"]
    page_line = next(line for line in requests if line["route"] == "/console/cases/{referral_id}")
    assert page_line["request_id"] == page_view
    reads = [line for line in requests if line["route"].startswith("/referrals")]
    assert [line["client_request_id"] for line in reads] == [page_view, page_view]
    assert page_view not in [line["request_id"] for line in reads]
