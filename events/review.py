"""Events of the reviews of support after the strategy meeting (guidance section 5: "in the region
of 4-6 weeks")."""

from __future__ import annotations

from datetime import date
from typing import Any

from events.base import DomainEvent
from events.forms import ActionDescription, PlannedAction
from events.personal import ControllerData, SubjectData
from events.vocabulary import ReviewOutcome


class ReviewHeld(DomainEvent):
    """A review of support: continue, amend the plan, or conclude."""

    TOPIC = "vtr.referral.ReviewHeld"
    EFFECTIVE = "held_on"
    class_version = 2

    review_no: int
    held_on: date
    outcome: ReviewOutcome
    next_review_on: date | None
    amended_action_plan: tuple[PlannedAction, ...] | None
    amended_action_descriptions: SubjectData[tuple[ActionDescription, ...] | None]
    progress_notes: SubjectData[str]
    # Why the next review is agreed outside "the region of 4-6 weeks", where it is.
    review_date_reason: ControllerData[str | None] = None

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        # Version 1 kept no reason for a review date outside 4-6 weeks.
        state["review_date_reason"] = None
