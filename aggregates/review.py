"""Steps of the reviews of support after the strategy meeting (section 5)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from aggregates.errors import (
    InvalidInstructionError,
)
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
from events.forms import (
    SupportAction,
)
from events.review import ReviewHeld
from events.vocabulary import (
    ReviewOutcome,
)


class ReviewSteps(ReferralBase):
    def hold_review(
        self,
        audit: AuditEnvelope,
        held_on: date,
        outcome: ReviewOutcome,
        next_review_on: date | None,
        amended_actions: Sequence[SupportAction] | None,
        progress_notes: str,
    ) -> None:
        self._require_stage(
            "Holding a review", {Stage.SUPPORT_AND_REVIEW}, "while support is delivered"
        )
        not_before(held_on, self._meeting_day(), "held_on", "the strategy meeting")
        not_after(held_on, business_day(audit), "held_on", "today")
        if outcome is ReviewOutcome.CONCLUDE:
            if next_review_on is not None:
                raise InvalidInstructionError(
                    "next_review_on", "A concluding review sets no next review."
                )
        else:
            must_follow(next_review_on, held_on, "next_review_on", "this review")
        if (outcome is ReviewOutcome.AMEND_PLAN) != bool(amended_actions):
            raise InvalidInstructionError(
                "amended_actions", "Give the amended actions exactly when the plan is amended."
            )
        plan, descriptions = number_actions(amended_actions) if amended_actions else (None, None)
        self._record(
            ReviewHeld(
                **self._header(audit),
                review_no=len(self.state.reviews) + 1,
                held_on=held_on,
                outcome=outcome,
                next_review_on=next_review_on,
                amended_action_plan=plan,
                amended_action_descriptions=descriptions,
                progress_notes=progress_notes,
            )
        )
