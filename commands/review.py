"""Commands of the strategy discussion, the Section 2 decision, the meeting and reviews."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import Field

from commands.base import ChangeReferral
from commands.context import Issued, Outcome
from commands.cycle import CommandCycle
from events.forms import Narrative, SupportAction
from events.vocabulary import (
    ReviewOutcome,
)


class HoldReview(ChangeReferral):
    """A review of the support package, held on a day; the next review is in about 4-6 weeks."""

    held_on: date
    outcome: ReviewOutcome
    next_review_on: date | None = None
    amended_actions: list[SupportAction] | None = Field(default=None, max_length=50)
    progress_notes: Narrative


# Handlers


def hold_review(
    cycle: CommandCycle, referral_id: UUID, command: HoldReview, issued: Issued
) -> Outcome:
    return cycle.change_referral(
        referral_id,
        command,
        issued,
        lambda referral, audit: referral.hold_review(
            audit,
            command.held_on,
            command.outcome,
            command.next_review_on,
            command.amended_actions,
            command.progress_notes,
        ),
    )
