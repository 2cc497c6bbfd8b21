"""Commands of the strategy discussion, the Section 2 decision, the meeting and reviews."""

from __future__ import annotations

from aggregates.strategy_discussion import (
    ReferrerConsultation,
    ReferrerNotice,
    RiskAssessmentReport,
    Section2Decision,
    Section2Signature,
    StrategyDiscussionPlan,
)
from commands.base import ChangeReferral


class ScheduleStrategyDiscussion(StrategyDiscussionPlan, ChangeReferral):
    """Schedule (or reschedule) the discussion led by the police inspector or deputy."""


class ConsultReferrer(ReferrerConsultation, ChangeReferral):
    """The person who made the referral was consulted, or invited to attend (section 5)."""


class RecordRiskAssessment(RiskAssessmentReport, ChangeReferral):
    """The strategy discussion's collective risk assessment, with the section 5 headings."""


class ConcludeStrategyDiscussion(Section2Decision, ChangeReferral):
    """Record the Section 2 decision: Yes with a category, or No with reasons."""


class SignMashDecision(Section2Signature, ChangeReferral):
    """Sign one box of Section 2 as the authenticated person, in the capacity of your role."""


class NotifyReferrer(ReferrerNotice, ChangeReferral):
    """Record that the referrer was told the outcome: when, whom, by whom, how."""
