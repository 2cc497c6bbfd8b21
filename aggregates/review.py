"""Steps of the reviews of support after the strategy meeting (section 5)."""

from __future__ import annotations

from datetime import date

from pydantic import Field

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
            )
        )
