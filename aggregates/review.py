"""Steps of the reviews of support after the strategy meeting (section 5)."""

from __future__ import annotations

from datetime import date
from typing import Self

from pydantic import Field, model_validator

from aggregates.errors import (
    InvalidInstructionError,
)
from aggregates.instructions import Instruction
from aggregates.referral_base import (
    ReferralBase,
    business_day,
    must_follow,
    not_after,
    not_before,
    number_actions,
)
from aggregates.referral_state import Stage
from events.base import AuditEnvelope
from events.forms import Narrative, SupportAction
from events.review import ReviewHeld
from events.vocabulary import (
    ReviewOutcome,
)


class ReviewReport(Instruction):
    """A review of the support package, held on a day; the next review is in about 4-6 weeks."""

    held_on: date
    outcome: ReviewOutcome
    next_review_on: date | None = None
    amended_actions: tuple[SupportAction, ...] | None = Field(default=None, max_length=50)
    progress_notes: Narrative
    review_date_reason: Narrative | None = Field(
        default=None,
        description="Why the next review is agreed outside 4-6 weeks, if it is: accepted with "
        "a warning either way, and kept.",
    )

    @model_validator(mode="after")
    def _a_reason_for_a_date(self) -> Self:
        if self.review_date_reason is not None and self.next_review_on is None:
            raise InvalidInstructionError(
                "review_date_reason", "A reason is for an agreed review date: give next_review_on."
            )
        return self


class ReviewSteps(ReferralBase):
    def hold_review(self, audit: AuditEnvelope, review: ReviewReport) -> None:
        self._require_stage(
            "Holding a review", {Stage.SUPPORT_AND_REVIEW}, "while support is delivered"
        )
        not_before(review.held_on, self._meeting_day(), "held_on", "the strategy meeting")
        not_after(review.held_on, business_day(audit), "held_on", "today")
        if review.outcome is ReviewOutcome.CONCLUDE:
            if review.next_review_on is not None:
                raise InvalidInstructionError(
                    "next_review_on", "A concluding review sets no next review."
                )
        else:
            must_follow(review.next_review_on, review.held_on, "next_review_on", "this review")
        if (review.outcome is ReviewOutcome.AMEND_PLAN) != bool(review.amended_actions):
            raise InvalidInstructionError(
                "amended_actions", "Give the amended actions exactly when the plan is amended."
            )
        plan, descriptions = (
            number_actions(review.amended_actions) if review.amended_actions else (None, None)
        )
        self._record(
            ReviewHeld(
                **self._header(audit),
                review_no=len(self.state.reviews) + 1,
                held_on=review.held_on,
                outcome=review.outcome,
                next_review_on=review.next_review_on,
                amended_action_plan=plan,
                amended_action_descriptions=descriptions,
                progress_notes=review.progress_notes,
                review_date_reason=review.review_date_reason,
            )
        )
