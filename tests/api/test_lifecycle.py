"""The whole VTR lifecycle over HTTP, with the refusals the guidance calls for."""

from __future__ import annotations

from functools import partial
from typing import Any
from uuid import UUID

import httpx2 as httpx

from tests import lifecycle as steps
from tests.api_client import Api
from tests.lifecycle import refused
from tests.support import FixedClock, referral_form


def test_every_stage_in_order_with_refusals_that_store_nothing(api: Api, clock: FixedClock) -> None:
    # Intake and triage.
    referral_id = api.received(referral_form())
    problem = refused(
        api, referral_id, lambda: api.send(referral_id, "screen-in", by="triage-1"), 409
    )
    assert problem["rule"] == "security-checks-before-screening"
    api.ok(referral_id, "security-checks", by="triage-1")
    api.ok(
        referral_id,
        "further-information-requests",
        {"information_needed": "Attendance"},
        by="triage-1",
    )
    problem = refused(
        api, referral_id, lambda: api.send(referral_id, "screen-in", by="triage-1"), 409
    )
    assert problem["rule"] == "further-information-outstanding"
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
    # Nor can the police box be signed twice, by anyone.
    problem = refused(
        api,
        referral_id,
        lambda: api.send(
            referral_id, "mash-decision/signatures", {"capacity": "police"}, by="police-2"
        ),
        409,
    )
    assert problem["rule"] == "signature-once-per-box"
    # A role signs only its own box.
    problem = refused(
        api,
        referral_id,
        lambda: api.send(
            referral_id, "mash-decision/signatures", {"capacity": "childrens_services"}, by="ass-1"
        ),
        403,
    )
    assert problem["rule"] == "signatory-role"
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
    problem = refused(
        api,
        referral_id,
        lambda: api.send(referral_id, "conclusion", {"concluded_on": "2026-05-21"}, by="chair-1"),
        409,
    )
    assert problem["rule"] == "no-conclusion-with-open-dispute"
    problem = refused(
        api,
        referral_id,
        lambda: api.send(
            referral_id,
            "disputes/resolution",
            {"dispute_no": 1, "outcome": "not_upheld", "resolution": "Stands."},
            by="hos-1",
        ),
        409,
    )
    assert problem["rule"] == "dispute-referred-before-resolution"
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


def test_discussion_can_send_an_adult_to_alternative_support_after_both_signatures(
    api: Api, clock: FixedClock
) -> None:
    referral_id = api.received(referral_form(subject_age_group="adult"))
    api.ok(referral_id, "security-checks", by="triage-1")
    api.ok(referral_id, "screen-in", by="triage-1")
    problem = refused(
        api,
        referral_id,
        lambda: api.send(
            referral_id,
            "strategy-discussion/schedule",
            {
                "scheduled_for": "2026-03-05T14:00:00Z",
                "lead_officer": "police-1",
                "social_care_service": "childrens_services",
                "social_care_representative": "cs-1",
            },
            by="police-1",
        ),
        409,
    )
    assert problem["rule"] == "social-care-service-fits-age"
    api.ok(
        referral_id,
        "strategy-discussion/schedule",
        {
            "scheduled_for": "2026-03-05T14:00:00Z",
            "lead_officer": "police-1",
            "social_care_service": "adult_social_services",
            "social_care_representative": "ass-1",
        },
        by="police-1",
    )
    problem = refused(
        api,
        referral_id,
        lambda: api.send(
            referral_id,
            "strategy-discussion/decision",
            {"outcome": "alternative_support", "reasons": "Mental health need."},
            by="police-1",
        ),
        409,
    )
    assert problem["rule"] == "discussion-not-yet-held"
    steps.at(clock, "2026-03-05T15:00:00")
    problem = refused(
        api,
        referral_id,
        lambda: api.send(
            referral_id,
            "strategy-discussion/decision",
            {"outcome": "alternative_support", "reasons": "Mental health need."},
            by="police-1",
        ),
        409,
    )
    assert problem["rule"] == "referrer-consulted-before-decision"
    steps.ready_to_decide(api, referral_id)
    refused(
        api,
        referral_id,
        lambda: api.send(
            referral_id,
            "strategy-discussion/decision",
            {"outcome": "alternative_support"},
            by="police-1",
        ),
        422,
    )
    api.ok(
        referral_id,
        "strategy-discussion/decision",
        {"outcome": "alternative_support", "reasons": "Mental health need."},
        by="police-1",
    )
    api.ok(
        referral_id, "mash-decision/signatures", {"capacity": "adult_social_services"}, by="ass-1"
    )
    problem = refused(
        api,
        referral_id,
        lambda: api.send(
            referral_id,
            "alternative-support-referral",
            {"referred_on": "2026-03-05", "support_provider": "Community mental health team"},
            by="ass-1",
        ),
        409,
    )
    assert problem["rule"] == "alternative-support-must-be-agreed"
    api.ok(referral_id, "mash-decision/signatures", {"capacity": "police"}, by="police-1")
    api.ok(
        referral_id,
        "alternative-support-referral",
        {"referred_on": "2026-03-05", "support_provider": "Community mental health team"},
        by="ass-1",
    )
    case = api.case(referral_id, after=api.log_position())
    assert case["stage"] == "referred_to_alternative_support"
    assert case["closure"]["forum"] == "strategy_discussion"


def test_meeting_can_find_the_person_is_not_being_drawn_in(api: Api, clock: FixedClock) -> None:
    referral_id = steps.triage(api, clock)
    steps.strategy_discussion(api, clock, referral_id)
    steps.section_2_signatures(api, referral_id)
    api.ok(
        referral_id,
        "strategy-meeting/convene",
        {"meeting_at": "2026-03-12T10:00:00Z", "chair": "chair-1"},
        by="chair-1",
    )
    problem = refused(
        api,
        referral_id,
        lambda: api.send(
            referral_id, "strategy-meeting/outcome", {"outcome": "not_being_drawn_in"}, by="chair-1"
        ),
        409,
    )
    assert problem["rule"] == "meeting-not-yet-held"
    steps.at(clock, "2026-03-12T11:30:00")
    problem = refused(
        api,
        referral_id,
        lambda: api.send(
            referral_id, "strategy-meeting/outcome", {"outcome": "support_package"}, by="chair-1"
        ),
        422,
    )
    assert problem["errors"][0]["field"] == "actions"
    api.ok(referral_id, "strategy-meeting/outcome", {"outcome": "not_being_drawn_in"}, by="chair-1")
    problem = refused(
        api,
        referral_id,
        lambda: api.send(
            referral_id,
            "post-exit-reviews",
            {
                "review_point": "six_months",
                "reviewed_on": "2026-03-12",
                "outcome": "no_further_concern",
            },
            by="chair-1",
        ),
        409,
    )
    assert problem["rule"] == "post-exit-review-after-exit"
    problem = refused(
        api,
        referral_id,
        lambda: api.send(referral_id, "conclusion", {"concluded_on": "2026-03-11"}, by="chair-1"),
        422,
    )
    assert problem["errors"][0]["field"] == "concluded_on"
    api.ok(referral_id, "conclusion", {"concluded_on": "2026-03-12"}, by="chair-1")
    case = api.case(referral_id, after=api.log_position())
    assert case["closure"]["forum"] == "strategy_meeting"
    assert case["closure"]["twelve_month_review_due_on"] == "2027-03-12"


def convene(api: Api, referral_id: UUID, body: dict[str, Any]) -> httpx.Response:
    return api.send(referral_id, "strategy-meeting/convene", body, by="chair-1")
