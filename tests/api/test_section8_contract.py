"""The section 8 and erasure routes as a contract: accepted steps answer their events, refused
ones answer problem+json with the rule (409), the role (403) or the field (422) and store
nothing. The rules are specified in tests/rules/test_disposal.py and test_erasure.py; here on
SQLite only (erasure and key destruction on both stores are in tests/integration)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import uuid4

import httpx2 as httpx
import pytest

from tests.api_client import Api
from tests.lifecycle import at
from tests.section8_support import (
    case_with_disclosures,
    end_involvement,
    erasure,
    erasure_ok,
    obligations,
)
from tests.sharing_support import (
    MENTORS,
    POLICE,
    SCHOOL,
    disclosure,
    refused,
    register_agencies,
    send,
)
from tests.support import FixedClock, referral_form

GROUND = "uk_gdpr_art_17_1_a_no_longer_necessary"


@pytest.fixture
def backend() -> str:
    return "sqlite"


def erasure_attempt(
    api: Api, path: str, body: dict[str, Any], by: str
) -> Callable[[], httpx.Response]:
    return lambda: erasure(api, path, body, by)


def test_the_erasure_routes_answer_and_refuse_as_documented(api: Api) -> None:
    referral_id = api.received(referral_form())
    case = {"referral_id": str(referral_id)}
    body = {**case, "ground": GROUND, "reason": "No longer needed."}
    refused(api, referral_id, erasure_attempt(api, "", body, "triage-1"), 403, "role-not-permitted")
    assert erasure_ok(api, "", body, "dpo-1")["events"] == ["ErasureRequested"]
    request = {**case, "request_no": 1}
    attempt = erasure_attempt(api, "/approval", request, "dpo-1")
    problem = refused(api, referral_id, attempt, 409, "second-person-approves-erasure")
    assert (
        problem["detail"]
        == "The person who requested an erasure cannot approve it: a second person must."
    )
    unknown_request = erasure_attempt(api, "/approval", {**case, "request_no": 3}, "dpo-2")
    assert refused(api, referral_id, unknown_request, 422)["errors"][0]["field"] == "request_no"
    unknown = uuid4()
    api.versions[unknown] = 1
    elsewhere = {**body, "referral_id": str(unknown)}
    problem = refused(api, referral_id, erasure_attempt(api, "", elsewhere, "dpo-1"), 422)
    assert problem["errors"][0]["field"] == "referral_id"
    assert str(unknown) not in problem["title"]
    assert erasure_ok(api, "/approval", request, "dpo-2")["events"] == ["ErasureApproved"]
    assert erasure_ok(api, "/execution", request, "dpo-1")["events"] == ["ErasureExecuted"]


def test_the_disposal_routes_answer_and_refuse_as_documented(api: Api, clock: FixedClock) -> None:
    agencies = register_agencies(api)
    referral_id = case_with_disclosures(api, clock, agencies, "2026-03-05", [[SCHOOL]])
    at(clock, "2026-03-06T10:00:00")
    outsider = {"ended_on": "2026-03-06", "reason": "other", "agency_id": str(agencies[MENTORS])}
    attempt = send(api, referral_id, "involvement-ended", outsider, "triage-1")
    refused(api, referral_id, attempt, 409, "agency-not-involved")
    end_involvement(api, clock, referral_id, agencies[SCHOOL], "2026-03-06")
    to_school = disclosure(agencies[POLICE], [agencies[SCHOOL]])
    attempt = send(api, referral_id, "disclosures", to_school, "police-1")
    refused(api, referral_id, attempt, 409, "recipient-no-longer-involved", recorded=True)

    (obligation,) = obligations(api, referral_id=str(referral_id))
    number = obligation["obligation_no"]
    complete = {
        "obligation_no": number,
        "method": "returned",
        "disposed_on": "2026-03-06",
        "complete": True,
    }
    by_police = send(api, referral_id, "disposal-confirmations", complete, "police-1")
    refused(api, referral_id, by_police, 403, "recipient-confirms-disposal")
    unknown = {**complete, "obligation_no": number + 1}
    attempt = send(api, referral_id, "disposal-confirmations", unknown, "school-1")
    assert refused(api, referral_id, attempt, 422)["errors"][0]["field"] == "obligation_no"

    hold = {"ground": "subject_access_request", "reason": "SAR received"}
    assert api.ok(referral_id, "legal-hold", hold, by="dpo-1")["events"] == ["LegalHoldPlaced"]
    attempt = send(api, referral_id, "legal-hold", hold, "dpo-1")
    refused(api, referral_id, attempt, 409, "one-legal-hold")
    api.ok(referral_id, "legal-hold/lifted", {"reason": "SAR answered"}, by="dpo-1")
    attempt = send(api, referral_id, "legal-hold/lifted", {"reason": "again"}, "dpo-1")
    refused(api, referral_id, attempt, 409, "no-legal-hold")
    confirmed = api.ok(referral_id, "disposal-confirmations", complete, by="school-1")
    assert confirmed["events"] == ["DisposalConfirmed"]


def test_the_retention_route_answers_and_refuses_as_documented(api: Api) -> None:
    referral_id = api.received(referral_form())
    erase = {"reviewed_on": "2026-03-02", "decision": "erase", "reason": "Schedule"}
    attempt = send(api, referral_id, "retention-reviews", erase, "dpo-1")
    refused(api, referral_id, attempt, 409, "retention-review-after-outcome")
    api.ok(referral_id, "security-checks", by="triage-1")
    api.ok(referral_id, "screen-out", {"reasons": ["malicious"]}, by="triage-1")
    retain = {"reviewed_on": "2026-03-02", "decision": "retain", "reason": "Pending appeal"}
    attempt = send(api, referral_id, "retention-reviews", retain, "dpo-1")
    assert refused(api, referral_id, attempt, 422)["errors"][0]["field"] == "next_review_on"
    kept = {**retain, "next_review_on": "2027-03-02"}
    attempt = send(api, referral_id, "retention-reviews", kept, "triage-1")
    refused(api, referral_id, attempt, 403, "role-not-permitted")
    assert api.ok(referral_id, "retention-reviews", kept, by="dpo-1")["events"] == [
        "RetentionReviewed"
    ]
