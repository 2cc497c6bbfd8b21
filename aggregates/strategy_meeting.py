"""Steps of the multi-agency strategy meeting: convened, its outcome and action plan (section 5)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from aggregates import rules
from aggregates.errors import (
    InvalidInstructionError,
)
from aggregates.referral_base import (
    ReferralBase,
    must_follow,
    number_actions,
)
from aggregates.referral_state import Stage
from events.base import AuditEnvelope
from events.forms import (
    SupportAction,
)
from events.strategy_meeting import StrategyMeetingConcluded, StrategyMeetingConvened
from events.vocabulary import (
    MeetingOutcome,
)


class StrategyMeetingSteps(ReferralBase):
    """The multi-agency meeting and its support package."""

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
