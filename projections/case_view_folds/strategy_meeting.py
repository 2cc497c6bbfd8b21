"""The case view through the strategy meeting: convened, and its outcome (a support package, or an
exit)."""

from __future__ import annotations

from aggregates import exit_day
from events.strategy_meeting import StrategyMeetingConcluded, StrategyMeetingConvened
from events.vocabulary import Forum, MeetingOutcome
from projections.case_view import CaseView, Stage, StrategyMeeting
from projections.case_view_folds.folding import ExitKind, Folds, action_plan, exit_agreed

FOLDS = Folds()


@FOLDS.on(StrategyMeetingConvened)
def _meeting_convened(view: CaseView, event: StrategyMeetingConvened) -> CaseView:
    # Convened again: a new sitting, whose confidentiality statement must be read again.
    meeting = StrategyMeeting(
        meeting_at=event.meeting_at, chair=event.chair, nominated_by=event.nominated_by
    )
    return view.model_copy(update={"strategy_meeting": meeting, "stage": Stage.STRATEGY_MEETING})


@FOLDS.on(StrategyMeetingConcluded)
def _meeting_concluded(view: CaseView, event: StrategyMeetingConcluded) -> CaseView:
    meeting = _meeting(view).model_copy(
        update={"outcome": event.outcome, "concluded_at": event.timestamp}
    )
    concluded = view.model_copy(update={"strategy_meeting": meeting})
    if event.outcome is MeetingOutcome.SUPPORT_PACKAGE:
        return concluded.model_copy(
            update={
                "action_plan": action_plan(event.action_plan),
                "next_review_on": event.review_on,
                "stage": Stage.SUPPORT_AND_REVIEW,
            }
        )
    kind: ExitKind = (
        "alternative_support"
        if event.outcome is MeetingOutcome.ALTERNATIVE_SUPPORT
        else "conclusion"
    )
    on = exit_day.of_meeting(meeting.meeting_at, event)
    return exit_agreed(concluded, kind, Forum.STRATEGY_MEETING, event, on)


def _meeting(view: CaseView) -> StrategyMeeting:
    if view.strategy_meeting is None:
        raise TypeError("event needs a convened strategy meeting")
    return view.strategy_meeting
