"""The whole VTR lifecycle over HTTP as a contract: each accepted step answers and is recorded in
order, a refusal answers problem+json naming the rule and the stage and stores nothing, a stale
version is a conflict, a malformed body a 422. The process rules themselves are specified in
tests/rules/; here on SQLite only (persistence and replay are tested in tests/integration)."""

from __future__ import annotations

from functools import partial

import pytest

from scenarios import builder, steps
from scenarios.step import Part
from tests import lifecycle
from tests.api_client import Api
from tests.lifecycle import refused
from tests.support import DUAL_ROLE, FixedClock, referral_form

CONVENING = steps.meeting_convened("2026-03-12T10:00:00Z")


@pytest.fixture
def backend() -> str:
    return "sqlite"


def test_every_stage_in_order_with_refusals_that_store_nothing(api: Api, clock: FixedClock) -> None:
    # Intake and triage.
    case = api.scenario().case(steps.referral_received(referral_form()))
    case.then(
        builder.ready_to_screen(),
        steps.further_information_requested("Attendance"),
        steps.further_information_returned("82%"),
    )
    referral_id = case.referral_id

    # Wrong stage: a strategy meeting cannot be convened during triage.
    problem = refused(api, referral_id, partial(api.attempt, referral_id, CONVENING), 409)
    assert problem["rule"] == "step-not-allowed-at-this-stage"
    assert problem["stage"] == "triage"
    assert "Convening the strategy meeting" in problem["detail"]

    case.then(steps.screened_in())
    lifecycle.strategy_discussion(api, clock, referral_id)

    # Section 2: a missing signature keeps the meeting from being convened.
    as_police, as_childrens_services = DUAL_ROLE
    case.then(steps.mash_decision_signed(Part.POLICE).taken_by(as_police))
    problem = refused(api, referral_id, partial(api.attempt, referral_id, CONVENING), 409)
    assert problem["stage"] == "awaiting_section_2_signatures"
    # The same person cannot sign the second box, even holding the second role.
    second_box = steps.mash_decision_signed(Part.CHILDRENS_SERVICES)
    same_person = second_box.taken_by(as_childrens_services)
    problem = refused(api, referral_id, partial(api.attempt, referral_id, same_person), 409)
    assert problem["rule"] == "two-distinct-signatories"
    case.then(second_box)
    lifecycle.feedback(api, clock, referral_id, "strategy_discussion")

    # A stale expected version is a conflict, never a silent overwrite.
    stale = CONVENING.but(expected_version=api.versions[referral_id] - 1)
    problem = refused(api, referral_id, partial(api.attempt, referral_id, stale), 409)
    assert problem["current_version"] == api.versions[referral_id]

    # Malformed bodies: missing, mistyped and unknown fields, and broken JSON.
    malformed = [
        CONVENING.without("meeting_at"),
        CONVENING.but(meeting_at="soon"),
        CONVENING.but(venue="x"),
    ]
    for step in malformed:
        problem = refused(api, referral_id, partial(api.attempt, referral_id, step), 422)
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

    lifecycle.strategy_meeting_and_reviews(api, clock, referral_id)

    # An open dispute holds the conclusion back until it is referred and resolved.
    lifecycle.dispute(api, referral_id, "review")
    case.then(steps.dispute_resolved())

    lifecycle.conclusion(api, clock, referral_id)

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
    case_view = api.case(referral_id, after=history[-1]["position"])
    assert case_view["stage"] == "concluded"
    assert case_view["next_step"] is None
    assert case_view["closure"]["six_month_review_due_on"] == "2026-11-22"
    signatures = case_view["strategy_discussion"]["signatures"]
    signatories = {s["signatory_id"] for s in signatures}
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
    case = api.scenario().case(steps.referral_received(form)).then(builder.ready_to_screen())
    referral_id = case.referral_id
    other_unsaid = steps.screened_out("other")
    problem = refused(api, referral_id, partial(api.attempt, referral_id, other_unsaid), 422)
    assert problem["errors"][0]["field"] == "other_reason"
    case.then(
        steps.screened_out("misguided_or_misinformed", "other").but(other_reason="Family dispute.")
    )
    clock.advance(days=2)
    case.then(steps.referred_to_alternative_support("Early Help").but(referred_on="2026-03-04"))
    case_view = api.case(referral_id, after=api.log_position())
    assert case_view["stage"] == "referred_to_alternative_support"
    assert case_view["screening"]["reasons"] == ["misguided_or_misinformed", "other"]
    assert case_view["closure"]["forum"] == "mash_triage"
    assert case_view["next_step"] == {
        "description": "Post-exit review at 6 months",
        "due_on": "2026-09-04",
    }
