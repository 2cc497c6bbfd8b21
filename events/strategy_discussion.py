"""Events of the strategy discussion and the Section 2 MASH decision (guidance section 5)."""

from __future__ import annotations

from pydantic import AwareDatetime

from events.base import DomainEvent
from events.forms import RiskAssessment
from events.personal import ReferrerData, SubjectData
from events.vocabulary import (
    ContactMethod,
    DiscussionOutcome,
    FeedbackPoint,
    ReferrerInvolvement,
    SignatoryCapacity,
    SocialCareService,
)


class StrategyDiscussionScheduled(DomainEvent):
    """A discussion led by the police inspector (or deputy) with the CS or ASS representative."""

    TOPIC = "vtr.referral.StrategyDiscussionScheduled"

    scheduled_for: AwareDatetime
    lead_officer: str
    social_care_service: SocialCareService
    social_care_representative: str


class ReferrerConsulted(DomainEvent):
    """The referrer was consulted, or invited to attend the discussion."""

    TOPIC = "vtr.referral.ReferrerConsulted"

    involvement: ReferrerInvolvement
    notes: SubjectData[str | None]


class RiskAssessmentRecorded(DomainEvent):
    """The section 5 risk assessment; a later assessment supersedes an earlier one."""

    TOPIC = "vtr.referral.RiskAssessmentRecorded"

    assessment_no: int
    assessment: SubjectData[RiskAssessment]


class StrategyDiscussionConcluded(DomainEvent):
    """The discussion's outcome, which is the Section 2 decision (Yes = VTR appropriate).

    It takes effect once both Section 2 signatures are given.
    """

    TOPIC = "vtr.referral.StrategyDiscussionConcluded"

    outcome: DiscussionOutcome
    vtr_category: str | None
    reasons: SubjectData[str | None]


class MashDecisionSigned(DomainEvent):
    """One Section 2 signature; the signatory is the actor in the audit envelope."""

    TOPIC = "vtr.referral.MashDecisionSigned"

    capacity: SignatoryCapacity


class ReferrerNotified(DomainEvent):
    """Feedback to the referrer on the outcome: when, to whom, by whom (Section 2 and s7)."""

    TOPIC = "vtr.referral.ReferrerNotified"
    EFFECTIVE = "notified_at"

    feedback_point: FeedbackPoint
    notified_at: AwareDatetime
    notified_person: ReferrerData[str]
    notified_by: str
    method: ContactMethod
