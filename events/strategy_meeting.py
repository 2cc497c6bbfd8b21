"""Events of the multi-agency strategy meeting (guidance section 5)."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import AwareDatetime

from events.base import DomainEvent
from events.forms import ActionDescription, PlannedAction
from events.personal import ControllerData, SubjectData
from events.vocabulary import MeetingOutcome


class StrategyMeetingConvened(DomainEvent):
    """Convened and chaired by the MASH lead, or by a person the lead nominated."""

    TOPIC = "vtr.referral.StrategyMeetingConvened"

    meeting_at: AwareDatetime
    chair: str
    nominated_by: str | None


class StrategyMeetingConcluded(DomainEvent):
    """A support package (action plan with lead partners), alternative support, or no concern."""

    TOPIC = "vtr.referral.StrategyMeetingConcluded"
    class_version = 2

    outcome: MeetingOutcome
    action_plan: tuple[PlannedAction, ...]
    action_descriptions: SubjectData[tuple[ActionDescription, ...]]
    review_on: date | None
    rationale: SubjectData[str | None]
    # Why the review is agreed outside "the region of 4-6 weeks", where it is (the chair's).
    review_date_reason: ControllerData[str | None] = None

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        # Version 1 kept no reason for a review date outside 4-6 weeks.
        state["review_date_reason"] = None
