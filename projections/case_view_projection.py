"""Keeps the case view up to date: one small handler per referral event, folded a batch at a
time.

The view is folded from the events themselves, never from the aggregate's own state: what
the write side keeps in order to decide may change freely, what clients read may not. The
same fold answers a case recorded but not yet projected (`case_view`), so a read of one's
own change and the projected view can never differ.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, Literal, TypeVar
from uuid import UUID

from events.base import DomainEvent
from events.conclusion import PostExitReviewRecorded, ProcessConcluded, ReferredToAlternativeSupport
from events.consent import (
    ConsentApproachDecided,
    ConsentGiven,
    ConsentRefused,
    ConsentSought,
    ConsentWithdrawn,
)
from events.disposal import (
    AgencyInvolvementEnded,
    AgencyInvolvementEndProposed,
    DisposalConfirmed,
    DisposalObligationRaised,
    LegalHoldLifted,
    LegalHoldPlaced,
)
from events.dispute import DisputeRaised, DisputeReferred, DisputeResolved
from events.erasure import ErasureApproved, ErasureExecuted, ErasureRequested, RetentionReviewed
from events.forms import AgencyRef
from events.forms import PlannedAction as PlannedActionRecord
from events.intake import (
    FurtherInformationRequested,
    FurtherInformationReturned,
    ReferralReceived,
    ReferralScreenedIn,
    ReferralScreenedOut,
    SecurityChecksRecorded,
)
from events.review import ReviewHeld
from events.sharing import (
    AgencyInvitedToStrategyMeeting,
    ConfidentialityStatementRead,
    DisclosureWithheld,
    InformationDisclosed,
    OnwardDisclosureSanctioned,
    SubjectDiscussionDecided,
)
from events.strategy_discussion import (
    MashDecisionSigned,
    ReferrerConsulted,
    ReferrerNotified,
    RiskAssessmentRecorded,
    StrategyDiscussionConcluded,
    StrategyDiscussionScheduled,
)
from events.strategy_meeting import StrategyMeetingConcluded, StrategyMeetingConvened
from events.vocabulary import (
    ConsentStatus,
    DiscussionOutcome,
    Forum,
    MeetingOutcome,
    ReviewOutcome,
)
from projections.case_view import (
    Agency,
    CaseView,
    Closure,
    ConsentDecision,
    Disclosure,
    Dispute,
    ErasureRequest,
    ExitAgreed,
    FurtherInformationRequest,
    Intake,
    LegalHold,
    Obligation,
    PlannedAction,
    PostExitReview,
    ReferrerFeedback,
    Review,
    Screening,
    Signature,
    Stage,
    StrategyDiscussion,
    StrategyMeeting,
    ViewModel,
    reference,
)
from projections.case_view_next_step import next_step
from projections.case_view_store import CaseViewStore
from projections.runner import Positioned

E = TypeVar("E", bound=DomainEvent)
M = TypeVar("M", bound=ViewModel)
Handler = Callable[[CaseView, E], CaseView]
HANDLERS: dict[str, Handler[Any]] = {}
ExitKind = Literal["conclusion", "alternative_support"]


def case_view(events: Iterable[DomainEvent]) -> CaseView:
    """The view of one referral from its own events, in order."""
    view: CaseView | None = None
    for event in events:
        view = fold(view, event)
    if view is None:
        raise ValueError("a case view is folded from at least the referral's receipt")
    return view


def fold(view: CaseView | None, event: DomainEvent) -> CaseView:
    """The view after `event`."""
    if view is None:
        if not isinstance(event, ReferralReceived):
            raise TypeError(
                f"a referral's history must start with ReferralReceived, not {event.TOPIC}"
            )
        changed = _received(event)
    else:
        handler = HANDLERS.get(event.TOPIC)
        if handler is None:
            raise TypeError(f"{event.TOPIC} does not apply to a referral")
        changed = handler(view, event)
    stamped = changed.model_copy(
        update={
            "version": event.originator_version,
            "last_changed_at": event.audit.occurred_at,
            "open_dispute": any(dispute.resolved_at is None for dispute in changed.disputes),
        }
    )
    return stamped.model_copy(update={"next_step": next_step(stamped)})


def on(event_type: type[E]) -> Callable[[Handler[E]], Handler[E]]:
    """Register the handler of one event topic (only one: the view must not depend on
    which of two was registered last)."""

    def register(handler: Handler[E]) -> Handler[E]:
        if event_type.TOPIC in HANDLERS:
            raise RuntimeError(f"{event_type.TOPIC} already has a case-view handler")
        HANDLERS[event_type.TOPIC] = handler
        return handler

    return register


def _received(event: ReferralReceived) -> CaseView:
    return CaseView(
        referral_id=event.originator_id,
        reference=reference(event.originator_id),
        stage=Stage.TRIAGE,
        received_at=event.received_at,
        last_changed_at=event.audit.occurred_at,
        version=event.originator_version,
        next_step=None,
        open_dispute=False,
        intake=Intake(
            received_via=event.received_via,
            referring_agency=event.referring_agency,
            subject_age_group=event.subject_age_group,
            recorded_at=event.audit.occurred_at,
            recorded_by=event.audit.actor_id,
        ),
    )


# Intake and MASH triage


@on(SecurityChecksRecorded)
def _security_checks(view: CaseView, event: SecurityChecksRecorded) -> CaseView:
    intake = view.intake.model_copy(update={"security_checks_recorded_at": event.timestamp})
    return view.model_copy(update={"intake": intake})


@on(FurtherInformationRequested)
def _information_requested(view: CaseView, event: FurtherInformationRequested) -> CaseView:
    request = FurtherInformationRequest(request_no=event.request_no, requested_at=event.timestamp)
    requests = (*view.intake.further_information_requests, request)
    intake = view.intake.model_copy(update={"further_information_requests": requests})
    return view.model_copy(update={"intake": intake, "stage": Stage.AWAITING_FURTHER_INFORMATION})


@on(FurtherInformationReturned)
def _information_returned(view: CaseView, event: FurtherInformationReturned) -> CaseView:
    requests = _changed(
        view.intake.further_information_requests,
        lambda request: request.request_no == event.request_no,
        returned_at=event.timestamp,
    )
    intake = view.intake.model_copy(update={"further_information_requests": requests})
    return view.model_copy(update={"intake": intake, "stage": Stage.TRIAGE})


@on(ReferralScreenedOut)
def _screened_out(view: CaseView, event: ReferralScreenedOut) -> CaseView:
    screening = Screening(
        screened_in=False, reasons=tuple(event.reasons), decided_at=event.timestamp
    )
    return view.model_copy(update={"screening": screening, "stage": Stage.SCREENED_OUT})


@on(ReferralScreenedIn)
def _screened_in(view: CaseView, event: ReferralScreenedIn) -> CaseView:
    screening = Screening(screened_in=True, reasons=(), decided_at=event.timestamp)
    return view.model_copy(
        update={"screening": screening, "stage": Stage.AWAITING_STRATEGY_DISCUSSION}
    )


# Strategy discussion


@on(StrategyDiscussionScheduled)
def _discussion_scheduled(view: CaseView, event: StrategyDiscussionScheduled) -> CaseView:
    # Scheduled again: a new sitting, but what the referrer and the risk assessment gave stays.
    previous = view.strategy_discussion
    discussion = StrategyDiscussion(
        scheduled_for=event.scheduled_for,
        lead_officer=event.lead_officer,
        social_care_service=event.social_care_service,
        social_care_representative=event.social_care_representative,
        referrer_involvement=previous.referrer_involvement if previous else (),
        risk_assessments=previous.risk_assessments if previous else 0,
    )
    return view.model_copy(
        update={"strategy_discussion": discussion, "stage": Stage.STRATEGY_DISCUSSION}
    )


@on(ReferrerConsulted)
def _referrer_consulted(view: CaseView, event: ReferrerConsulted) -> CaseView:
    discussion = _discussion(view)
    if event.involvement in discussion.referrer_involvement:
        return view
    involvement = (*discussion.referrer_involvement, event.involvement)
    return _with_discussion(view, referrer_involvement=involvement)


@on(RiskAssessmentRecorded)
def _risk_assessed(view: CaseView, event: RiskAssessmentRecorded) -> CaseView:
    return _with_discussion(view, risk_assessments=event.assessment_no)


@on(StrategyDiscussionConcluded)
def _discussion_concluded(view: CaseView, event: StrategyDiscussionConcluded) -> CaseView:
    concluded = _with_discussion(
        view,
        outcome=event.outcome,
        vtr_category=event.vtr_category,
        concluded_at=event.timestamp,
    )
    return concluded.model_copy(update={"stage": Stage.AWAITING_SECTION_2_SIGNATURES})


@on(MashDecisionSigned)
def _signed(view: CaseView, event: MashDecisionSigned) -> CaseView:
    signature = Signature(
        capacity=event.capacity, signatory_id=event.audit.actor_id, signed_at=event.timestamp
    )
    signed = _with_discussion(view, signatures=(*_discussion(view).signatures, signature))
    discussion = _discussion(signed)
    if len(discussion.signatures) < 2:  # noqa: PLR2004 (Section 2 has two signature boxes)
        return signed
    # The second signature: the strategy discussion's decision takes effect.
    if discussion.outcome is DiscussionOutcome.VTR_APPROPRIATE:
        return signed.model_copy(update={"stage": Stage.AWAITING_STRATEGY_MEETING})
    kind: ExitKind = (
        "alternative_support"
        if discussion.outcome is DiscussionOutcome.ALTERNATIVE_SUPPORT
        else "conclusion"
    )
    return _exit_agreed(signed, kind, Forum.STRATEGY_DISCUSSION, event)


@on(ReferrerNotified)
def _referrer_notified(view: CaseView, event: ReferrerNotified) -> CaseView:
    feedback = ReferrerFeedback(
        feedback_point=event.feedback_point,
        notified_at=event.notified_at,
        notified_by=event.notified_by,
        method=event.method,
    )
    return view.model_copy(update={"referrer_feedback": (*view.referrer_feedback, feedback)})


# Strategy meeting


@on(StrategyMeetingConvened)
def _meeting_convened(view: CaseView, event: StrategyMeetingConvened) -> CaseView:
    # Convened again: a new sitting, whose confidentiality statement must be read again.
    meeting = StrategyMeeting(
        meeting_at=event.meeting_at, chair=event.chair, nominated_by=event.nominated_by
    )
    return view.model_copy(update={"strategy_meeting": meeting, "stage": Stage.STRATEGY_MEETING})


@on(StrategyMeetingConcluded)
def _meeting_concluded(view: CaseView, event: StrategyMeetingConcluded) -> CaseView:
    meeting = _meeting(view).model_copy(
        update={"outcome": event.outcome, "concluded_at": event.timestamp}
    )
    concluded = view.model_copy(update={"strategy_meeting": meeting})
    if event.outcome is MeetingOutcome.SUPPORT_PACKAGE:
        return concluded.model_copy(
            update={
                "action_plan": _action_plan(event.action_plan),
                "next_review_on": event.review_on,
                "stage": Stage.SUPPORT_AND_REVIEW,
            }
        )
    kind: ExitKind = (
        "alternative_support"
        if event.outcome is MeetingOutcome.ALTERNATIVE_SUPPORT
        else "conclusion"
    )
    return _exit_agreed(concluded, kind, Forum.STRATEGY_MEETING, event)


# Review


@on(ReviewHeld)
def _review_held(view: CaseView, event: ReviewHeld) -> CaseView:
    amended = event.amended_action_plan
    review = Review(
        review_no=event.review_no,
        held_on=event.held_on,
        outcome=event.outcome,
        next_review_on=event.next_review_on,
        action_plan_amended=amended is not None,
    )
    reviewed = view.model_copy(
        update={
            "reviews": (*view.reviews, review),
            "action_plan": view.action_plan if amended is None else _action_plan(amended),
            "next_review_on": event.next_review_on,
        }
    )
    if event.outcome is ReviewOutcome.CONCLUDE:
        return _exit_agreed(reviewed, "conclusion", Forum.REVIEW, event)
    return reviewed


# Conclusion


@on(ProcessConcluded)
def _concluded(view: CaseView, event: ProcessConcluded) -> CaseView:
    closure = Closure(
        kind="concluded",
        forum=event.forum,
        closed_on=event.concluded_on,
        six_month_review_due_on=event.six_month_review_due_on,
        twelve_month_review_due_on=event.twelve_month_review_due_on,
    )
    return view.model_copy(update={"closure": closure, "stage": Stage.CONCLUDED})


@on(ReferredToAlternativeSupport)
def _referred_on(view: CaseView, event: ReferredToAlternativeSupport) -> CaseView:
    closure = Closure(
        kind="referred_to_alternative_support",
        forum=event.forum,
        closed_on=event.referred_on,
        support_provider=event.support_provider,
        six_month_review_due_on=event.six_month_review_due_on,
        twelve_month_review_due_on=event.twelve_month_review_due_on,
    )
    return view.model_copy(
        update={"closure": closure, "stage": Stage.REFERRED_TO_ALTERNATIVE_SUPPORT}
    )


@on(PostExitReviewRecorded)
def _post_exit_review(view: CaseView, event: PostExitReviewRecorded) -> CaseView:
    if view.closure is None:
        raise TypeError("a post-exit review needs a closed case")
    review = PostExitReview(
        review_point=event.review_point, reviewed_on=event.reviewed_on, outcome=event.outcome
    )
    reviews = (*view.closure.post_exit_reviews, review)
    closure = view.closure.model_copy(update={"post_exit_reviews": reviews})
    return view.model_copy(update={"closure": closure})


# Dispute


@on(DisputeRaised)
def _dispute_raised(view: CaseView, event: DisputeRaised) -> CaseView:
    dispute = Dispute(
        dispute_no=event.dispute_no,
        disputed_decision=event.disputed_decision,
        raised_at=event.timestamp,
    )
    return view.model_copy(update={"disputes": (*view.disputes, dispute)})


@on(DisputeReferred)
def _dispute_referred(view: CaseView, event: DisputeReferred) -> CaseView:
    disputes = _changed(
        view.disputes, lambda d: d.dispute_no == event.dispute_no, referred_at=event.timestamp
    )
    return view.model_copy(update={"disputes": disputes})


@on(DisputeResolved)
def _dispute_resolved(view: CaseView, event: DisputeResolved) -> CaseView:
    disputes = _changed(
        view.disputes,
        lambda d: d.dispute_no == event.dispute_no,
        resolved_at=event.timestamp,
        outcome=event.outcome,
    )
    return view.model_copy(update={"disputes": disputes})


# Consent


@on(ConsentApproachDecided)
def _consent_approach(view: CaseView, event: ConsentApproachDecided) -> CaseView:
    decision = ConsentDecision(
        stage=event.stage,
        seek=event.seek,
        seeker_agency_id=event.seeker_agency.agency_id if event.seeker_agency else None,
        decided_at=event.timestamp,
    )
    decisions = (*view.consent.decisions, decision)
    return view.model_copy(
        update={"consent": view.consent.model_copy(update={"decisions": decisions})}
    )


def _consent_now(status: ConsentStatus) -> Handler[DomainEvent]:
    def change(view: CaseView, _event: DomainEvent) -> CaseView:
        return view.model_copy(
            update={"consent": view.consent.model_copy(update={"status": status})}
        )

    return change


on(ConsentSought)(_consent_now(ConsentStatus.SOUGHT))
on(ConsentGiven)(_consent_now(ConsentStatus.GIVEN))
on(ConsentRefused)(_consent_now(ConsentStatus.REFUSED))
on(ConsentWithdrawn)(_consent_now(ConsentStatus.WITHDRAWN))


# Sharing


@on(AgencyInvitedToStrategyMeeting)
def _invited(view: CaseView, event: AgencyInvitedToStrategyMeeting) -> CaseView:
    return view.model_copy(
        update={"invited_agencies": (*view.invited_agencies, _agency(event.agency))}
    )


@on(ConfidentialityStatementRead)
def _statement_read(view: CaseView, event: ConfidentialityStatementRead) -> CaseView:
    if view.strategy_meeting is None:
        return view
    meeting = view.strategy_meeting.model_copy(
        update={"confidentiality_statement_read": event.statement_version}
    )
    return view.model_copy(update={"strategy_meeting": meeting})


@on(InformationDisclosed)
def _disclosed(view: CaseView, event: InformationDisclosed) -> CaseView:
    disclosure = Disclosure(
        disclosure_no=event.disclosure_no,
        disclosing_agency=_agency(event.disclosing_agency),
        recipients=tuple(_agency(recipient) for recipient in event.recipients),
        context=event.context,
        information_category=event.information_category,
        disclosed_at=event.disclosed_at,
    )
    return view.model_copy(update={"disclosures": (*view.disclosures, disclosure)})


@on(OnwardDisclosureSanctioned)
def _onward(view: CaseView, event: OnwardDisclosureSanctioned) -> CaseView:
    disclosures = _changed(
        view.disclosures, lambda d: d.disclosure_no == event.disclosure_no, onward_sanctioned=True
    )
    return view.model_copy(update={"disclosures": disclosures})


@on(SubjectDiscussionDecided)
def _subject_discussion(view: CaseView, event: SubjectDiscussionDecided) -> CaseView:
    disclosures = _changed(
        view.disclosures,
        lambda d: d.disclosure_no == event.disclosure_no,
        subject_discussion=event.decision,
    )
    return view.model_copy(update={"disclosures": disclosures})


def _recorded_only(view: CaseView, _event: DomainEvent) -> CaseView:
    return view


# Kept in the case's history and in their own registers (withholdings, the end of an
# agency's involvement, retention reviews); the view only counts them in its version.
for _event_type in (
    DisclosureWithheld,
    AgencyInvolvementEndProposed,
    AgencyInvolvementEnded,
    RetentionReviewed,
):
    on(_event_type)(_recorded_only)


# Section 8 disposal


@on(DisposalObligationRaised)
def _obligation_raised(view: CaseView, event: DisposalObligationRaised) -> CaseView:
    obligation = Obligation(
        obligation_no=event.obligation_no,
        disclosure_no=event.disclosure_no,
        agency=_agency(event.agency),
        raised_on=event.raised_on,
        due_on=event.due_on,
    )
    return view.model_copy(update={"obligations": (*view.obligations, obligation)})


@on(DisposalConfirmed)
def _disposal_confirmed(view: CaseView, event: DisposalConfirmed) -> CaseView:
    if not event.complete:  # a partial confirmation leaves the obligation open
        return view
    obligations = _changed(
        view.obligations,
        lambda o: o.obligation_no == event.obligation_no,
        discharged_on=event.disposed_on,
    )
    return view.model_copy(update={"obligations": obligations})


@on(LegalHoldPlaced)
def _hold_placed(view: CaseView, event: LegalHoldPlaced) -> CaseView:
    hold = LegalHold(hold_no=event.hold_no, ground=event.ground, placed_at=event.timestamp)
    return view.model_copy(update={"legal_hold": hold})


@on(LegalHoldLifted)
def _hold_lifted(view: CaseView, event: LegalHoldLifted) -> CaseView:
    obligations = view.obligations
    if event.obligations_due_on is not None:  # the hold suspended them: due again from now
        obligations = tuple(
            o if o.discharged_on else o.model_copy(update={"due_on": event.obligations_due_on})
            for o in obligations
        )
    return view.model_copy(update={"legal_hold": None, "obligations": obligations})


# Erasure and retention


@on(ErasureRequested)
def _erasure_requested(view: CaseView, event: ErasureRequested) -> CaseView:
    request = ErasureRequest(
        request_no=event.request_no,
        key_groups=tuple(event.key_groups),
        ground=event.ground,
        requested_by=event.audit.actor_id,
    )
    return view.model_copy(update={"erasure_requests": (*view.erasure_requests, request)})


@on(ErasureApproved)
def _erasure_approved(view: CaseView, event: ErasureApproved) -> CaseView:
    requests = _changed(
        view.erasure_requests,
        lambda r: r.request_no == event.request_no,
        approved_by=event.audit.actor_id,
    )
    return view.model_copy(update={"erasure_requests": requests})


@on(ErasureExecuted)
def _erasure_executed(view: CaseView, event: ErasureExecuted) -> CaseView:
    requests = _changed(
        view.erasure_requests,
        lambda r: r.request_no == event.request_no,
        executed_at=event.timestamp,
    )
    erased = (*view.erased_groups, *(g for g in event.key_groups if g not in view.erased_groups))
    return view.model_copy(update={"erasure_requests": requests, "erased_groups": erased})


# What several handlers share


def _exit_agreed(
    view: CaseView,
    kind: ExitKind,
    forum: Forum,
    event: DomainEvent,
) -> CaseView:
    stage = Stage.EXIT_AGREED if kind == "conclusion" else Stage.ALTERNATIVE_SUPPORT_AGREED
    agreed = ExitAgreed(kind=kind, forum=forum, agreed_at=event.timestamp)
    return view.model_copy(update={"exit_agreed": agreed, "next_review_on": None, "stage": stage})


def _discussion(view: CaseView) -> StrategyDiscussion:
    if view.strategy_discussion is None:
        raise TypeError("event needs a scheduled strategy discussion")
    return view.strategy_discussion


def _with_discussion(view: CaseView, **changes: object) -> CaseView:
    discussion = _discussion(view).model_copy(update=changes)
    return view.model_copy(update={"strategy_discussion": discussion})


def _meeting(view: CaseView) -> StrategyMeeting:
    if view.strategy_meeting is None:
        raise TypeError("event needs a convened strategy meeting")
    return view.strategy_meeting


def _action_plan(actions: Iterable[PlannedActionRecord]) -> tuple[PlannedAction, ...]:
    return tuple(
        PlannedAction(action_no=a.action_no, lead_agency=a.lead_agency, due_on=a.due_on)
        for a in actions
    )


def _agency(agency: AgencyRef) -> Agency:
    return Agency(agency_id=agency.agency_id, name=agency.name, agency_type=agency.agency_type)


def _changed(
    items: tuple[M, ...], matches: Callable[[M], bool], **changes: object
) -> tuple[M, ...]:
    """`items` with the one that `matches` changed; an event naming an item never recorded
    does not belong to this history."""
    if not any(matches(item) for item in items):
        raise TypeError("event names an item the case never recorded")
    return tuple(item.model_copy(update=changes) if matches(item) else item for item in items)


TOPICS = (ReferralReceived.TOPIC, *HANDLERS)


class CaseViewProjection:
    """Folds referral events into the case view, a batch per transaction."""

    name = "case_view"
    topics = TOPICS

    def __init__(self, store: CaseViewStore) -> None:
        self.store = store

    def position(self) -> int:
        return self.store.position()

    def apply(self, batch: Sequence[Positioned], after: int, up_to: int) -> bool:
        def fold_batch(views: dict[UUID, CaseView]) -> list[CaseView]:
            changed: dict[UUID, CaseView] = {}
            for _, event in batch:
                view = fold(views.get(event.originator_id), event)
                views[event.originator_id] = changed[event.originator_id] = view
            return list(changed.values())

        referral_ids = {event.originator_id for _, event in batch}
        return self.store.advance(referral_ids, after, up_to, fold_batch)
