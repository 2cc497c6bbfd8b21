"""Events of the strategy meeting and the reviews of support (guidance section 5)."""

from __future__ import annotations

from datetime import date

from pydantic import AwareDatetime

from events.base import DomainEvent
from events.forms import ActionDescription, PlannedAction
from events.personal import SubjectData
from events.vocabulary import MeetingOutcome, ReviewOutcome


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
    action_plan: list[PlannedAction]
    action_descriptions: SubjectData[list[ActionDescription]]
    review_on: date | None
    rationale: SubjectData[str | None]


class ReviewHeld(DomainEvent):
    """A review of support: continue, amend the plan, or conclude."""

    TOPIC = "vtr.referral.ReviewHeld"

    review_no: int
    held_on: date
    outcome: ReviewOutcome
    next_review_on: date | None
    amended_action_plan: list[PlannedAction] | None
    amended_action_descriptions: SubjectData[list[ActionDescription] | None]
    progress_notes: SubjectData[str]
