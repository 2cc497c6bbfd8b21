"""Steps of the strategy meeting and of the reviews of support (section 5)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from aggregates import rules
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
from events.strategy_meeting import ReviewHeld, StrategyMeetingConcluded, StrategyMeetingConvened
from events.vocabulary import (
    MeetingOutcome,
    ReviewOutcome,
)


class StrategyMeetingSteps(ReferralBase):
    """The multi-agency meeting, its support package, and reviews of support."""

    def convene_strategy_meeting(
        self, audit: AuditEnvelope, meeting_at: datetime, chair: str, nominated_by: str | None
    ) -> None:
        self._require_stage(
            "Convening the strategy meeting",
            {Stage.AWAITING_STRATEGY_MEETING, Stage.STRATEGY_MEETING},
            "once the Section 2 decision (Yes) is signed and before the meeting concludes",
        )
        self._record(
            StrategyMeetingConvened(
                **self._header(audit), meeting_at=meeting_at, chair=chair, nominated_by=nominated_by
            )
        )

    def conclude_strategy_meeting(
        self,
        audit: AuditEnvelope,
        outcome: MeetingOutcome,
        actions: Sequence[SupportAction],
        review_on: date | None,
        rationale: str | None,
    ) -> None:
        self._require_stage(
            "Concluding the strategy meeting", {Stage.STRATEGY_MEETING}, "once it is convened"
        )
        meeting_day = self._meeting_day()
        meeting = self.state.strategy_meeting
        held = meeting is not None and audit.occurred_at >= meeting.meeting_at
        self._require(held, rules.MEETING_NOT_YET_HELD)
        if outcome is MeetingOutcome.SUPPORT_PACKAGE:
            if not actions:
                raise InvalidInstructionError(
                    "actions", "A support package is an action plan: give at least one action."
                )
            must_follow(review_on, meeting_day, "review_on", "the meeting")
        elif actions or review_on is not None:
            raise InvalidInstructionError(
                "actions", "An action plan and a review date belong to a support package only."
            )
        plan, descriptions = number_actions(actions)
        self._record(
            StrategyMeetingConcluded(
                **self._header(audit),
                outcome=outcome,
                action_plan=plan,
                action_descriptions=descriptions,
                review_on=review_on,
                rationale=rationale,
            )
        )

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
