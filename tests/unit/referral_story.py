"""Builds a Referral aggregate at any stage of the process, in memory, with no I/O."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

from aggregates.conclusion import Conclusion
from aggregates.intake import ReferralForm, ScreeningIn
from aggregates.referral import Referral
from aggregates.review import ReviewReport
from aggregates.strategy_discussion import (
    ReferrerConsultation,
    RiskAssessmentReport,
    Section2Decision,
    Section2Signature,
    StrategyDiscussionPlan,
)
from aggregates.strategy_meeting import StrategyMeetingConvening, StrategyMeetingDecision
from events.base import AuditEnvelope
from events.forms import (
    Address,
    ReferralConcern,
    ReferrerContact,
    ReferrerDetails,
    RiskAssessment,
    SubjectDetails,
    SupportAction,
)
from events.vocabulary import (
    AgeGroup,
    DiscussionOutcome,
    MedicalExplanation,
    MeetingOutcome,
    ReceivedVia,
    ReferrerInvolvement,
    ReviewOutcome,
    RiskTarget,
    Role,
    SignatoryCapacity,
    SocialCareService,
)

START = datetime(2026, 3, 2, 9, tzinfo=UTC)
ASSESSMENT = RiskAssessment(
    nature_and_pattern_of_behaviour="pattern",
    nature_of_risk="risk",
    who_is_at_risk=[RiskTarget.SUBJECT],
    factors_reducing_risk="support",
    medical_explanation=MedicalExplanation.UNKNOWN,
)
ACTION = SupportAction(description="mentoring", lead_agency="School")


def audit(at: datetime, actor_id: str = "triage-1", role: Role = Role.MASH_TRIAGE) -> AuditEnvelope:
    return AuditEnvelope(
        actor_id=actor_id,
        actor_role=role,
        actor_agency="Norfolk",
        occurred_at=at,
        command_id=uuid4(),
    )


class Story:
    """A referral moved along by named stages; `at` is business time and only moves forward."""

    def __init__(self, age_group: AgeGroup = AgeGroup.CHILD) -> None:
        self.at = START
        self.age_group = age_group
        self.referral = Referral.receive(
            uuid4(),
            audit(self.at),
            ReferralForm(
                received_at=self.at,
                received_via=ReceivedVia.MASH_EMAIL,
                on_call_detective_inspector=None,
                referring_agency="School",
                subject_age_group=age_group,
                subject=SubjectDetails(full_name="Subject", address=Address(lines=["1 Road"])),
                partner_and_parents=[],
                children_and_siblings=[],
                concern=ReferralConcern(reasons_for_referral="r", background_and_risk="b"),
                referrer=ReferrerDetails(
                    full_name="Ref", position="DSL", contact=ReferrerContact()
                ),
            ),
        )

    def by(self, actor_id: str = "triage-1", role: Role = Role.MASH_TRIAGE) -> AuditEnvelope:
        return audit(self.at, actor_id, role)

    def later(self, **delta: float) -> Story:
        self.at += timedelta(**delta)
        return self

    @property
    def today(self) -> date:
        return self.at.date()

    def screened_in(self) -> Story:
        self.referral.record_security_checks(self.by())
        self.referral.screen_in(self.by(), ScreeningIn(rationale=None))
        return self

    def discussion_scheduled(self) -> Story:
        self.screened_in()
        service = (
            SocialCareService.ADULT_SOCIAL_SERVICES
            if self.age_group is AgeGroup.ADULT
            else SocialCareService.CHILDRENS_SERVICES
        )
        self.referral.schedule_strategy_discussion(
            self.by("police-1", Role.POLICE),
            StrategyDiscussionPlan(
                scheduled_for=self.at + timedelta(days=2),
                lead_officer="police-1",
                social_care_service=service,
                social_care_representative="sc-1",
            ),
        )
        return self.later(days=2)

    def discussion_decided(
        self, outcome: DiscussionOutcome = DiscussionOutcome.VTR_APPROPRIATE
    ) -> Story:
        self.discussion_scheduled()
        police = self.by("police-1", Role.POLICE)
        self.referral.consult_referrer(
            police, ReferrerConsultation(involvement=ReferrerInvolvement.CONSULTED, notes=None)
        )
        self.referral.record_risk_assessment(police, RiskAssessmentReport(assessment=ASSESSMENT))
        yes = outcome is DiscussionOutcome.VTR_APPROPRIATE
        self.referral.conclude_strategy_discussion(
            police,
            Section2Decision(
                outcome=outcome,
                vtr_category="Category" if yes else None,
                reasons=None if yes else "reasons",
            ),
        )
        return self

    def signed(self, outcome: DiscussionOutcome = DiscussionOutcome.VTR_APPROPRIATE) -> Story:
        self.discussion_decided(outcome)
        self.referral.sign_mash_decision(
            self.by("police-1", Role.POLICE), Section2Signature(capacity=SignatoryCapacity.POLICE)
        )
        capacity, role = (
            (SignatoryCapacity.ADULT_SOCIAL_SERVICES, Role.ADULT_SOCIAL_SERVICES)
            if self.age_group is AgeGroup.ADULT
            else (SignatoryCapacity.CHILDRENS_SERVICES, Role.CHILDRENS_SERVICES)
        )
        self.referral.sign_mash_decision(
            self.by("sc-1", role), Section2Signature(capacity=capacity)
        )
        return self

    def in_support(self) -> Story:
        self.signed()
        chair = self.by("chair-1", Role.MEETING_CHAIR)
        self.referral.convene_strategy_meeting(
            chair,
            StrategyMeetingConvening(
                meeting_at=self.at + timedelta(days=7), chair="chair-1", nominated_by=None
            ),
        )
        self.later(days=7)
        self.referral.conclude_strategy_meeting(
            self.by("chair-1", Role.MEETING_CHAIR),
            StrategyMeetingDecision(
                outcome=MeetingOutcome.SUPPORT_PACKAGE,
                actions=[ACTION],
                review_on=self.today + timedelta(days=35),
                rationale=None,
            ),
        )
        return self

    def exit_agreed(self) -> Story:
        self.in_support().later(days=35)
        self.referral.hold_review(
            self.by("chair-1", Role.MEETING_CHAIR),
            ReviewReport(held_on=self.today, outcome=ReviewOutcome.CONCLUDE, progress_notes="ok"),
        )
        return self

    def concluded(self) -> Story:
        self.exit_agreed()
        self.referral.conclude_process(
            self.by("chair-1", Role.MEETING_CHAIR), Conclusion(concluded_on=self.today, note=None)
        )
        return self
