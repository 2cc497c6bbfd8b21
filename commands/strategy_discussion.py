"""Commands of the strategy discussion, the Section 2 decision, the meeting and reviews."""

from __future__ import annotations

from uuid import UUID

from aggregates.strategy_discussion import (
    ReferrerConsultation,
    ReferrerNotice,
    RiskAssessmentReport,
    Section2Decision,
    Section2Signature,
    StrategyDiscussionPlan,
)
from commands.base import ChangeReferral
from commands.context import Issued, Outcome
from commands.cycle import CommandCycle


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


# Handlers


def schedule_strategy_discussion(
    cycle: CommandCycle, referral_id: UUID, command: ScheduleStrategyDiscussion, issued: Issued
) -> Outcome:
    return cycle.change_referral(
        referral_id,
        command,
        issued,
        lambda referral, audit: referral.schedule_strategy_discussion(audit, command),
    )


def consult_referrer(
    cycle: CommandCycle, referral_id: UUID, command: ConsultReferrer, issued: Issued
) -> Outcome:
    return cycle.change_referral(
        referral_id,
        command,
        issued,
        lambda referral, audit: referral.consult_referrer(audit, command),
    )


def record_risk_assessment(
    cycle: CommandCycle, referral_id: UUID, command: RecordRiskAssessment, issued: Issued
) -> Outcome:
    return cycle.change_referral(
        referral_id,
        command,
        issued,
        lambda referral, audit: referral.record_risk_assessment(audit, command),
    )


def conclude_strategy_discussion(
    cycle: CommandCycle, referral_id: UUID, command: ConcludeStrategyDiscussion, issued: Issued
) -> Outcome:
    return cycle.change_referral(
        referral_id,
        command,
        issued,
        lambda referral, audit: referral.conclude_strategy_discussion(audit, command),
    )


def sign_mash_decision(
    cycle: CommandCycle, referral_id: UUID, command: SignMashDecision, issued: Issued
) -> Outcome:
    return cycle.change_referral(
        referral_id,
        command,
        issued,
        lambda referral, audit: referral.sign_mash_decision(audit, command),
    )


def notify_referrer(
    cycle: CommandCycle, referral_id: UUID, command: NotifyReferrer, issued: Issued
) -> Outcome:
    return cycle.change_referral(
        referral_id,
        command,
        issued,
        lambda referral, audit: referral.notify_referrer(audit, command),
    )
