"""Steps of the strategy discussion and the Section 2 MASH decision (section 5, Appendix A)."""

from __future__ import annotations

from datetime import datetime

from aggregates import rules
from aggregates.errors import (
    InvalidInstructionError,
    NotPermittedError,
)
from aggregates.referral_base import (
    SERVICE_FOR_AGE,
    SIGNATORY_ROLES,
    ReferralBase,
    not_after,
    signature_box,
)
from aggregates.referral_state import Stage
from events.base import AuditEnvelope
from events.forms import (
    RiskAssessment,
)
from events.strategy_discussion import (
    MashDecisionSigned,
    ReferrerConsulted,
    ReferrerNotified,
    RiskAssessmentRecorded,
    StrategyDiscussionConcluded,
    StrategyDiscussionScheduled,
)
from events.vocabulary import (
    ContactMethod,
    DiscussionOutcome,
    FeedbackPoint,
    ReferrerInvolvement,
    SignatoryCapacity,
    SocialCareService,
)


class StrategyDiscussionSteps(ReferralBase):
    """The preliminary assessment led by the police inspector with CS or ASS."""

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
        self._require(audit.occurred_at >= discussion.scheduled_for, rules.DISCUSSION_NOT_YET_HELD)
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
            raise NotPermittedError(rules.signatory_role(capacity))
        discussion = self._discussion()
        if capacity is not SignatoryCapacity.POLICE:
            self._require(
                capacity.value == discussion.social_care_service.value,
                rules.SIGNATURE_FROM_DISCUSSION_SERVICE,
            )
        boxes = {signature_box(signature.capacity) for signature in discussion.signatures}
        self._require(signature_box(capacity) not in boxes, rules.SIGNATURE_ONCE_PER_BOX)
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
        not_after(notified_at, audit.occurred_at, "notified_at", "the time it is recorded")
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
