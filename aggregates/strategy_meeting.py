"""Steps of the multi-agency strategy meeting: convened, its outcome and action plan (section 5)."""

from __future__ import annotations

from datetime import date
from typing import Self

from pydantic import AwareDatetime, Field, model_validator

from aggregates import rules
from aggregates.errors import (
    InvalidInstructionError,
)
from aggregates.instructions import Instruction, StaffRef
from aggregates.referral_base import (
    ReferralBase,
    must_follow,
    number_actions,
)
from aggregates.referral_state import Stage
from events.base import AuditEnvelope
from events.forms import (
    Narrative,
    SupportAction,
)
from events.strategy_meeting import StrategyMeetingConcluded, StrategyMeetingConvened
from events.vocabulary import (
    MeetingOutcome,
)


class StrategyMeetingConvening(Instruction):
    """Convene the multi-agency strategy meeting, chaired by the MASH lead or their nominee."""

    meeting_at: AwareDatetime
    chair: StaffRef
    nominated_by: StaffRef | None = None


class StrategyMeetingDecision(Instruction):
    """A support package needs its actions (each with a lead agency) and a review date."""

    outcome: MeetingOutcome
    actions: tuple[SupportAction, ...] = Field(default_factory=tuple, max_length=50)
    review_on: date | None = None
    rationale: Narrative | None = None
    review_date_reason: Narrative | None = Field(
        default=None,
        description="Why the review is agreed outside 4-6 weeks, if it is: accepted with a "
        "warning either way, and kept.",
    )

    @model_validator(mode="after")
    def _a_reason_for_a_date(self) -> Self:
        if self.review_date_reason is not None and self.review_on is None:
            raise InvalidInstructionError(
                "review_date_reason", "A reason is for an agreed review date: give review_on."
            )
        return self


class StrategyMeetingSteps(ReferralBase):
    """The multi-agency meeting and its support package."""

    def convene_strategy_meeting(
        self, audit: AuditEnvelope, convening: StrategyMeetingConvening
    ) -> None:
        self._require_stage(
            "Convening the strategy meeting",
            {Stage.AWAITING_STRATEGY_MEETING, Stage.STRATEGY_MEETING},
            "once the Section 2 decision (Yes) is signed and before the meeting concludes",
        )
        self._record(
            StrategyMeetingConvened(
                **self._header(audit),
                meeting_at=convening.meeting_at,
                chair=convening.chair,
                nominated_by=convening.nominated_by,
            )
        )

    def conclude_strategy_meeting(
        self, audit: AuditEnvelope, decision: StrategyMeetingDecision
    ) -> None:
        self._require_stage(
            "Concluding the strategy meeting", {Stage.STRATEGY_MEETING}, "once it is convened"
        )
        meeting_day = self._meeting_day()
        meeting = self.state.strategy_meeting
        held = meeting is not None and audit.occurred_at >= meeting.meeting_at
        self._require(held, rules.MEETING_NOT_YET_HELD)
        if decision.outcome is MeetingOutcome.SUPPORT_PACKAGE:
            if not decision.actions:
                raise InvalidInstructionError(
                    "actions", "A support package is an action plan: give at least one action."
                )
            must_follow(decision.review_on, meeting_day, "review_on", "the meeting")
        elif decision.actions or decision.review_on is not None:
            raise InvalidInstructionError(
                "actions", "An action plan and a review date belong to a support package only."
            )
        plan, descriptions = number_actions(decision.actions)
        self._record(
            StrategyMeetingConcluded(
                **self._header(audit),
                outcome=decision.outcome,
                action_plan=plan,
                action_descriptions=descriptions,
                review_on=decision.review_on,
                rationale=decision.rationale,
                review_date_reason=decision.review_date_reason,
            )
        )
