"""How a referral's state follows from its events: one pure fold, used to decide and to show."""

from __future__ import annotations

from datetime import date
from functools import singledispatch
from typing import Literal

from aggregates import exit_day
from aggregates.meetings_evolution import MEETING_HANDLERS
from aggregates.referral_state import (
    Closure,
    Dispute,
    ExitRoute,
    FurtherInformationRequest,
    PostExitReview,
    ReferralState,
    ReferrerFeedback,
    Review,
    Screening,
    Signature,
    Stage,
    StrategyDiscussion,
    StrategyMeeting,
)
from aggregates.section8_evolution import SECTION_8_HANDLERS
from aggregates.sharing_evolution import SHARING_HANDLERS
from events.base import DomainEvent
from events.conclusion import PostExitReviewRecorded, ProcessConcluded, ReferredToAlternativeSupport
from events.dispute import DisputePackDisclosed, DisputeRaised, DisputeReferred, DisputeResolved
from events.intake import (
    FurtherInformationRequested,
    FurtherInformationReturned,
    ReferralReceived,
    ReferralScreenedIn,
    ReferralScreenedOut,
    SecurityChecksRecorded,
)
from events.review import ReviewHeld
from events.strategy_discussion import (
    MashDecisionSigned,
    ReferrerConsulted,
    ReferrerNotified,
    RiskAssessmentRecorded,
    StrategyDiscussionConcluded,
    StrategyDiscussionScheduled,
)
from events.strategy_meeting import StrategyMeetingConcluded, StrategyMeetingConvened
from events.vocabulary import DiscussionOutcome, Forum, MeetingOutcome, ReviewOutcome


def evolve(state: ReferralState | None, event: DomainEvent) -> ReferralState:
    """The state after `event`; the state passed in is updated in place where one exists."""
    if state is None:
        if not isinstance(event, ReferralReceived):
            raise TypeError(
                f"a referral's history must start with ReferralReceived, not {event.TOPIC}"
            )
        state = _received(event)
    else:
        _apply(event, state)
    state.version = event.originator_version
    state.last_changed_at = event.audit.occurred_at
    return state


def _received(event: ReferralReceived) -> ReferralState:
    return ReferralState(
        referral_id=event.originator_id,
        version=event.originator_version,
        stage=Stage.TRIAGE,
        received_at=event.received_at,
        received_via=event.received_via,
        referring_agency=event.referring_agency,
        subject_age_group=event.subject_age_group,
        recorded_at=event.audit.occurred_at,
        recorded_by=event.audit.actor_id,
        last_changed_at=event.audit.occurred_at,
    )


@singledispatch
def _apply(event: DomainEvent, _state: ReferralState) -> None:
    raise TypeError(f"{event.TOPIC} does not apply to a referral")


for _event_type, _handler in (SHARING_HANDLERS | SECTION_8_HANDLERS | MEETING_HANDLERS).items():
    _apply.register(_event_type, _handler)


@_apply.register
def _(event: SecurityChecksRecorded, state: ReferralState) -> None:
    state.security_checks_recorded_at = event.audit.occurred_at


@_apply.register
def _(event: FurtherInformationRequested, state: ReferralState) -> None:
    state.further_information_requests.append(
        FurtherInformationRequest(request_no=event.request_no, requested_at=event.audit.occurred_at)
    )
    state.stage = Stage.AWAITING_FURTHER_INFORMATION


@_apply.register
def _(event: FurtherInformationReturned, state: ReferralState) -> None:
    state.further_information_requests[-1].returned_at = event.audit.occurred_at
    state.stage = Stage.TRIAGE


@_apply.register
def _(event: ReferralScreenedOut, state: ReferralState) -> None:
    state.screening = Screening(
        screened_in=False, reasons=list(event.reasons), decided_at=event.audit.occurred_at
    )
    state.stage = Stage.SCREENED_OUT


@_apply.register
def _(event: ReferralScreenedIn, state: ReferralState) -> None:
    state.screening = Screening(screened_in=True, reasons=[], decided_at=event.audit.occurred_at)
    state.stage = Stage.AWAITING_STRATEGY_DISCUSSION


@_apply.register
def _(event: StrategyDiscussionScheduled, state: ReferralState) -> None:
    previous = state.strategy_discussion
    state.strategy_discussion = StrategyDiscussion(
        scheduled_for=event.scheduled_for,
        lead_officer=event.lead_officer,
        social_care_service=event.social_care_service,
        social_care_representative=event.social_care_representative,
        referrer_involvement=previous.referrer_involvement if previous else [],
        risk_assessments=previous.risk_assessments if previous else 0,
    )
    state.stage = Stage.STRATEGY_DISCUSSION


@_apply.register
def _(event: ReferrerConsulted, state: ReferralState) -> None:
    discussion = _discussion(state)
    if event.involvement not in discussion.referrer_involvement:
        discussion.referrer_involvement.append(event.involvement)


@_apply.register
def _(event: RiskAssessmentRecorded, state: ReferralState) -> None:
    _discussion(state).risk_assessments = event.assessment_no


@_apply.register
def _(event: StrategyDiscussionConcluded, state: ReferralState) -> None:
    discussion = _discussion(state)
    discussion.outcome = event.outcome
    discussion.vtr_category = event.vtr_category
    discussion.concluded_at = event.audit.occurred_at
    state.stage = Stage.AWAITING_SECTION_2_SIGNATURES


@_apply.register
def _(event: MashDecisionSigned, state: ReferralState) -> None:
    discussion = _discussion(state)
    discussion.signatures.append(
        Signature(
            capacity=event.capacity,
            signatory_id=event.audit.actor_id,
            signed_at=event.audit.occurred_at,
        )
    )
    if len(discussion.signatures) == 2:  # noqa: PLR2004 (Section 2 has two signature boxes)
        _section_2_takes_effect(state, discussion, exit_day.of_section_2(event))


