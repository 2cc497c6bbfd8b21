"""The compliance console in a real browser, against the demo service over HTTP: sealed
content opened only with a stated purpose that the access log keeps; a timeline and a case as
they stood on a date; a register's CSV that is the API's own; a refusal in the API's words;
and nothing of a case left to the back button after signing out."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

from playwright.sync_api import BrowserContext, Error, expect

from events.base import UK_TIME
from tests.browser.live_demo import COMPLIANCE_OFFICER, PARTNER_PRACTITIONER, LiveDemo

SEALED = "Sealed personal data"
MOMENT = re.compile(rb"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})")
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def demo_case(demo: LiveDemo, stage: str) -> dict[str, Any]:
    """The demo case at `stage`, as the compliance officer lists it through the API."""
    listed = demo.api_json(COMPLIANCE_OFFICER, "/referrals")["items"]
    found = [case for case in listed if case["stage"] == stage]
    assert len(found) == 1, f"the demo has one {stage} case: {listed}"
    case: dict[str, Any] = found[0]
    return case


def revealed_reads(demo: LiveDemo, referral_id: str) -> list[dict[str, Any]]:
    """The access log's entries of the case in which sealed content was revealed."""
    log = demo.api_json(COMPLIANCE_OFFICER, "/access-log", referral_id=referral_id)
    return [entry for entry in log["consultations"] if entry["revealed"]]


def uk_day(moment: str) -> date:
    return datetime.fromisoformat(moment).astimezone(UK_TIME).date()


def test_sealed_content_is_revealed_only_with_a_purpose_that_the_access_log_keeps(
    live_demo: LiveDemo, context: BrowserContext
) -> None:
    case = demo_case(live_demo, "concluded")
    referral_id, reference = case["referral_id"], case["reference"]
    page = live_demo.sign_in(context, COMPLIANCE_OFFICER)
    page.goto(live_demo.url("/console/cases"))
    page.locator("#cases").get_by_role("link", name=reference, exact=True).click()
    page.wait_for_url(live_demo.url(f"/console/cases/{referral_id}"))
    expect(page.get_by_role("heading", level=1)).to_have_text(reference)

    # Sealed fields say so, and nothing is revealed until a purpose is stated.
    sealed = page.locator("#timeline .govuk-tag", has_text=SEALED)
    assert sealed.count() > 0
    expect(page.locator("#revealed-notice")).to_have_count(0)
    before = revealed_reads(live_demo, referral_id)

    # Too short a purpose: a GOV.UK error summary that leads to the field, and no reveal.
    page.fill("#purpose", "curious")
    page.get_by_role("button", name="Reveal sealed content").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    expect(summary.get_by_role("link")).to_have_attribute("href", "#purpose")
    expect(page.locator("#purpose-error")).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(summary).to_be_focused()  # GOV.UK Frontend's script, where the browser runs it
    expect(page.locator("#revealed-notice")).to_have_count(0)
    assert sealed.count() > 0
    assert revealed_reads(live_demo, referral_id) == before

    # A purpose: the content is shown, the page says so, and the access log keeps the purpose.
    purpose = f"Subject access request {uuid4().hex[:8]}: what the record holds"
    page.fill("#purpose", purpose)
    page.get_by_role("button", name="Reveal sealed content").click()
    expect(page.locator("#revealed-notice")).to_contain_text(purpose)
    expect(sealed).to_have_count(0)
    logged = [entry for entry in revealed_reads(live_demo, referral_id) if entry not in before]
    assert logged, "the reveal is in the access log"
    assert {(entry["purpose"], entry["actor_id"]) for entry in logged} == {
        (purpose, COMPLIANCE_OFFICER)
    }


