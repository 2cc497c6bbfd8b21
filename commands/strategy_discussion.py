"""Commands of the strategy discussion, the Section 2 decision, the meeting and reviews."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from pydantic import AwareDatetime, Field, StringConstraints

from aggregates.instructions import StaffRef
from commands.base import ChangeReferral
from commands.context import Issued, Outcome
from commands.cycle import CommandCycle
from events.forms import ONE_LINE, Line, Narrative, RiskAssessment
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


class ScheduleStrategyDiscussion(ChangeReferral):
    """Schedule (or reschedule) the discussion led by the police inspector or deputy."""

    scheduled_for: AwareDatetime
    lead_officer: StaffRef
    social_care_service: SocialCareService
    social_care_representative: StaffRef


class ConsultReferrer(ChangeReferral):
    """The person who made the referral was consulted, or invited to attend (section 5)."""

    involvement: ReferrerInvolvement
    notes: Narrative | None = None


class RecordRiskAssessment(ChangeReferral):
    """The strategy discussion's collective risk assessment, with the section 5 headings."""

    assessment: RiskAssessment


class ConcludeStrategyDiscussion(ChangeReferral):
    """Record the Section 2 decision: Yes with a category, or No with reasons."""

    outcome: DiscussionOutcome
    vtr_category: VtrCategory | None = None
    reasons: Narrative | None = None


class SignMashDecision(ChangeReferral):
    """Sign one box of Section 2 as the authenticated person, in the capacity of your role."""

    capacity: SignatoryCapacity


class NotifyReferrer(ChangeReferral):
    """Record that the referrer was told the outcome: when, whom, by whom, how."""

    feedback_point: FeedbackPoint
    notified_at: AwareDatetime
    notified_person: Line
    notified_by: StaffRef | None = Field(
        default=None, description="Who told the referrer; the acting person when omitted."
    )
    method: ContactMethod


# Handlers


def schedule_strategy_discussion(
    cycle: CommandCycle, referral_id: UUID, command: ScheduleStrategyDiscussion, issued: Issued
) -> Outcome:
    return cycle.change_referral(
        referral_id,
        command,
        issued,
        lambda referral, audit: referral.schedule_strategy_discussion(
            audit,
            command.scheduled_for,
            command.lead_officer,
            command.social_care_service,
            command.social_care_representative,
        ),
    )


def consult_referrer(
    cycle: CommandCycle, referral_id: UUID, command: ConsultReferrer, issued: Issued
) -> Outcome:
    return cycle.change_referral(
        referral_id,
        command,
        issued,
        lambda referral, audit: referral.consult_referrer(
            audit, command.involvement, command.notes
        ),
    )


def record_risk_assessment(
    cycle: CommandCycle, referral_id: UUID, command: RecordRiskAssessment, issued: Issued
) -> Outcome:
    return cycle.change_referral(
        referral_id,
        command,
        issued,
        lambda referral, audit: referral.record_risk_assessment(audit, command.assessment),
    )


def conclude_strategy_discussion(
    cycle: CommandCycle, referral_id: UUID, command: ConcludeStrategyDiscussion, issued: Issued
) -> Outcome:
    return cycle.change_referral(
        referral_id,
        command,
        issued,
        lambda referral, audit: referral.conclude_strategy_discussion(
            audit, command.outcome, command.vtr_category, command.reasons
        ),
    )


def sign_mash_decision(
    cycle: CommandCycle, referral_id: UUID, command: SignMashDecision, issued: Issued
) -> Outcome:
    return cycle.change_referral(
        referral_id,
        command,
        issued,
        lambda referral, audit: referral.sign_mash_decision(audit, command.capacity),
    )


def notify_referrer(
    cycle: CommandCycle, referral_id: UUID, command: NotifyReferrer, issued: Issued
) -> Outcome:
    return cycle.change_referral(
        referral_id,
        command,
        issued,
        lambda referral, audit: referral.notify_referrer(
            audit,
            command.feedback_point,
            command.notified_at,
            command.notified_person,
            command.notified_by or issued.actor.actor_id,
            command.method,
        ),
    )
