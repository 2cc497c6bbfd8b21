"""The next step a caseworker should take on a case, worked out from the case view alone."""

from __future__ import annotations

from collections.abc import Callable

from aggregates.calendar import uk_date
from events.vocabulary import PostExitReviewPoint, SignatoryCapacity, SocialCareService
from projections.case_view import CaseView, NextStep, Stage, StrategyDiscussion

FIXED_STEPS = {
    Stage.AWAITING_FURTHER_INFORMATION: "Operational Desk: return the information requested",
    Stage.AWAITING_STRATEGY_DISCUSSION: "Schedule the strategy discussion",
    Stage.AWAITING_STRATEGY_MEETING: "Convene the strategy meeting",
    Stage.EXIT_AGREED: "Record the conclusion of the process",
    Stage.ALTERNATIVE_SUPPORT_AGREED: "Record the referral to alternative support",
}


def next_step(view: CaseView) -> NextStep | None:
    """What the guidance expects to happen next on this referral, if anything."""
    if view.stage in FIXED_STEPS:
        return NextStep(description=FIXED_STEPS[view.stage])
    return STEP_BY_STAGE.get(view.stage, _post_exit_step)(view)


def _triage_step(view: CaseView) -> NextStep:
    checked = view.intake.security_checks_recorded_at is not None
    action = "screen the referral in or out" if checked else "record the security checks"
    return NextStep(description=f"MASH triage: {action}")


def _discussion_step(view: CaseView) -> NextStep:
    discussion = _discussion(view)
    due = uk_date(discussion.scheduled_for)
    if not discussion.referrer_involvement:
        return NextStep(description="Consult the referrer, or invite them to attend", due_on=due)
    if discussion.risk_assessments == 0:
        return NextStep(description="Record the risk assessment", due_on=due)
    return NextStep(description="Record the strategy discussion's decision (Section 2)", due_on=due)


def _signature_step(view: CaseView) -> NextStep:
    discussion = _discussion(view)
    signed = {signature.capacity for signature in discussion.signatures}
    missing = []
    if SignatoryCapacity.POLICE not in signed:
        missing.append("Norfolk Constabulary")
    if signed <= {SignatoryCapacity.POLICE}:
        missing.append(
            "Children's Services"
            if discussion.social_care_service is SocialCareService.CHILDRENS_SERVICES
            else "Adult Social Services"
        )
    return NextStep(description=f"Section 2: signature awaited from {' and '.join(missing)}")


def _meeting_step(view: CaseView) -> NextStep:
    meeting = view.strategy_meeting
    due = uk_date(meeting.meeting_at) if meeting else None
    return NextStep(description="Record the strategy meeting's outcome", due_on=due)


def _review_step(view: CaseView) -> NextStep:
    return NextStep(description="Hold the review of support", due_on=view.next_review_on)


def _post_exit_step(view: CaseView) -> NextStep | None:
    closure = view.closure
    if closure is None:
        return None
    done = {review.review_point for review in closure.post_exit_reviews}
    if PostExitReviewPoint.SIX_MONTHS not in done:
        return NextStep(
            description="Post-exit review at 6 months", due_on=closure.six_month_review_due_on
        )
    if PostExitReviewPoint.TWELVE_MONTHS not in done:
        return NextStep(
            description="Post-exit review at 12 months", due_on=closure.twelve_month_review_due_on
        )
    return None


def _discussion(view: CaseView) -> StrategyDiscussion:
    if view.strategy_discussion is None:
        raise TypeError(f"a case at stage {view.stage} has a strategy discussion")
    return view.strategy_discussion


STEP_BY_STAGE: dict[Stage, Callable[[CaseView], NextStep | None]] = {
    Stage.TRIAGE: _triage_step,
    Stage.STRATEGY_DISCUSSION: _discussion_step,
    Stage.AWAITING_SECTION_2_SIGNATURES: _signature_step,
    Stage.STRATEGY_MEETING: _meeting_step,
    Stage.SUPPORT_AND_REVIEW: _review_step,
}