def test_a_timeline_as_of_a_date_shows_only_what_was_recorded_by_then(
    live_demo: LiveDemo, context: BrowserContext
) -> None:
    case = demo_case(live_demo, "concluded")
    referral_id, reference = case["referral_id"], case["reference"]
    history = live_demo.api_json(COMPLIANCE_OFFICER, f"/referrals/{referral_id}/history")
    days = sorted(uk_day(event["occurred_at"]) for event in history["events"])
    chosen = days[len(days) // 2]
    recorded_by_then = sum(1 for day in days if day <= chosen)
    assert recorded_by_then < len(days), "the case has events after the chosen day"

    page = live_demo.sign_in(context, COMPLIANCE_OFFICER)
    page.goto(live_demo.url(f"/console/cases/{referral_id}"))
    events = page.locator("#timeline > li")
    expect(events).to_have_count(len(days))

    page.fill("#as_of", chosen.isoformat())
    page.get_by_role("button", name="Show", exact=True).click()
    page.wait_for_url(re.compile(rf"as_of={chosen.isoformat()}"))
    expect(events).to_have_count(recorded_by_then)
    expect(page.locator("#as_of")).to_have_value(chosen.isoformat())

    page.goto(live_demo.url(f"/console/cases/{referral_id}/as-it-stood?on={chosen.isoformat()}"))
    expect(page.locator("#stood")).to_contain_text(reference)
    expect(page.get_by_role("heading", name="Who knew what then")).to_be_visible()


def test_a_register_downloaded_from_the_console_is_the_apis_own_csv(
    live_demo: LiveDemo, context: BrowserContext
) -> None:
    page = live_demo.sign_in(context, COMPLIANCE_OFFICER)
    page.goto(live_demo.url("/console/registers"))
    page.locator("#agencies").get_by_role("link", name="Norfolk Constabulary", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Norfolk Constabulary")
    found = re.search(r"/console/agencies/([0-9a-f-]{36})/register$", page.url)
    assert found, page.url
    agency_id = found.group(1)

    with page.expect_download() as downloading:
        page.locator("#download-csv").click()
    download = downloading.value
    from_console = Path(download.path()).read_bytes()
    from_api = live_demo.api_get(
        COMPLIANCE_OFFICER, f"/agencies/{agency_id}/disclosure-register", format="csv"
    )
    assert from_api.status_code == 200

    # The marking line names who produced it and when: the same but for the moment.
    console_marking, _, console_rows = from_console.partition(b"\n")
    api_marking, _, api_rows = from_api.content.partition(b"\n")
    assert console_marking.removeprefix(b"\xef\xbb\xbf").lstrip(b'"').startswith(b"#")
    assert MOMENT.sub(b"<moment>", console_marking) == MOMENT.sub(b"<moment>", api_marking)
    assert console_rows == api_rows
    assert console_rows.count(b"\n") > 1, "the register has rows"
    # The file name the API gives, but for the day it was produced on.
    api_name = from_api.headers["content-disposition"].split('filename="')[1].rstrip('"')
    assert DAY.sub("<day>", download.suggested_filename) == DAY.sub("<day>", api_name)


def test_a_partner_is_refused_a_case_of_other_agencies_in_the_apis_own_words(
    live_demo: LiveDemo, context: BrowserContext
) -> None:
    case = demo_case(live_demo, "screened_out")
    referral_id, reference = case["referral_id"], case["reference"]
    refused = live_demo.api_get(PARTNER_PRACTITIONER, f"/referrals/{referral_id}/history")
    assert refused.status_code == 403
    detail = refused.json()["detail"]
    assert detail == "You have no access to this case."

    page = live_demo.sign_in(context, PARTNER_PRACTITIONER)
    page.goto(live_demo.url("/console/cases"))
    expect(page.locator("#case-count")).to_be_visible()
    assert reference not in page.content()

    answer = page.goto(live_demo.url(f"/console/cases/{referral_id}"))
    assert answer is not None
    assert answer.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("You do not have access to this")
    expect(page.locator("#refusal")).to_have_text(detail)
    assert reference not in page.content()
    expect(page.locator("#timeline, #protective-marking, #purpose")).to_have_count(0)


def test_after_signing_out_the_back_button_shows_nothing_of_the_case(
    live_demo: LiveDemo, context: BrowserContext
) -> None:
    case = demo_case(live_demo, "concluded")
    referral_id, reference = case["referral_id"], case["reference"]
    page = live_demo.sign_in(context, COMPLIANCE_OFFICER)
    page.goto(live_demo.url(f"/console/cases/{referral_id}"))
    expect(page.get_by_role("heading", level=1)).to_have_text(reference)

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(live_demo.url("/console/signed-out"))
    expect(page.get_by_role("heading", level=1)).to_have_text("You have signed out")
    assert not [cookie for cookie in context.cookies() if cookie["name"] == "vtr_console_session"]

    not_shown = None
    try:
        page.go_back()
    except Error as error:  # the browser kept nothing to show: its error page is as good
        not_shown = error.message
    assert not_shown is None or "net::ERR_" in not_shown, not_shown
    shown = page.url
    assert shown.startswith((live_demo.url("/console/sign-in"), "chrome-error://")), (
        f"after signing out, the back button showed {shown}"
    )
    assert reference not in page.content()
    expect(page.locator("#timeline, #protective-marking")).to_have_count(0)

    answer = page.goto(live_demo.url("/console/cases"))
    assert answer is not None
    assert answer.request.redirected_from is not None, "the case list redirects to sign in"
    assert page.url == live_demo.url("/console/sign-in?next=/console/cases")
    expect(page.locator("#token")).to_be_visible()
