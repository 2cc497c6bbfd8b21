"""The whole VTR lifecycle over HTTP as a contract: each accepted step answers and is recorded in
order, a refusal answers problem+json naming the rule and the stage and stores nothing, a stale
version is a conflict, a malformed body a 422. The process rules themselves are specified in
tests/rules/; here on SQLite only (persistence and replay are tested in tests/integration)."""

from __future__ import annotations

from functools import partial
from typing import Any
from uuid import UUID

import httpx2 as httpx
import pytest

from tests import lifecycle as steps
from tests.api_client import Api
from tests.lifecycle import refused
from tests.support import FixedClock, referral_form


@pytest.fixture
def backend() -> str:
    return "sqlite"


def test_every_stage_in_order_with_refusals_that_store_nothing(api: Api, clock: FixedClock) -> None:
    # Intake and triage.
    referral_id = api.received(referral_form())
    api.ok(referral_id, "security-checks", by="triage-1")
    api.ok(
        referral_id,
        "further-information-requests",
        {"information_needed": "Attendance"},
        by="triage-1",
    )
    api.ok(referral_id, "further-information-returns", {"information_summary": "82%"}, by="desk-1")

    # Wrong stage: a strategy meeting cannot be convened during triage.
    problem = refused(
        api,
        referral_id,
        lambda: api.send(
            referral_id,
            "strategy-meeting/convene",
            {"meeting_at": "2026-03-12T10:00:00Z", "chair": "chair-1"},
            by="chair-1",
        ),
        409,
    )
    assert problem["rule"] == "step-not-allowed-at-this-stage"
    assert problem["stage"] == "triage"
    assert "Convening the strategy meeting" in problem["detail"]

    api.ok(referral_id, "screen-in", by="triage-1")
    steps.strategy_discussion(api, clock, referral_id)

    # Section 2: a missing signature keeps the meeting from being convened.
    api.ok(referral_id, "mash-decision/signatures", {"capacity": "police"}, by="dual-1/police")
    problem = refused(
        api,
        referral_id,
        lambda: api.send(
            referral_id,
            "strategy-meeting/convene",
            {"meeting_at": "2026-03-12T10:00:00Z", "chair": "chair-1"},
            by="chair-1",
        ),
        409,
    )
    assert problem["stage"] == "awaiting_section_2_signatures"
    # The same person cannot sign the second box, even holding the second role.
    problem = refused(
        api,
        referral_id,
        lambda: api.send(
            referral_id,
            "mash-decision/signatures",
            {"capacity": "childrens_services"},
            by="dual-1/childrens_services",
        ),
        409,
    )
    assert problem["rule"] == "two-distinct-signatories"
    api.ok(referral_id, "mash-decision/signatures", {"capacity": "childrens_services"}, by="cs-1")
    steps.feedback(api, clock, referral_id, "strategy_discussion")

    # A stale expected version is a conflict, never a silent overwrite.
    stale = api.versions[referral_id] - 1
    problem = refused(
        api,
        referral_id,
        lambda: api.send(
            referral_id,
            "strategy-meeting/convene",
            {"meeting_at": "2026-03-12T10:00:00Z", "chair": "chair-1"},
            by="chair-1",
            version=stale,
        ),
        409,
    )
    assert problem["current_version"] == api.versions[referral_id]

    # Malformed bodies: missing, mistyped and unknown fields, and broken JSON.
    malformed: list[dict[str, Any]] = [
        {"chair": "chair-1"},
        {"meeting_at": "soon", "chair": "chair-1"},
        {"meeting_at": "2026-03-12T10:00:00Z", "chair": "chair-1", "venue": "x"},
    ]
    for body in malformed:
        problem = refused(api, referral_id, partial(convene, api, referral_id, body), 422)
        assert problem["errors"]
    refused(
        api,
        referral_id,
        lambda: api.client.post(
            f"/referrals/{referral_id}/strategy-meeting/convene",
            content=b"{not json",
            headers={**api.headers("chair-1"), "content-type": "application/json"},
        ),
        422,
    )

    steps.strategy_meeting_and_reviews(api, clock, referral_id)

    # An open dispute holds the conclusion back until it is referred and resolved.
    api.ok(
        referral_id,
        "disputes",
        {"disputed_decision": "review", "grounds": "Too early."},
        by="police-2",
    )
    api.ok(
        referral_id,
        "disputes/referral",
        {"dispute_no": 1, "head_of_safeguarding": "hos-1", "detective_superintendent": "dsupt-1"},
        by="triage-1",
    )
    api.ok(
        referral_id,
        "disputes/resolution",
        {"dispute_no": 1, "outcome": "not_upheld", "resolution": "Decision stands."},
        by="hos-1",
    )

    steps.conclusion(api, clock, referral_id)

    history = api.history(referral_id)
    assert [event["event"] for event in history] == [
        "ReferralReceived",
        "SecurityChecksRecorded",
        "FurtherInformationRequested",
        "FurtherInformationReturned",
        "ReferralScreenedIn",
        "StrategyDiscussionScheduled",
        "ReferrerConsulted",
        "RiskAssessmentRecorded",
        "StrategyDiscussionConcluded",
        "MashDecisionSigned",
        "MashDecisionSigned",
        "ReferrerNotified",
        "StrategyMeetingConvened",
        "StrategyMeetingConcluded",
        "ReviewHeld",
        "ReviewHeld",
        "DisputeRaised",
        "DisputeReferred",
        "DisputeResolved",
        "ProcessConcluded",
        "ReferrerNotified",
        "PostExitReviewRecorded",
        "PostExitReviewRecorded",
    ]
    assert [event["version"] for event in history] == list(range(1, 24))
    case = api.case(referral_id, after=history[-1]["position"])
    assert case["stage"] == "concluded"
    assert case["next_step"] is None
    assert case["closure"]["six_month_review_due_on"] == "2026-11-22"
    signatories = {s["signatory_id"] for s in case["strategy_discussion"]["signatures"]}
    assert signatories == {"dual-1", "cs-1"}


def test_screened_out_referral_stays_on_record_and_can_go_to_alternative_support(
    api: Api, clock: FixedClock
) -> None:
    form = referral_form(
        received_via="out_of_hours_101",
        on_call_detective_inspector="di-oncall-3",
        received_at="2026-03-01T23:40:00Z",
        subject_age_group="adult",
    )
    referral_id = api.received(form)
    api.ok(referral_id, "security-checks", by="triage-1")
    problem = refused(
        api,
        referral_id,
        lambda: api.send(referral_id, "screen-out", {"reasons": ["other"]}, by="triage-1"),
        422,
    )
    assert problem["errors"][0]["field"] == "other_reason"
    api.ok(
        referral_id,
        "screen-out",
        {"reasons": ["misguided_or_misinformed", "other"], "other_reason": "Family dispute."},
        by="triage-1",
    )
    clock.advance(days=2)
    api.ok(
        referral_id,
        "alternative-support-referral",
        {"referred_on": "2026-03-04", "support_provider": "Early Help"},
        by="triage-1",
    )
    case = api.case(referral_id, after=api.log_position())
    assert case["stage"] == "referred_to_alternative_support"
    assert case["screening"]["reasons"] == ["misguided_or_misinformed", "other"]
    assert case["closure"]["forum"] == "mash_triage"
    assert case["next_step"] == {
        "description": "Post-exit review at 6 months",
        "due_on": "2026-09-04",
    }


def convene(api: Api, referral_id: UUID, body: dict[str, Any]) -> httpx.Response:
    return api.send(referral_id, "strategy-meeting/convene", body, by="chair-1")
