"""Commands of the strategy discussion, the Section 2 decision, the meeting and reviews."""

from __future__ import annotations

from aggregates.strategy_meeting import StrategyMeetingConvening, StrategyMeetingDecision
from commands.base import ChangeReferral


class ConveneStrategyMeeting(StrategyMeetingConvening, ChangeReferral):
    """Convene the multi-agency strategy meeting, chaired by the MASH lead or their nominee."""


class ConcludeStrategyMeeting(StrategyMeetingDecision, ChangeReferral):
    """A support package needs its actions (each with a lead agency) and a review date."""
