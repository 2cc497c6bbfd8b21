"""One referral through every stage of the guidance, over HTTP, step by step."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from tests.api_client import Api
from tests.support import NARRATIVE, REFERRER_NAME, FixedClock, referral_form

RISK_ASSESSMENT = {
    "nature_and_pattern_of_behaviour": f"Escalating: {NARRATIVE}.",
    "nature_of_risk": "Being drawn into violent extremism.",
    "who_is_at_risk": ["subject", "children"],
    "circumstances_increasing_risk": ["relationships"],
    "factors_reducing_risk": "Supportive grandparent; attends art club.",
    "medical_evidence": "None known.",
    "medical_explanation": "no",
}
ACTIONS = [
    {"description": "Weekly mentoring at school", "lead_agency": "Greenfield High School"},
    {"description": "Family support visit", "lead_agency": "Children's Services"},
]


def at(clock: FixedClock, text: str) -> None:
    clock.moment = datetime.fromisoformat(text).replace(tzinfo=UTC)


def triage(api: Api, clock: FixedClock) -> UUID:
    referral_id = api.received(referral_form())
    api.ok(referral_id, "security-checks", by="triage-1")
    api.ok(
        referral_id,
        "further-information-requests",
        {"information_needed": f"Has the school seen that {NARRATIVE}?"},
        by="triage-1",
    )
    clock.advance(hours=5)
    api.ok(
        referral_id,
        "further-information-returns",
        {"information_summary": "Attendance 82%; one earlier incident."},
        by="desk-1",
    )
    api.ok(referral_id, "screen-in", {"rationale": "Indicators in two categories."}, by="triage-1")
    return referral_id


def strategy_discussion(api: Api, clock: FixedClock, referral_id: UUID) -> None:
    clock.advance(days=1)
    discussion_under_way(api, clock, referral_id)
    ready_to_decide(api, referral_id, {"involvement": "invited_to_attend", "notes": "Attended."})
    api.ok(
        referral_id,
        "strategy-discussion/decision",
        {"outcome": "vtr_appropriate", "vtr_category": "Extreme right-wing"},
        by="police-1",
    )


def discussion_under_way(
    api: Api, clock: FixedClock, referral_id: UUID, day: str = "2026-03-05"
) -> None:
    """A child's strategy discussion scheduled for 14:00 on `day`, and the clock at 15:00."""
    api.ok(
        referral_id,
        "strategy-discussion/schedule",
        {
            "scheduled_for": f"{day}T14:00:00Z",
            "lead_officer": "police-1",
            "social_care_service": "childrens_services",
            "social_care_representative": "cs-1",
        },
        by="police-1",
    )
    at(clock, f"{day}T15:00:00")


def ready_to_decide(
    api: Api, referral_id: UUID, consultation: dict[str, Any] | None = None
) -> None:
    """The referrer consulted and the risk assessed: what the decision needs first."""
    api.ok(
        referral_id,
        "strategy-discussion/referrer-consultations",
        consultation or {"involvement": "consulted"},
        by="police-1",
    )
    api.ok(
        referral_id,
        "strategy-discussion/risk-assessments",
        {"assessment": RISK_ASSESSMENT},
        by="police-1",
    )


def section_2_signatures(api: Api, referral_id: UUID) -> None:
    api.ok(referral_id, "mash-decision/signatures", {"capacity": "police"}, by="police-1")
    api.ok(referral_id, "mash-decision/signatures", {"capacity": "childrens_services"}, by="cs-1")


def feedback(api: Api, clock: FixedClock, referral_id: UUID, point: str) -> None:
    api.ok(
        referral_id,
        "referrer-notifications",
        {
            "feedback_point": point,
            "notified_at": clock.now().isoformat(),
            "notified_person": REFERRER_NAME,
            "method": "telephone",
        },
        by="triage-1",
    )


def strategy_meeting_and_reviews(api: Api, clock: FixedClock, referral_id: UUID) -> None:
    api.ok(
        referral_id,
        "strategy-meeting/convene",
        {"meeting_at": "2026-03-12T10:00:00Z", "chair": "chair-1"},
        by="chair-1",
    )
    at(clock, "2026-03-12T12:00:00")
    api.ok(
        referral_id,
        "strategy-meeting/outcome",
        {
            "outcome": "support_package",
            "actions": ACTIONS,
            "review_on": "2026-04-16",
            "rationale": "Consensus that support is required.",
        },
        by="chair-1",
    )
    at(clock, "2026-04-16T12:00:00")
    api.ok(
        referral_id,
        "reviews",
        {
            "held_on": "2026-04-16",
            "outcome": "amend_plan",
            "next_review_on": "2026-05-21",
            "amended_actions": [
                *ACTIONS,
                {"description": "Youth club place", "lead_agency": "YOT"},
            ],
            "progress_notes": "Engaging well with mentoring.",
        },
        by="chair-1",
    )
    at(clock, "2026-05-21T12:00:00")
    api.ok(
        referral_id,
        "reviews",
        {
            "held_on": "2026-05-21",
            "outcome": "conclude",
            "progress_notes": "No further concern.",
        },
        by="chair-1",
    )


def conclusion(api: Api, clock: FixedClock, referral_id: UUID) -> None:
    at(clock, "2026-05-22T09:00:00")
    api.ok(referral_id, "conclusion", {"concluded_on": "2026-05-22"}, by="chair-1")
    feedback(api, clock, referral_id, "conclusion")
    at(clock, "2026-11-23T09:00:00")
    api.ok(
        referral_id,
        "post-exit-reviews",
        {
            "review_point": "six_months",
            "reviewed_on": "2026-11-23",
            "outcome": "no_further_concern",
        },
        by="chair-1",
    )
    at(clock, "2027-05-24T09:00:00")
    api.ok(
        referral_id,
        "post-exit-reviews",
        {
            "review_point": "twelve_months",
            "reviewed_on": "2027-05-24",
            "outcome": "no_further_concern",
            "notes": "Settled.",
        },
        by="chair-1",
    )


def dispute(api: Api, referral_id: UUID, decision: str = "review") -> None:
    api.ok(
        referral_id,
        "disputes",
        {"disputed_decision": decision, "grounds": "The school disagrees."},
        by="police-2",
    )
    api.ok(
        referral_id,
        "disputes/referral",
        {
            "dispute_no": len(
                [e for e in api.history(referral_id) if e["event"] == "DisputeRaised"]
            ),
            "head_of_safeguarding": "hos-1",
            "detective_superintendent": "dsupt-1",
        },
        by="triage-1",
    )


def full_lifecycle(api: Api, clock: FixedClock) -> UUID:
    """Every stage in order; returns the referral id."""
    referral_id = triage(api, clock)
    strategy_discussion(api, clock, referral_id)
    section_2_signatures(api, referral_id)
    feedback(api, clock, referral_id, "strategy_discussion")
    strategy_meeting_and_reviews(api, clock, referral_id)
    conclusion(api, clock, referral_id)
    return referral_id


def refused(api: Api, referral_id: UUID, attempt: Callable[[], Any], status: int) -> dict[str, Any]:
    """Run a refused attempt and check it stored nothing; returns the problem document."""
    events_before, position_before = len(api.history(referral_id)), api.log_position()
    response = attempt()
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert len(api.history(referral_id)) == events_before
    assert api.log_position() == position_before
    problem: dict[str, Any] = response.json()
    return problem
