"""What the console's pages say: the timeline in words (who, role, agency, recorded, took
effect, legal bases), sealed and erased personal data said as such, the case as it stood on a
day, and mistakes answered with GOV.UK pages that repeat nothing the person typed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from uuid import UUID

import pytest
from fastapi import FastAPI

from tests.api_client import Api
from tests.console.console_client import Browser
from tests.section8_support import case_with_disclosures, erase_case
from tests.sharing_support import POLICE, SCHOOL, register_agencies
from tests.support import SUBJECT_NAME, FixedClock, find_personal_data, referral_form


@pytest.fixture(params=["sqlite"])
def backend(request: pytest.FixtureRequest) -> str:
    """Pages read through the API; the stores behind it are tested there."""
    name: str = request.param
    return name


@pytest.fixture
def browser(app: FastAPI, api: Api) -> Iterator[Browser]:
    with Browser(app) as opened:
        opened.sign_in("dpo-1")
        yield opened


ERROR_TEXT = re.compile(
    r'class="[^"]*govuk-(?:error-message|error-summary__list)"[^>]*>(.*?)</(?:p|ul)>', re.DOTALL
)


def timeline_items(html: str) -> list[str]:
    return re.findall(
        r'<li class="govuk-!-margin-bottom-6" id="event-\d+">(.*?)</li>', html, re.DOTALL
    )


def test_the_timeline_says_each_step_in_words(
    api: Api, browser: Browser, clock: FixedClock
) -> None:
    agencies = register_agencies(api)
    case = case_with_disclosures(api, clock, agencies, "2026-03-05", [[SCHOOL]])
    history = api.history(case)
    page = browser.get(f"/console/cases/{case}").text
    items = timeline_items(page)
    assert len(items) == len(history)
    received, disclosed = items[0], items[-1]
    assert "Referral received" in received
    assert "triage-1, mash triage, Norfolk MASH" in received
    assert "Took effect" in received
    assert "Information disclosed" in disclosed
    assert "police-1, police, Norfolk Constabulary" in disclosed
    assert "Legal basis" in disclosed
    assert "Art. 6(1)(e)" in disclosed  # the citation, as the catalogue words it
    assert "Sealed personal data" in received
    assert find_personal_data(page) == []


def test_an_erased_field_is_said_to_be_erased_when_the_content_is_opened(
    api: Api, browser: Browser
) -> None:
    referral_id = api.received(referral_form())
    erase_case(api, referral_id)
    path = f"/console/cases/{referral_id}"
    opened = browser.post_form(
        path, {"purpose": "Checking the erasure was complete"}, from_page=path
    )
    page = opened.text
    assert "Sealed content is shown" in page
    assert "Erased" in page
    assert "erased)" in page  # the entry's count of erased fields
    assert SUBJECT_NAME not in page


def test_the_case_as_it_stood_before_and_after_it_was_received(
    api: Api, browser: Browser, clock: FixedClock
) -> None:
    agencies = register_agencies(api)
    case = case_with_disclosures(api, clock, agencies, "2026-03-05", [[SCHOOL]])
    before = browser.get(f"/console/cases/{case}/as-it-stood", on="2025-12-31")
    assert before.status_code == 200
    assert "had not been received" in before.text
    after = browser.get(f"/console/cases/{case}/as-it-stood", on="2026-03-05")
    assert "Who knew what then" in after.text
    assert POLICE in after.text
    assert SCHOOL in after.text


@pytest.mark.parametrize(
    ("path", "params", "status", "words"),
    [
        ("/console/cases/{case}", {"as_of": "<b>19/02/2026</b>"}, 200, "year-month-day"),
        ("/console/cases/{case}/as-it-stood", {"on": "2999-01-01"}, 422, "today or in the past"),
        ("/console/agencies/{police}/register", {"period_from": "<b>soon</b>"}, 422, "from: "),
        ("/console/agencies/{police}/register", {"as_of": "tomorrow"}, 200, "year-month-day"),
    ],
)
def test_mistakes_are_named_and_never_repeated(
    api: Api,
    browser: Browser,
    clock: FixedClock,
    path: str,
    params: dict[str, str],
    status: int,
    words: str,
) -> None:
    agencies = register_agencies(api)
    case = case_with_disclosures(api, clock, agencies, "2026-03-05", [[SCHOOL]])
    answer = browser.get(path.format(case=case, police=agencies[POLICE]), **params)
    assert answer.status_code == status, answer.text[:400]
    assert answer.headers["content-type"].startswith("text/html")
    assert words in answer.text
    assert "<b>" not in answer.text  # what was typed is never markup on the page
    said = " ".join(ERROR_TEXT.findall(answer.text))
    assert words in said
    for typed in params.values():
        assert typed not in said  # the error names the field, never what was typed


def test_a_case_that_does_not_exist_is_a_gov_uk_page(browser: Browser) -> None:
    missing = browser.get(f"/console/cases/{UUID(int=7)}")
    assert missing.status_code == 404
    assert "There is no such referral" in missing.text
    assert "govuk-template" in missing.text
    malformed = browser.get("/console/cases/not-a-case")
    assert malformed.status_code == 404
    assert "Page not found" in malformed.text
    assert malformed.headers["content-type"].startswith("text/html")
    too_long = browser.post_form(
        f"/console/cases/{UUID(int=7)}", {"purpose": "x" * 600}, from_page="/console/cases"
    )
    assert too_long.status_code == 422
    assert "Check what you entered" in too_long.text


def test_agency_staff_see_their_own_agencys_worklist(
    api: Api, app: FastAPI, clock: FixedClock
) -> None:
    agencies = register_agencies(api)
    case_with_disclosures(api, clock, agencies, "2026-03-05", [[SCHOOL]])
    with Browser(app) as school:
        school.sign_in("school-1")
        page = school.get("/console/worklist")
        assert page.status_code == 200, page.text[:300]
        assert "Worklist" in page.text
        elsewhere = school.get("/console/worklist", agency_id=str(agencies[POLICE]))
        assert elsewhere.status_code == 403
        assert "You see your own agency only" in elsewhere.text
