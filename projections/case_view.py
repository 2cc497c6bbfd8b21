"""The case view: where each referral stands and what the process expects next.

It is the referral's PII-free state (the same fold the aggregate decides on) plus the next
step a caseworker should take, so a list of cases can be filtered and sorted by it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from aggregates.calendar import uk_date
from aggregates.referral_state import ReferralState, Stage
from events.vocabulary import PostExitReviewPoint, SignatoryCapacity, SocialCareService


class NextStep(BaseModel):
    model_config = ConfigDict(frozen=True)

    description: str
    due_on: date | None = None


class CaseSummary(BaseModel):
    """One row of the case list."""

    model_config = ConfigDict(frozen=True)

    referral_id: UUID
    reference: str
    stage: Stage
    received_at: datetime
    last_changed_at: datetime
    version: int
    next_step: NextStep | None
    open_dispute: bool


class CaseView(CaseSummary):
    """One case: its summary and everything the process knows about it, without personal data."""

    state: ReferralState


def reference(referral_id: UUID) -> str:
    """A short, human-friendly reference; the referral id itself stays the key."""
    return f"VTR-{referral_id.hex[:8].upper()}"


def case_view(state: ReferralState) -> CaseView:
    return CaseView(
        referral_id=state.referral_id,
        reference=reference(state.referral_id),
        stage=state.stage,
        received_at=state.received_at,
        last_changed_at=state.last_changed_at,
        version=state.version,
        next_step=next_step(state),
        open_dispute=state.open_dispute is not None,
        state=state,
    )


FIXED_STEPS = {
    Stage.AWAITING_FURTHER_INFORMATION: "Operational Desk: return the information requested",
    Stage.AWAITING_STRATEGY_DISCUSSION: "Schedule the strategy discussion",
    Stage.AWAITING_STRATEGY_MEETING: "Convene the strategy meeting",
    Stage.EXIT_AGREED: "Record the conclusion of the process",
    Stage.ALTERNATIVE_SUPPORT_AGREED: "Record the referral to alternative support",
}


def next_step(state: ReferralState) -> NextStep | None:
    """What the guidance expects to happen next on this referral, if anything."""
    if state.stage in FIXED_STEPS:
        return NextStep(description=FIXED_STEPS[state.stage])
    return STEP_BY_STAGE.get(state.stage, _post_exit_step)(state)


def _triage_step(state: ReferralState) -> NextStep:
    checked = state.security_checks_recorded_at is not None
    action = "screen the referral in or out" if checked else "record the security checks"
    return NextStep(description=f"MASH triage: {action}")


def _signature_step(state: ReferralState) -> NextStep:
    return NextStep(description=f"Section 2: signature awaited from {_missing_boxes(state)}")


def _meeting_step(state: ReferralState) -> NextStep:
    meeting = state.strategy_meeting
    due = uk_date(meeting.meeting_at) if meeting else None
    return NextStep(description="Record the strategy meeting's outcome", due_on=due)


def _review_step(state: ReferralState) -> NextStep:
    return NextStep(description="Hold the review of support", due_on=state.next_review_on)


def _discussion_step(state: ReferralState) -> NextStep:
    discussion = state.strategy_discussion
    assert discussion is not None  # noqa: S101 (implied by the stage)
    due = uk_date(discussion.scheduled_for)
    if not discussion.referrer_involvement:
        return NextStep(description="Consult the referrer, or invite them to attend", due_on=due)
    if discussion.risk_assessments == 0:
        return NextStep(description="Record the risk assessment", due_on=due)
    return NextStep(description="Record the strategy discussion's decision (Section 2)", due_on=due)


def _missing_boxes(state: ReferralState) -> str:
    discussion = state.strategy_discussion
    assert discussion is not None  # noqa: S101 (implied by the stage)
    signed = {signature.capacity for signature in discussion.signatures}
    missing = []
    if SignatoryCapacity.POLICE not in signed:
        missing.append("Norfolk Constabulary")
    if signed <= {SignatoryCapacity.POLICE}:
        service = discussion.social_care_service
        missing.append(
            "Children's Services"
            if service is SocialCareService.CHILDRENS_SERVICES
            else "Adult Social Services"
        )
    return " and ".join(missing)


def _post_exit_step(state: ReferralState) -> NextStep | None:
    closure = state.closure
    if closure is None:
        return None
    done = {review.review_point for review in state.post_exit_reviews}
    if PostExitReviewPoint.SIX_MONTHS not in done:
        return NextStep(
            description="Post-exit review at 6 months", due_on=closure.six_month_review_due_on
        )
    if PostExitReviewPoint.TWELVE_MONTHS not in done:
        return NextStep(
            description="Post-exit review at 12 months", due_on=closure.twelve_month_review_due_on
        )
    return None


STEP_BY_STAGE: dict[Stage, Callable[[ReferralState], NextStep | None]] = {
    Stage.TRIAGE: _triage_step,
    Stage.STRATEGY_DISCUSSION: _discussion_step,
    Stage.AWAITING_SECTION_2_SIGNATURES: _signature_step,
    Stage.STRATEGY_MEETING: _meeting_step,
    Stage.SUPPORT_AND_REVIEW: _review_step,
}
