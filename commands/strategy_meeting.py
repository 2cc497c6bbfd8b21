"""Commands of the strategy discussion, the Section 2 decision, the meeting and reviews."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import AwareDatetime, Field

from aggregates.instructions import StaffRef
from commands.base import ChangeReferral
from commands.context import Issued, Outcome
from commands.cycle import CommandCycle
from events.forms import Narrative, SupportAction
from events.vocabulary import (
    MeetingOutcome,
)


class ConveneStrategyMeeting(ChangeReferral):
    """Convene the multi-agency strategy meeting, chaired by the MASH lead or their nominee."""

    meeting_at: AwareDatetime
    chair: StaffRef
    nominated_by: StaffRef | None = None


class ConcludeStrategyMeeting(ChangeReferral):
    """A support package needs its actions (each with a lead agency) and a review date."""

    outcome: MeetingOutcome
    actions: list[SupportAction] = Field(default_factory=list, max_length=50)
    review_on: date | None = None
    rationale: Narrative | None = None


# Handlers


def convene_strategy_meeting(
    cycle: CommandCycle, referral_id: UUID, command: ConveneStrategyMeeting, issued: Issued
) -> Outcome:
    return cycle.change_referral(
        referral_id,
        command,
        issued,
        lambda referral, audit: referral.convene_strategy_meeting(
            audit, command.meeting_at, command.chair, command.nominated_by
        ),
    )


def conclude_strategy_meeting(
    cycle: CommandCycle, referral_id: UUID, command: ConcludeStrategyMeeting, issued: Issued
) -> Outcome:
    return cycle.change_referral(
        referral_id,
        command,
        issued,
        lambda referral, audit: referral.conclude_strategy_meeting(
            audit, command.outcome, command.actions, command.review_on, command.rationale
        ),
    )
