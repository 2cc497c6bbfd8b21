"""Commands of the strategy discussion, the Section 2 decision, the meeting and reviews."""

from __future__ import annotations

from uuid import UUID

from aggregates.strategy_meeting import StrategyMeetingConvening, StrategyMeetingDecision
from commands.base import ChangeReferral
from commands.context import Issued, Outcome
from commands.cycle import CommandCycle


class ConveneStrategyMeeting(StrategyMeetingConvening, ChangeReferral):
    """Convene the multi-agency strategy meeting, chaired by the MASH lead or their nominee."""


class ConcludeStrategyMeeting(StrategyMeetingDecision, ChangeReferral):
    """A support package needs its actions (each with a lead agency) and a review date."""


# Handlers


def convene_strategy_meeting(
    cycle: CommandCycle, referral_id: UUID, command: ConveneStrategyMeeting, issued: Issued
) -> Outcome:
    return cycle.change_referral(
        referral_id,
        command,
        issued,
        lambda referral, audit: referral.convene_strategy_meeting(audit, command),
    )


def conclude_strategy_meeting(
    cycle: CommandCycle, referral_id: UUID, command: ConcludeStrategyMeeting, issued: Issued
) -> Outcome:
    return cycle.change_referral(
        referral_id,
        command,
        issued,
        lambda referral, audit: referral.conclude_strategy_meeting(audit, command),
    )
