"""Every rule of section 8 and of erasure, through the HTTP API: refused with the rule (409),
the role (403) or the field (422), and nothing stored."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID, uuid4

import httpx2 as httpx
import pytest

from tests.api_client import Api
from tests.lifecycle import at
from tests.section8_support import (
    case_with_disclosures,
    end_involvement,
    erase_case,
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
def agencies(api: Api) -> dict[str, UUID]:
    return register_agencies(api)


def erasure_attempt(
    api: Api, path: str, body: dict[str, Any], by: str
) -> Callable[[], httpx.Response]:
    return lambda: erasure(api, path, body, by)


def requested(api: Api, referral_id: UUID, by: str = "dpo-1") -> dict[str, Any]:
    case = {"referral_id": str(referral_id)}
    erasure_ok(api, "", {**case, "ground": GROUND, "reason": "No longer needed."}, by)
    return {**case, "request_no": 1}


class TestErasureRefusals:
    def test_execution_needs_an_approval(self, api: Api) -> None:
        referral_id = api.received(referral_form())
        request = requested(api, referral_id)
        attempt = erasure_attempt(api, "/execution", request, "dpo-1")
        refused(api, referral_id, attempt, 409, "erasure-needs-approval")

    def test_the_requester_cannot_approve(self, api: Api) -> None:
        referral_id = api.received(referral_form())
        request = requested(api, referral_id)
        attempt = erasure_attempt(api, "/approval", request, "dpo-1")
        refused(api, referral_id, attempt, 409, "second-person-approves-erasure")

    def test_a_legal_hold_stops_request_approval_and_execution(self, api: Api) -> None:
        referral_id = api.received(referral_form())
        case = {"referral_id": str(referral_id)}
        request = requested(api, referral_id)
        hold = {"ground": "criminal_proceedings", "reason": "Trial listed"}
        api.ok(referral_id, "legal-hold", hold, by="police-1")
        approve = erasure_attempt(api, "/approval", request, "dpo-2")
        refused(api, referral_id, approve, 409, "legal-hold-in-force")
        api.ok(referral_id, "legal-hold/lifted", {"reason": "Verdict given"}, by="police-1")
        erasure_ok(api, "/approval", request, "dpo-2")
        api.ok(referral_id, "legal-hold", hold, by="police-1")
        execute = erasure_attempt(api, "/execution", request, "dpo-1")
        refused(api, referral_id, execute, 409, "legal-hold-in-force")

        other = api.received(referral_form())
        api.ok(other, "legal-hold", hold, by="police-1")
        body = {"referral_id": str(other), "ground": GROUND, "reason": "x"}
        refused(api, other, erasure_attempt(api, "", body, "dpo-1"), 409, "legal-hold-in-force")
        assert case  # the first case's request is still approved and waiting

    def test_an_unknown_case_is_an_invalid_field(self, api: Api) -> None:
        bystander = api.received(referral_form())
        unknown = uuid4()
        api.versions[unknown] = 1
        body = {"referral_id": str(unknown), "ground": GROUND, "reason": "x"}
        problem = refused(api, bystander, erasure_attempt(api, "", body, "dpo-1"), 422)
        assert problem["errors"][0]["field"] == "referral_id"
        assert str(unknown) not in problem["title"]

    def test_an_unknown_request_is_an_invalid_field(self, api: Api) -> None:
        referral_id = api.received(referral_form())
        request = {"referral_id": str(referral_id), "request_no": 3}
        attempt = erasure_attempt(api, "/approval", request, "dpo-2")
        problem = refused(api, referral_id, attempt, 422)
        assert problem["errors"][0]["field"] == "request_no"

    def test_only_compliance_officers_erase(self, api: Api) -> None:
        referral_id = api.received(referral_form())
        body = {"referral_id": str(referral_id), "ground": GROUND, "reason": "x"}
        attempt = erasure_attempt(api, "", body, "triage-1")
        refused(api, referral_id, attempt, 403, "role-not-permitted")

    def test_one_request_at_a_time_and_each_step_once(self, api: Api) -> None:
        referral_id = api.received(referral_form())
        request = requested(api, referral_id)
        body = {"referral_id": str(referral_id), "ground": GROUND, "reason": "again"}
        refused(
            api, referral_id, erasure_attempt(api, "", body, "dpo-2"), 409, "erasure-request-open"
        )
        erasure_ok(api, "/approval", request, "dpo-2")
        again = erasure_attempt(api, "/approval", request, "dpo-2")
        refused(api, referral_id, again, 409, "erasure-already-approved")
        erasure_ok(api, "/execution", request, "dpo-1")
        twice = erasure_attempt(api, "/execution", request, "dpo-2")
        refused(api, referral_id, twice, 409, "erasure-already-executed")
        refused(
            api, referral_id, erasure_attempt(api, "", body, "dpo-2"), 409, "nothing-left-to-erase"
        )

    def test_erased_personal_data_is_not_captured_again(self, api: Api) -> None:
        referral_id = api.received(referral_form())
        erase_case(api, referral_id, ["subject"])
        api.ok(referral_id, "security-checks", by="triage-1")  # no personal data: allowed
        rationale = {"rationale": "Said more to his teacher"}  # sealed: subject
        attempt = send(api, referral_id, "screen-in", rationale, "triage-1")
        refused(api, referral_id, attempt, 409, "erased-data-not-recaptured")
        # The controller's reasoning is not the subject's data: a hold can still be placed.
        hold = {"ground": "litigation", "reason": "Claim issued"}
        api.ok(referral_id, "legal-hold", hold, by="police-1")


class TestDisposalRefusals:
    def test_only_an_involved_agency_ends_its_involvement_and_only_once(
        self, api: Api, clock: FixedClock, agencies: dict[str, UUID]
    ) -> None:
        referral_id = case_with_disclosures(api, clock, agencies, "2026-03-05", [[SCHOOL]])
        body = {"ended_on": "2026-03-06", "reason": "other"}
        at(clock, "2026-03-06T10:00:00")
        outsider = {**body, "agency_id": str(agencies[MENTORS])}
        attempt = send(api, referral_id, "involvement-ended", outsider, "triage-1")
        refused(api, referral_id, attempt, 409, "agency-not-involved")
        school = {**body, "agency_id": str(agencies[SCHOOL])}
        future = {**school, "ended_on": "2026-03-09"}
        attempt = send(api, referral_id, "involvement-ended", future, "triage-1")
        refused(api, referral_id, attempt, 422)
        end_involvement(api, clock, referral_id, agencies[SCHOOL], "2026-03-06")
        attempt = send(api, referral_id, "involvement-ended", school, "triage-1")
        refused(api, referral_id, attempt, 409, "involvement-already-ended")

    def test_nothing_more_is_shared_with_an_agency_no_longer_involved(
        self, api: Api, clock: FixedClock, agencies: dict[str, UUID]
    ) -> None:
        referral_id = case_with_disclosures(api, clock, agencies, "2026-03-05", [[SCHOOL]])
        end_involvement(api, clock, referral_id, agencies[SCHOOL], "2026-03-06")
        body = disclosure(agencies[POLICE], [agencies[SCHOOL]])
        attempt = send(api, referral_id, "disclosures", body, "police-1")
        refused(api, referral_id, attempt, 409, "recipient-no-longer-involved", recorded=True)

    def test_confirmations_come_from_the_recipient_outside_a_hold_and_end_at_discharge(
        self, api: Api, clock: FixedClock, agencies: dict[str, UUID]
    ) -> None:
        referral_id = case_with_disclosures(api, clock, agencies, "2026-03-05", [[SCHOOL]])
        end_involvement(api, clock, referral_id, agencies[SCHOOL], "2026-03-06")
        (obligation,) = obligations(api, referral_id=str(referral_id))
        number = obligation["obligation_no"]
        done = {"obligation_no": number, "method": "returned", "disposed_on": "2026-03-06"}
        complete = {**done, "complete": True}
        by_police = send(api, referral_id, "disposal-confirmations", complete, "police-1")
        refused(api, referral_id, by_police, 403, "recipient-confirms-disposal")
        early = {**complete, "disposed_on": "2026-03-05"}
        refused(
            api,
            referral_id,
            send(api, referral_id, "disposal-confirmations", early, "school-1"),
            422,
        )
        unknown = {**complete, "obligation_no": number + 1}
        problem = refused(
            api,
            referral_id,
            send(api, referral_id, "disposal-confirmations", unknown, "school-1"),
            422,
        )
        assert problem["errors"][0]["field"] == "obligation_no"

        hold = {"ground": "subject_access_request", "reason": "SAR received"}
        api.ok(referral_id, "legal-hold", hold, by="dpo-1")
        refused(
            api,
            referral_id,
            send(api, referral_id, "legal-hold", hold, "dpo-1"),
            409,
            "one-legal-hold",
        )
        held = send(api, referral_id, "disposal-confirmations", complete, "school-1")
        refused(api, referral_id, held, 409, "legal-hold-in-force")
        api.ok(referral_id, "legal-hold/lifted", {"reason": "SAR answered"}, by="dpo-1")
        lift = send(api, referral_id, "legal-hold/lifted", {"reason": "again"}, "dpo-1")
        refused(api, referral_id, lift, 409, "no-legal-hold")

        api.ok(referral_id, "disposal-confirmations", complete, by="school-1")
        again = send(api, referral_id, "disposal-confirmations", complete, "school-1")
        refused(api, referral_id, again, 409, "obligation-already-discharged")


class TestRetentionRefusals:
    def test_a_record_is_reviewed_only_once_it_has_an_outcome(self, api: Api) -> None:
        referral_id = api.received(referral_form())
        body = {"reviewed_on": "2026-03-02", "decision": "erase", "reason": "Schedule"}
        attempt = send(api, referral_id, "retention-reviews", body, "dpo-1")
        refused(api, referral_id, attempt, 409, "retention-review-after-outcome")

    def test_keeping_a_record_names_its_next_review(self, api: Api) -> None:
        referral_id = api.received(referral_form())
        api.ok(referral_id, "security-checks", by="triage-1")
        api.ok(referral_id, "screen-out", {"reasons": ["malicious"]}, by="triage-1")
        retain = {"reviewed_on": "2026-03-02", "decision": "retain", "reason": "Pending appeal"}
        problem = refused(
            api, referral_id, send(api, referral_id, "retention-reviews", retain, "dpo-1"), 422
        )
        assert problem["errors"][0]["field"] == "next_review_on"
        by_triage = send(
            api,
            referral_id,
            "retention-reviews",
            {**retain, "next_review_on": "2027-03-02"},
            "triage-1",
        )
        refused(api, referral_id, by_triage, 403, "role-not-permitted")
