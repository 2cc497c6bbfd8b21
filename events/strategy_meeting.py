"""Events of the multi-agency strategy meeting (guidance section 5)."""

from __future__ import annotations

from datetime import date

from pydantic import AwareDatetime

from events.base import DomainEvent
from events.forms import ActionDescription, PlannedAction
from events.personal import SubjectData
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

    outcome: MeetingOutcome
    action_plan: tuple[PlannedAction, ...]
    action_descriptions: SubjectData[tuple[ActionDescription, ...]]
    review_on: date | None
    rationale: SubjectData[str | None]
