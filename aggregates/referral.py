"""The Referral aggregate: one VTR referral, from receipt by the MASH to its post-exit reviews.

Each command method checks that the guidance allows the step now, then records one event.
A refused step raises a DomainError naming the rule and records nothing. Time and ids come
in with the audit envelope; the aggregate does no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import TypedDict, TypeVar
from uuid import UUID
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from eventsourcing.domain import DomainEventProtocol

from aggregates import rules
from aggregates.errors import (
    InvalidInstructionError,
    NotPermittedError,
    ProcessRuleViolationError,
    Rule,
)
from aggregates.referral_evolution import evolve
from aggregates.referral_state import Dispute, ReferralState, Stage, StrategyDiscussion
from events.base import AuditEnvelope, DomainEvent
from events.conclusion import (
    DisputeRaised,
    DisputeReferred,
    DisputeResolved,
    PostExitReviewRecorded,
    ProcessConcluded,
    ReferredToAlternativeSupport,
)
from events.forms import (
    ActionDescription,
    PlannedAction,
    ReferralConcern,
    ReferrerDetails,
    RelatedPerson,
    RiskAssessment,
    SubjectDetails,
    SupportAction,
)
from events.intake import (
    FurtherInformationRequested,
    FurtherInformationReturned,
    ReferralReceived,
    ReferralScreenedIn,
    ReferralScreenedOut,
    SecurityChecksRecorded,
)
from events.strategy_discussion import (
    MashDecisionSigned,
    ReferrerConsulted,
    ReferrerNotified,
    RiskAssessmentRecorded,
    StrategyDiscussionConcluded,
    StrategyDiscussionScheduled,
)
from events.strategy_meeting import ReviewHeld, StrategyMeetingConcluded, StrategyMeetingConvened
from events.vocabulary import (
    AgeGroup,
    ContactMethod,
    DiscussionOutcome,
    DisputedDecision,
    DisputeOutcome,
    FeedbackPoint,
    Forum,
    MeetingOutcome,
    PostExitReviewOutcome,
    PostExitReviewPoint,
    ReceivedVia,
    ReferrerInvolvement,
    ReviewOutcome,
    Role,
    ScreeningOutReason,
    SignatoryCapacity,
    SocialCareService,
)

UK_TIME = ZoneInfo("Europe/London")
Moment = TypeVar("Moment", date, datetime)
TRIAGE_STAGES = frozenset({Stage.TRIAGE, Stage.AWAITING_FURTHER_INFORMATION})
SIGNATORY_ROLES = {
    SignatoryCapacity.POLICE: Role.POLICE,
    SignatoryCapacity.CHILDRENS_SERVICES: Role.CHILDRENS_SERVICES,
    SignatoryCapacity.ADULT_SOCIAL_SERVICES: Role.ADULT_SOCIAL_SERVICES,
}
SERVICE_FOR_AGE = {
    AgeGroup.CHILD: SocialCareService.CHILDRENS_SERVICES,
    AgeGroup.ADULT: SocialCareService.ADULT_SOCIAL_SERVICES,
}


class _Header(TypedDict):
    originator_id: UUID
    originator_version: int
    audit: AuditEnvelope


class Referral:
    """A VTR referral. Its state holds no personal data; its events carry it sealed."""

    def __init__(self, state: ReferralState) -> None:
        self.state = state
        self._pending: list[DomainEvent] = []

    @property
    def id(self) -> UUID:
        return self.state.referral_id

    @property
    def version(self) -> int:
        return self.state.version

    def collect_events(self) -> list[DomainEvent]:
        collected, self._pending = self._pending, []
        return collected

    @classmethod
    def project(
        cls, referral: Referral | None, events: Iterable[DomainEventProtocol[UUID]]
    ) -> Referral | None:
        """Rebuild a referral from its history (the repository's projector function)."""
        state = referral.state if referral is not None else None
        for event in events:
            if not isinstance(event, DomainEvent):
                raise TypeError(f"{type(event).__name__} is not a referral event")
            state = evolve(state, event)
        return cls(state) if state is not None else None

    # Intake and MASH triage

    @classmethod
    def receive(
        cls,
        referral_id: UUID,
        audit: AuditEnvelope,
        *,
        received_at: datetime,
        received_via: ReceivedVia,
        on_call_detective_inspector: str | None,
        referring_agency: str,
        subject_age_group: AgeGroup,
        subject: SubjectDetails,
        partner_and_parents: Sequence[RelatedPerson],
        children_and_siblings: Sequence[RelatedPerson],
        concern: ReferralConcern,
        referrer: ReferrerDetails,
    ) -> Referral:
        _not_after(received_at, audit.occurred_at, "received_at", "the time it is recorded")
        out_of_hours = received_via is ReceivedVia.OUT_OF_HOURS_101
        if out_of_hours != (on_call_detective_inspector is not None):
            raise InvalidInstructionError(
                "on_call_detective_inspector",
                "A referral that came out of hours through 101 names the on-call Detective "
                "Inspector who took it; other routes name none.",
            )
        if subject.date_of_birth is not None and subject.date_of_birth > received_at.date():
            raise InvalidInstructionError(
                "subject.date_of_birth", "The date of birth is after the referral was received."
            )
        event = ReferralReceived(
            originator_id=referral_id,
            originator_version=1,
            audit=audit,
            received_at=received_at,
            received_via=received_via,
            on_call_detective_inspector=on_call_detective_inspector,
            referring_agency=referring_agency,
            subject_age_group=subject_age_group,
            subject=subject,
            partner_and_parents=list(partner_and_parents),
            children_and_siblings=list(children_and_siblings),
            concern=concern,
            referrer=referrer,
        )
        referral = cls(evolve(None, event))
        referral._pending.append(event)
        return referral

    def record_security_checks(self, audit: AuditEnvelope) -> None:
        self._require_stage("Recording security checks", TRIAGE_STAGES, "during MASH triage")
        self._require(self.state.security_checks_recorded_at is None, rules.SECURITY_CHECKS_ONCE)
        self._record(SecurityChecksRecorded(**self._header(audit)))

    def request_further_information(self, audit: AuditEnvelope, information_needed: str) -> None:
        self._require(
            self.state.stage is not Stage.AWAITING_FURTHER_INFORMATION,
            rules.FURTHER_INFORMATION_OUTSTANDING,
        )
        self._require_stage("Requesting further information", {Stage.TRIAGE}, "during MASH triage")
        request_no = len(self.state.further_information_requests) + 1
        self._record(
            FurtherInformationRequested(
                **self._header(audit), request_no=request_no, information_needed=information_needed
            )
        )

    def return_further_information(self, audit: AuditEnvelope, information_summary: str) -> None:
        self._require(
            self.state.stage is Stage.AWAITING_FURTHER_INFORMATION,
            rules.NO_FURTHER_INFORMATION_REQUESTED,
        )
        request_no = self.state.further_information_requests[-1].request_no
        self._record(
            FurtherInformationReturned(
                **self._header(audit),
                request_no=request_no,
                information_summary=information_summary,
            )
        )

    def screen_out(
        self,
        audit: AuditEnvelope,
        reasons: Sequence[ScreeningOutReason],
        other_reason: str | None,
    ) -> None:
        self._require_ready_for_screening()
        if (ScreeningOutReason.OTHER in reasons) != (other_reason is not None):
            raise InvalidInstructionError(
                "other_reason", "Give the other reason in words exactly when 'other' is a reason."
            )
        self._record(
            ReferralScreenedOut(
                **self._header(audit),
                reasons=list(dict.fromkeys(reasons)),
                other_reason=other_reason,
            )
        )

    def screen_in(self, audit: AuditEnvelope, rationale: str | None) -> None:
        self._require_ready_for_screening()
        self._record(ReferralScreenedIn(**self._header(audit), rationale=rationale))

    def _require_ready_for_screening(self) -> None:
        self._require(
            self.state.stage is not Stage.AWAITING_FURTHER_INFORMATION,
            rules.FURTHER_INFORMATION_OUTSTANDING,
        )
        self._require_stage("Screening", {Stage.TRIAGE}, "during MASH triage")
        self._require(
            self.state.security_checks_recorded_at is not None,
            rules.SECURITY_CHECKS_BEFORE_SCREENING,
        )

    # Strategy discussion and the Section 2 MASH decision

    def schedule_strategy_discussion(
        self,
        audit: AuditEnvelope,
        scheduled_for: datetime,
        lead_officer: str,
        social_care_service: SocialCareService,
        social_care_representative: str,
    ) -> None:
        self._require_stage(
            "Scheduling the strategy discussion",
            {Stage.AWAITING_STRATEGY_DISCUSSION, Stage.STRATEGY_DISCUSSION},
            "after screening in and before the discussion decides",
        )
        expected = SERVICE_FOR_AGE.get(self.state.subject_age_group)
        self._require(expected in {None, social_care_service}, rules.SOCIAL_CARE_SERVICE_FITS_AGE)
        self._record(
            StrategyDiscussionScheduled(
                **self._header(audit),
                scheduled_for=scheduled_for,
                lead_officer=lead_officer,
                social_care_service=social_care_service,
                social_care_representative=social_care_representative,
            )
        )

    def consult_referrer(
        self, audit: AuditEnvelope, involvement: ReferrerInvolvement, notes: str | None
    ) -> None:
        self._require_discussion_open("Consulting the referrer")
        self._record(ReferrerConsulted(**self._header(audit), involvement=involvement, notes=notes))

    def record_risk_assessment(self, audit: AuditEnvelope, assessment: RiskAssessment) -> None:
        discussion = self._require_discussion_open("Recording the risk assessment")
        self._record(
            RiskAssessmentRecorded(
                **self._header(audit),
                assessment_no=discussion.risk_assessments + 1,
                assessment=assessment,
            )
        )

    def conclude_strategy_discussion(
        self,
        audit: AuditEnvelope,
        outcome: DiscussionOutcome,
        vtr_category: str | None,
        reasons: str | None,
    ) -> None:
        discussion = self._require_discussion_open("Deciding the strategy discussion")
        self._require(
            bool(discussion.referrer_involvement), rules.REFERRER_CONSULTED_BEFORE_DECISION
        )
        self._require(discussion.risk_assessments > 0, rules.RISK_ASSESSMENT_BEFORE_DECISION)
        is_yes = outcome is DiscussionOutcome.VTR_APPROPRIATE
        if is_yes != (vtr_category is not None):
            raise InvalidInstructionError(
                "vtr_category",
                "Section 2 gives a category when, and only when, the decision is Yes.",
            )
        if not is_yes and reasons is None:
            raise InvalidInstructionError(
                "reasons", "Section 2 gives reasons when the decision is No."
            )
        self._record(
            StrategyDiscussionConcluded(
                **self._header(audit), outcome=outcome, vtr_category=vtr_category, reasons=reasons
            )
        )

    def sign_mash_decision(self, audit: AuditEnvelope, capacity: SignatoryCapacity) -> None:
        self._require_stage(
            "Signing the Section 2 decision",
            {Stage.AWAITING_SECTION_2_SIGNATURES},
            "once the strategy discussion has decided and before both signatures are given",
        )
        if audit.actor_role is not SIGNATORY_ROLES[capacity]:
            raise NotPermittedError(f"Only a person in the {capacity} role can sign in that box.")
        discussion = self._discussion()
        if capacity is not SignatoryCapacity.POLICE:
            self._require(
                capacity.value == discussion.social_care_service.value,
                rules.SIGNATURE_FROM_DISCUSSION_SERVICE,
            )
        boxes = {_box(signature.capacity) for signature in discussion.signatures}
        self._require(_box(capacity) not in boxes, rules.SIGNATURE_ONCE_PER_BOX)
        signatories = {signature.signatory_id for signature in discussion.signatures}
        self._require(audit.actor_id not in signatories, rules.TWO_DISTINCT_SIGNATORIES)
        self._record(MashDecisionSigned(**self._header(audit), capacity=capacity))

    def notify_referrer(
        self,
        audit: AuditEnvelope,
        feedback_point: FeedbackPoint,
        notified_at: datetime,
        notified_person: str,
        notified_by: str,
        method: ContactMethod,
    ) -> None:
        if feedback_point is FeedbackPoint.STRATEGY_DISCUSSION:
            discussion = self.state.strategy_discussion
            signed = discussion is not None and len(discussion.signatures) == 2  # noqa: PLR2004
            self._require(signed, rules.FEEDBACK_AFTER_DECISION)
        else:
            self._require(self.state.closure is not None, rules.FEEDBACK_AFTER_CONCLUSION)
        given = {feedback.feedback_point for feedback in self.state.referrer_feedback}
        self._require(feedback_point not in given, rules.FEEDBACK_ONCE)
        _not_after(notified_at, audit.occurred_at, "notified_at", "the time it is recorded")
        self._record(
            ReferrerNotified(
                **self._header(audit),
                feedback_point=feedback_point,
                notified_at=notified_at,
                notified_person=notified_person,
                notified_by=notified_by,
                method=method,
            )
        )

    # Strategy meeting, support and reviews

    def convene_strategy_meeting(
        self, audit: AuditEnvelope, meeting_at: datetime, chair: str, nominated_by: str | None
    ) -> None:
        self._require_stage(
            "Convening the strategy meeting",
            {Stage.AWAITING_STRATEGY_MEETING, Stage.STRATEGY_MEETING},
            "once the Section 2 decision (Yes) is signed and before the meeting concludes",
        )
        self._record(
            StrategyMeetingConvened(
                **self._header(audit), meeting_at=meeting_at, chair=chair, nominated_by=nominated_by
            )
        )

    def conclude_strategy_meeting(
        self,
        audit: AuditEnvelope,
        outcome: MeetingOutcome,
        actions: Sequence[SupportAction],
        review_on: date | None,
        rationale: str | None,
    ) -> None:
        self._require_stage(
            "Concluding the strategy meeting", {Stage.STRATEGY_MEETING}, "once it is convened"
        )
        meeting_day = self._meeting_day()
        if outcome is MeetingOutcome.SUPPORT_PACKAGE:
            if not actions:
                raise InvalidInstructionError(
                    "actions", "A support package is an action plan: give at least one action."
                )
            _after(review_on, meeting_day, "review_on", "the meeting")
        elif actions or review_on is not None:
            raise InvalidInstructionError(
                "actions", "An action plan and a review date belong to a support package only."
            )
        plan, descriptions = _number(actions)
        self._record(
            StrategyMeetingConcluded(
                **self._header(audit),
                outcome=outcome,
                action_plan=plan,
                action_descriptions=descriptions,
                review_on=review_on,
                rationale=rationale,
            )
        )

    def hold_review(
        self,
        audit: AuditEnvelope,
        held_on: date,
        outcome: ReviewOutcome,
        next_review_on: date | None,
        amended_actions: Sequence[SupportAction] | None,
        progress_notes: str,
    ) -> None:
        self._require_stage(
            "Holding a review", {Stage.SUPPORT_AND_REVIEW}, "while support is delivered"
        )
        _not_before(held_on, self._meeting_day(), "held_on", "the strategy meeting")
        _not_after(held_on, _business_day(audit), "held_on", "today")
        if outcome is ReviewOutcome.CONCLUDE:
            if next_review_on is not None:
                raise InvalidInstructionError(
                    "next_review_on", "A concluding review sets no next review."
                )
        else:
            _after(next_review_on, held_on, "next_review_on", "this review")
        if (outcome is ReviewOutcome.AMEND_PLAN) != bool(amended_actions):
            raise InvalidInstructionError(
                "amended_actions", "Give the amended actions exactly when the plan is amended."
            )
        plan, descriptions = _number(amended_actions) if amended_actions else (None, None)
        self._record(
            ReviewHeld(
                **self._header(audit),
                review_no=len(self.state.reviews) + 1,
                held_on=held_on,
                outcome=outcome,
                next_review_on=next_review_on,
                amended_action_plan=plan,
                amended_action_descriptions=descriptions,
                progress_notes=progress_notes,
            )
        )

    # Conclusion, post-exit reviews and disputes

    def conclude_process(self, audit: AuditEnvelope, concluded_on: date, note: str | None) -> None:
        route = self.state.exit_route
        agreed = self.state.stage is Stage.EXIT_AGREED and route is not None
        self._require(agreed, rules.NO_EXIT_AGREED)
        self._require(self.state.open_dispute is None, rules.NO_CONCLUSION_WITH_OPEN_DISPUTE)
        assert route is not None  # noqa: S101 (checked by the rule above)
        self._check_exit_day(concluded_on, route.agreed_at, audit, "concluded_on")
        six, twelve = _post_exit_review_days(concluded_on)
        self._record(
            ProcessConcluded(
                **self._header(audit),
                forum=route.forum,
                concluded_on=concluded_on,
                six_month_review_due_on=six,
                twelve_month_review_due_on=twelve,
                note=note,
            )
        )

    def refer_to_alternative_support(
        self, audit: AuditEnvelope, referred_on: date, support_provider: str, rationale: str | None
    ) -> None:
        forum, agreed_at = self._alternative_support_decision()
        self._require(self.state.open_dispute is None, rules.NO_CONCLUSION_WITH_OPEN_DISPUTE)
        self._check_exit_day(referred_on, agreed_at, audit, "referred_on")
        six, twelve = _post_exit_review_days(referred_on)
        self._record(
            ReferredToAlternativeSupport(
                **self._header(audit),
                forum=forum,
                referred_on=referred_on,
                support_provider=support_provider,
                six_month_review_due_on=six,
                twelve_month_review_due_on=twelve,
                rationale=rationale,
            )
        )

    def _alternative_support_decision(self) -> tuple[Forum, datetime]:
        route = self.state.exit_route
        if self.state.stage is Stage.ALTERNATIVE_SUPPORT_AGREED and route is not None:
            return route.forum, route.agreed_at
        screening = self.state.screening
        if self.state.stage is Stage.SCREENED_OUT and screening is not None:
            return Forum.MASH_TRIAGE, screening.decided_at
        raise ProcessRuleViolationError(rules.NO_ALTERNATIVE_SUPPORT_AGREED, self.state.stage)

    def _check_exit_day(
        self, day: date, agreed_at: datetime, audit: AuditEnvelope, field: str
    ) -> None:
        _not_before(day, agreed_at.astimezone(UK_TIME).date(), field, "the decision to exit")
        _not_after(day, _business_day(audit), field, "today")

    def record_post_exit_review(
        self,
        audit: AuditEnvelope,
        review_point: PostExitReviewPoint,
        reviewed_on: date,
        outcome: PostExitReviewOutcome,
        notes: str | None,
    ) -> None:
        closure = self.state.closure
        self._require(closure is not None, rules.POST_EXIT_REVIEW_AFTER_EXIT)
        assert closure is not None  # noqa: S101 (checked by the rule above)
        done = [review.review_point for review in self.state.post_exit_reviews]
        expected = (
            list(PostExitReviewPoint)[len(done)] if len(done) < len(PostExitReviewPoint) else None
        )
        self._require(review_point is expected, rules.POST_EXIT_REVIEWS_IN_ORDER)
        _not_before(reviewed_on, closure.closed_on, "reviewed_on", "the exit")
        _not_after(reviewed_on, _business_day(audit), "reviewed_on", "today")
        self._record(
            PostExitReviewRecorded(
                **self._header(audit),
                review_point=review_point,
                reviewed_on=reviewed_on,
                outcome=outcome,
                notes=notes,
            )
        )

    def raise_dispute(
        self, audit: AuditEnvelope, disputed_decision: DisputedDecision, grounds: str
    ) -> None:
        self._require(self.state.open_dispute is None, rules.ONE_OPEN_DISPUTE)
        self._record(
            DisputeRaised(
                **self._header(audit),
                dispute_no=len(self.state.disputes) + 1,
                disputed_decision=disputed_decision,
                grounds=grounds,
            )
        )

    def refer_dispute(
        self,
        audit: AuditEnvelope,
        dispute_no: int,
        head_of_safeguarding: str,
        detective_superintendent: str,
    ) -> None:
        dispute = self._dispute(dispute_no)
        self._require(dispute.is_open, rules.DISPUTE_ALREADY_RESOLVED)
        self._require(dispute.referred_at is None, rules.DISPUTE_ALREADY_REFERRED)
        self._record(
            DisputeReferred(
                **self._header(audit),
                dispute_no=dispute_no,
                head_of_safeguarding=head_of_safeguarding,
                detective_superintendent=detective_superintendent,
            )
        )

    def resolve_dispute(
        self, audit: AuditEnvelope, dispute_no: int, outcome: DisputeOutcome, resolution: str
    ) -> None:
        dispute = self._dispute(dispute_no)
        self._require(dispute.is_open, rules.DISPUTE_ALREADY_RESOLVED)
        self._require(dispute.referred_at is not None, rules.DISPUTE_REFERRED_BEFORE_RESOLUTION)
        self._record(
            DisputeResolved(
                **self._header(audit), dispute_no=dispute_no, outcome=outcome, resolution=resolution
            )
        )

    # Helpers

    def _header(self, audit: AuditEnvelope) -> _Header:
        return {"originator_id": self.id, "originator_version": self.version + 1, "audit": audit}

    def _record(self, event: DomainEvent) -> None:
        self.state = evolve(self.state, event)
        self._pending.append(event)

    def _require(self, condition: bool, rule: Rule) -> None:
        if not condition:
            raise ProcessRuleViolationError(rule, self.state.stage)

    def _require_stage(self, step: str, stages: Iterable[Stage], allowed: str) -> None:
        stage = self.state.stage
        self._require(stage in set(stages), rules.wrong_stage(step, stage, allowed))

    def _require_discussion_open(self, step: str) -> StrategyDiscussion:
        self._require_stage(
            step,
            {Stage.STRATEGY_DISCUSSION},
            "once the strategy discussion is scheduled and before it decides",
        )
        return self._discussion()

    def _discussion(self) -> StrategyDiscussion:
        assert self.state.strategy_discussion is not None  # noqa: S101 (implied by the stage)
        return self.state.strategy_discussion

    def _meeting_day(self) -> date:
        assert self.state.strategy_meeting is not None  # noqa: S101 (implied by the stage)
        return self.state.strategy_meeting.meeting_at.astimezone(UK_TIME).date()

    def _dispute(self, dispute_no: int) -> Dispute:
        for dispute in self.state.disputes:
            if dispute.dispute_no == dispute_no:
                return dispute
        raise InvalidInstructionError(
            "dispute_no", f"This referral has no dispute number {dispute_no}."
        )


def _box(capacity: SignatoryCapacity) -> str:
    """Section 2 has two boxes: police, and social care (children's or adult)."""
    return "police" if capacity is SignatoryCapacity.POLICE else "social_care"


def _number(
    actions: Sequence[SupportAction],
) -> tuple[list[PlannedAction], list[ActionDescription]]:
    plan = [
        PlannedAction(action_no=number, lead_agency=action.lead_agency, due_on=action.due_on)
        for number, action in enumerate(actions, start=1)
    ]
    descriptions = [
        ActionDescription(action_no=number, description=action.description)
        for number, action in enumerate(actions, start=1)
    ]
    return plan, descriptions


def _post_exit_review_days(exit_day: date) -> tuple[date, date]:
    return exit_day + relativedelta(months=6), exit_day + relativedelta(months=12)


def _business_day(audit: AuditEnvelope) -> date:
    return audit.occurred_at.astimezone(UK_TIME).date()


def _not_after(value: Moment, limit: Moment, field: str, what: str) -> None:
    if value > limit:
        raise InvalidInstructionError(field, f"{field} cannot be later than {what}.")


def _not_before(value: date, limit: date, field: str, what: str) -> None:
    if value < limit:
        raise InvalidInstructionError(field, f"{field} cannot be earlier than {what}.")


def _after(value: date | None, limit: date, field: str, what: str) -> None:
    if value is None or value <= limit:
        raise InvalidInstructionError(field, f"{field} is required and must be after {what}.")
