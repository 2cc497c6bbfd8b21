"""One referral through every stage of the guidance, over HTTP, in the builder's steps."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from scenarios import builder, steps
from scenarios.builder import Case
from tests.api_client import Api
from tests.support import ACTORS, NARRATIVE, REFERRER_NAME, FixedClock, referral_form

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


def case_of(api: Api, referral_id: UUID) -> Case:
    return Case(api.scenario(), referral_id)


def triage(api: Api, clock: FixedClock) -> UUID:
    case = api.scenario().case(steps.referral_received(referral_form()))
    case.then(
        steps.security_checks_recorded(),
        steps.further_information_requested(f"Has the school seen that {NARRATIVE}?"),
    )
    case.later(hours=5).then(
        steps.further_information_returned("Attendance 82%; one earlier incident."),
        steps.screened_in("Indicators in two categories."),
    )
    return case.referral_id


def strategy_discussion(api: Api, clock: FixedClock, referral_id: UUID) -> None:
    clock.advance(days=1)
    discussion_under_way(api, clock, referral_id)
    ready_to_decide(api, referral_id, {"involvement": "invited_to_attend", "notes": "Attended."})
    case_of(api, referral_id).then(steps.discussion_held())


def discussion_under_way(
    api: Api, clock: FixedClock, referral_id: UUID, day: str = "2026-03-05"
) -> None:
    """A child's strategy discussion scheduled for 14:00 on `day`, and the clock at 15:00."""
    scheduled = steps.discussion_scheduled(scheduled_for=f"{day}T14:00:00Z")
    case_of(api, referral_id).then(scheduled)
    at(clock, f"{day}T15:00:00")


def ready_to_decide(
    api: Api, referral_id: UUID, consultation: dict[str, Any] | None = None
) -> None:
    """The referrer consulted and the risk assessed: what the decision needs first."""
    case_of(api, referral_id).then(
        steps.referrer_consulted().but(**(consultation or {})),
        steps.risk_assessed(RISK_ASSESSMENT),
    )


def section_2_signatures(api: Api, referral_id: UUID) -> None:
    case_of(api, referral_id).then(builder.signatures())


def feedback(api: Api, clock: FixedClock, referral_id: UUID, point: str) -> None:
    case_of(api, referral_id).then(steps.referrer_notified(point, REFERRER_NAME))


def strategy_meeting_and_reviews(api: Api, clock: FixedClock, referral_id: UUID) -> None:
    case = case_of(api, referral_id).then(steps.meeting_convened("2026-03-12T10:00:00Z"))
    at(clock, "2026-03-12T12:00:00")
    case.then(
        steps.meeting_held().but(
            actions=ACTIONS, review_on="2026-04-16", rationale="Consensus that support is required."
        )
    )
    at(clock, "2026-04-16T12:00:00")
    case.then(
        steps.reviewed("amend_plan").but(
            next_review_on="2026-05-21",
            amended_actions=[*ACTIONS, {"description": "Youth club place", "lead_agency": "YOT"}],
            progress_notes="Engaging well with mentoring.",
        )
    )
    at(clock, "2026-05-21T12:00:00")
    case.then(steps.reviewed("conclude").but(progress_notes="No further concern."))


def conclusion(api: Api, clock: FixedClock, referral_id: UUID) -> None:
    at(clock, "2026-05-22T09:00:00")
    case = case_of(api, referral_id).then(steps.process_concluded())
    feedback(api, clock, referral_id, "conclusion")
    at(clock, "2026-11-23T09:00:00")
    case.then(steps.post_exit_reviewed("six_months"))
    at(clock, "2027-05-24T09:00:00")
    case.then(steps.post_exit_reviewed("twelve_months").but(notes="Settled."))


def exit_agreed_at_a_back_dated_meeting(api: Api, clock: FixedClock) -> UUID:
    """A meeting held on 12 March found no risk of being drawn in; its outcome was entered on
    the 17th, and the conclusion dated on the meeting's day."""
    referral_id = triage(api, clock)
    strategy_discussion(api, clock, referral_id)
    section_2_signatures(api, referral_id)
    case = case_of(api, referral_id).then(steps.meeting_convened("2026-03-12T10:00:00Z"))
    at(clock, "2026-03-17T16:00:00")
    case.then(steps.meeting_held("not_being_drawn_in"))
    case.then(steps.process_concluded().but(concluded_on="2026-03-12"))
    return referral_id


def dispute(api: Api, referral_id: UUID, decision: str = "review") -> None:
    raised = [e for e in api.history(referral_id) if e["event"] == "DisputeRaised"]
    case_of(api, referral_id).then(
        steps.dispute_raised(decision, "The school disagrees.").taken_by(ACTORS["police-2"]),
        steps.dispute_referred(len(raised) + 1),
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
