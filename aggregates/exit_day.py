"""The day an exit from the process is agreed: the day the forum that agreed it sat, however
late its entry was typed (two clocks, #13).

The write side dates the exit from it (`conclusion`) and the case view shows it; both take it
from here, so what a caseworker reads is the day the rules checked against.
"""

from __future__ import annotations

from datetime import date, datetime

from aggregates.calendar import uk_date
from events.review import ReviewHeld
from events.strategy_discussion import MashDecisionSigned
from events.strategy_meeting import StrategyMeetingConcluded


def of_section_2(second_signature: MashDecisionSigned) -> date:
    # Section 2 takes effect with its second signature, which states no day of its own: it
    # is signed as it is recorded.
    return uk_date(second_signature.audit.occurred_at)


def of_meeting(meeting_at: datetime, outcome: StrategyMeetingConcluded) -> date:
    # The meeting's own day. Outcomes entered before the meeting's time (older entries,
    # before the rule that a decision waits for its meeting) were agreed on the day typed.
    return uk_date(min(meeting_at, outcome.audit.occurred_at))


def of_review(review: ReviewHeld) -> date:
    return review.held_on