def _section_2_takes_effect(state: ReferralState, discussion: StrategyDiscussion, on: date) -> None:
    # Section 2 takes effect with its second signature: an exit it decides is agreed that day.
    if discussion.outcome is DiscussionOutcome.VTR_APPROPRIATE:
        state.stage = Stage.AWAITING_STRATEGY_MEETING
    elif discussion.outcome is DiscussionOutcome.ALTERNATIVE_SUPPORT:
        _agree_exit(state, "alternative_support", Forum.STRATEGY_DISCUSSION, on)
    else:
        _agree_exit(state, "conclusion", Forum.STRATEGY_DISCUSSION, on)


@_apply.register
def _(event: ReferrerNotified, state: ReferralState) -> None:
    state.referrer_feedback.append(
        ReferrerFeedback(
            feedback_point=event.feedback_point,
            notified_at=event.notified_at,
            notified_by=event.notified_by,
            method=event.method,
        )
    )


@_apply.register
def _(event: StrategyMeetingConvened, state: ReferralState) -> None:
    # A meeting convened again is a new sitting: its statement must be read again.
    state.strategy_meeting = StrategyMeeting(
        meeting_at=event.meeting_at, chair=event.chair, nominated_by=event.nominated_by
    )
    state.stage = Stage.STRATEGY_MEETING


@_apply.register
def _(event: StrategyMeetingConcluded, state: ReferralState) -> None:
    meeting = _meeting(state)
    meeting.outcome = event.outcome
    meeting.concluded_at = event.audit.occurred_at
    on = exit_day.of_meeting(meeting.meeting_at, event)
    if event.outcome is MeetingOutcome.SUPPORT_PACKAGE:
        state.action_plan = list(event.action_plan)
        state.next_review_on = event.review_on
        state.stage = Stage.SUPPORT_AND_REVIEW
    elif event.outcome is MeetingOutcome.ALTERNATIVE_SUPPORT:
        _agree_exit(state, "alternative_support", Forum.STRATEGY_MEETING, on)
    else:
        _agree_exit(state, "conclusion", Forum.STRATEGY_MEETING, on)


@_apply.register
def _(event: ReviewHeld, state: ReferralState) -> None:
    state.reviews.append(
        Review(
            review_no=event.review_no,
            held_on=event.held_on,
            outcome=event.outcome,
            next_review_on=event.next_review_on,
        )
    )
    if event.amended_action_plan is not None:
        state.action_plan = list(event.amended_action_plan)
    state.next_review_on = event.next_review_on
    if event.outcome is ReviewOutcome.CONCLUDE:
        _agree_exit(state, "conclusion", Forum.REVIEW, exit_day.of_review(event))


def _agree_exit(
    state: ReferralState,
    kind: Literal["conclusion", "alternative_support"],
    forum: Forum,
    on: date,
) -> None:
    state.exit_route = ExitRoute(kind=kind, forum=forum, agreed_on=on)
    state.next_review_on = None
    state.stage = Stage.EXIT_AGREED if kind == "conclusion" else Stage.ALTERNATIVE_SUPPORT_AGREED


@_apply.register
def _(event: ProcessConcluded, state: ReferralState) -> None:
    state.closure = Closure(
        kind="concluded",
        forum=event.forum,
        closed_on=event.concluded_on,
        support_provider=None,
        six_month_review_due_on=event.six_month_review_due_on,
        twelve_month_review_due_on=event.twelve_month_review_due_on,
    )
    state.stage = Stage.CONCLUDED


@_apply.register
def _(event: ReferredToAlternativeSupport, state: ReferralState) -> None:
    state.closure = Closure(
        kind="referred_to_alternative_support",
        forum=event.forum,
        closed_on=event.referred_on,
        support_provider=event.support_provider,
        six_month_review_due_on=event.six_month_review_due_on,
        twelve_month_review_due_on=event.twelve_month_review_due_on,
    )
    state.stage = Stage.REFERRED_TO_ALTERNATIVE_SUPPORT


@_apply.register
def _(event: PostExitReviewRecorded, state: ReferralState) -> None:
    state.post_exit_reviews.append(
        PostExitReview(
            review_point=event.review_point,
            reviewed_on=event.reviewed_on,
            outcome=event.outcome,
        )
    )


@_apply.register
def _(event: DisputeRaised, state: ReferralState) -> None:
    state.disputes.append(
        Dispute(
            dispute_no=event.dispute_no,
            disputed_decision=event.disputed_decision,
            raised_at=event.audit.occurred_at,
        )
    )


@_apply.register
def _(event: DisputeReferred, state: ReferralState) -> None:
    _dispute(state, event.dispute_no).referred_at = event.audit.occurred_at


@_apply.register
def _(event: DisputeResolved, state: ReferralState) -> None:
    dispute = _dispute(state, event.dispute_no)
    dispute.resolved_at = event.audit.occurred_at
    dispute.outcome = event.outcome


@_apply.register
def _(_event: DisputePackDisclosed, state: ReferralState) -> None:
    state.dispute_packs += 1


def _discussion(state: ReferralState) -> StrategyDiscussion:
    if state.strategy_discussion is None:
        raise TypeError("event needs a scheduled strategy discussion")
    return state.strategy_discussion


def _meeting(state: ReferralState) -> StrategyMeeting:
    if state.strategy_meeting is None:
        raise TypeError("event needs a convened strategy meeting")
    return state.strategy_meeting


def _dispute(state: ReferralState, dispute_no: int) -> Dispute:
    for dispute in state.disputes:
        if dispute.dispute_no == dispute_no:
            return dispute
    raise TypeError(f"event names dispute {dispute_no}, which was never raised")
