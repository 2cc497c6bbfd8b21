"""Steps of the strategy discussion and the Section 2 MASH decision (section 5, Appendix A)."""

from __future__ import annotations

from typing import Annotated

from pydantic import AwareDatetime, Field, StringConstraints

from aggregates import rules
from aggregates.errors import (
    InvalidInstructionError,
    NotPermittedError,
)
from aggregates.instructions import Instruction, StaffRef
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
    ONE_LINE,
    Line,
    Narrative,
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

VtrCategory = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80), ONE_LINE
]


class StrategyDiscussionPlan(Instruction):
    """Schedule (or reschedule) the discussion led by the police inspector or deputy."""

    scheduled_for: AwareDatetime
    lead_officer: StaffRef
    social_care_service: SocialCareService
    social_care_representative: StaffRef


class ReferrerConsultation(Instruction):
    """The person who made the referral was consulted, or invited to attend (section 5)."""

    involvement: ReferrerInvolvement
    notes: Narrative | None = None


class RiskAssessmentReport(Instruction):
    """The strategy discussion's collective risk assessment, with the section 5 headings."""

    assessment: RiskAssessment


class Section2Decision(Instruction):
    """Record the Section 2 decision: Yes with a category, or No with reasons."""

    outcome: DiscussionOutcome
    vtr_category: VtrCategory | None = None
    reasons: Narrative | None = None


class Section2Signature(Instruction):
    """Sign one box of Section 2 as the authenticated person, in the capacity of your role."""

    capacity: SignatoryCapacity


class ReferrerNotice(Instruction):
    """Record that the referrer was told the outcome: when, whom, by whom, how."""

    feedback_point: FeedbackPoint
    notified_at: AwareDatetime
    notified_person: Line
    notified_by: StaffRef | None = Field(
        default=None, description="Who told the referrer; the acting person when omitted."
    )
    method: ContactMethod


class StrategyDiscussionSteps(ReferralBase):
    """The preliminary assessment led by the police inspector with CS or ASS."""

    def schedule_strategy_discussion(
        self, audit: AuditEnvelope, plan: StrategyDiscussionPlan
    ) -> None:
        self._require_stage(
            "Scheduling the strategy discussion",
            {Stage.AWAITING_STRATEGY_DISCUSSION, Stage.STRATEGY_DISCUSSION},
            "after screening in and before the discussion decides",
        )
        expected = SERVICE_FOR_AGE.get(self.state.subject_age_group)
        self._require(
            expected in {None, plan.social_care_service}, rules.SOCIAL_CARE_SERVICE_FITS_AGE
        )
        self._record(
            StrategyDiscussionScheduled(
                **self._header(audit),
                scheduled_for=plan.scheduled_for,
                lead_officer=plan.lead_officer,
                social_care_service=plan.social_care_service,
                social_care_representative=plan.social_care_representative,
            )
        )

    def consult_referrer(self, audit: AuditEnvelope, consultation: ReferrerConsultation) -> None:
        self._require_discussion_open("Consulting the referrer")
        self._record(
            ReferrerConsulted(
                **self._header(audit),
                involvement=consultation.involvement,
                notes=consultation.notes,
            )
        )

    def record_risk_assessment(self, audit: AuditEnvelope, report: RiskAssessmentReport) -> None:
        discussion = self._require_discussion_open("Recording the risk assessment")
        self._record(
            RiskAssessmentRecorded(
                **self._header(audit),
                assessment_no=discussion.risk_assessments + 1,
                assessment=report.assessment,
            )
        )

    def conclude_strategy_discussion(
        self, audit: AuditEnvelope, decision: Section2Decision
    ) -> None:
        discussion = self._require_discussion_open("Deciding the strategy discussion")
        self._require(audit.occurred_at >= discussion.scheduled_for, rules.DISCUSSION_NOT_YET_HELD)
        self._require(
            bool(discussion.referrer_involvement), rules.REFERRER_CONSULTED_BEFORE_DECISION
        )
        self._require(discussion.risk_assessments > 0, rules.RISK_ASSESSMENT_BEFORE_DECISION)
        is_yes = decision.outcome is DiscussionOutcome.VTR_APPROPRIATE
        if is_yes != (decision.vtr_category is not None):
            raise InvalidInstructionError(
                "vtr_category",
                "Section 2 gives a category when, and only when, the decision is Yes.",
            )
        if not is_yes and decision.reasons is None:
            raise InvalidInstructionError(
                "reasons", "Section 2 gives reasons when the decision is No."
            )
        self._record(
            StrategyDiscussionConcluded(
                **self._header(audit),
                outcome=decision.outcome,
                vtr_category=decision.vtr_category,
                reasons=decision.reasons,
            )
        )

    def sign_mash_decision(self, audit: AuditEnvelope, signing: Section2Signature) -> None:
        self._require_stage(
            "Signing the Section 2 decision",
            {Stage.AWAITING_SECTION_2_SIGNATURES},
            "once the strategy discussion has decided and before both signatures are given",
        )
        if audit.actor_role is not SIGNATORY_ROLES[signing.capacity]:
            raise NotPermittedError(rules.signatory_role(signing.capacity))
        discussion = self._discussion()
        if signing.capacity is not SignatoryCapacity.POLICE:
            self._require(
                signing.capacity.value == discussion.social_care_service.value,
                rules.SIGNATURE_FROM_DISCUSSION_SERVICE,
            )
        boxes = {signature_box(signature.capacity) for signature in discussion.signatures}
        self._require(signature_box(signing.capacity) not in boxes, rules.SIGNATURE_ONCE_PER_BOX)
        signatories = {signature.signatory_id for signature in discussion.signatures}
        self._require(audit.actor_id not in signatories, rules.TWO_DISTINCT_SIGNATORIES)
        self._record(MashDecisionSigned(**self._header(audit), capacity=signing.capacity))

    def notify_referrer(self, audit: AuditEnvelope, notice: ReferrerNotice) -> None:
        if notice.feedback_point is FeedbackPoint.STRATEGY_DISCUSSION:
            discussion = self.state.strategy_discussion
            signed = discussion is not None and len(discussion.signatures) == 2  # noqa: PLR2004
            self._require(signed, rules.FEEDBACK_AFTER_DECISION)
        else:
            self._require(self.state.closure is not None, rules.FEEDBACK_AFTER_CONCLUSION)
        given = {feedback.feedback_point for feedback in self.state.referrer_feedback}
        self._require(notice.feedback_point not in given, rules.FEEDBACK_ONCE)
        not_after(notice.notified_at, audit.occurred_at, "notified_at", "the time it is recorded")
        self._record(
            ReferrerNotified(
                **self._header(audit),
                feedback_point=notice.feedback_point,
                notified_at=notice.notified_at,
                notified_person=notice.notified_person,
                notified_by=notice.notified_by or audit.actor_id,
                method=notice.method,
            )
        )
