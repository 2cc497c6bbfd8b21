"""Deadlines of the meetings as section 6 runs them: action points and minutes circulated
after each meeting, and the actions of the support package done by their due dates."""

from __future__ import annotations

from aggregates.calendar import uk_date
from aggregates.process_clock import DeadlineKind
from events.meetings import (
    ActionAgreed,
    ActionCompleted,
    ActionDropped,
    MeetingAttendanceRecorded,
    MeetingScheduled,
    MinutesCirculated,
)
from projections.deadline_book import DeadlineBook, DeadlineFolds, Responsible, day_of

FOLDS = DeadlineFolds()
# The minutes list the agreed actions, so their first circulation is also the circulation of
# the action points (the ledger records no other): both deadlines are met by it.
CIRCULATED = (DeadlineKind.ACTION_POINTS_CIRCULATED, DeadlineKind.MINUTES_CIRCULATED)


@FOLDS.on(MeetingScheduled)
def _scheduled(book: DeadlineBook, event: MeetingScheduled) -> None:
    """Scheduled for a day: both circulations fall due after it, on the chair."""
    number = event.meeting_no
    day = uk_date(event.held_at)
    book.meeting_days[(event.originator_id, number)] = day
    for kind in CIRCULATED:
        book.open(event, (kind, number, f"meeting {number}"), day, Responsible.actor(event.audit))


@FOLDS.on(MeetingAttendanceRecorded)
def _attended(book: DeadlineBook, event: MeetingAttendanceRecorded) -> None:
    """The day the meeting was held, as recorded with its attendance, anchors them."""
    book.meeting_days[(event.originator_id, event.meeting_no)] = event.held_on
    for kind in CIRCULATED:
        book.re_anchor((event.originator_id, kind, event.meeting_no), event.held_on)


@FOLDS.on(MinutesCirculated)
def _circulated(book: DeadlineBook, event: MinutesCirculated) -> None:
    for kind in CIRCULATED:
        book.meet(event.originator_id, kind, event.meeting_no, day_of(event))


@FOLDS.on(ActionAgreed)
def _agreed(book: DeadlineBook, event: ActionAgreed) -> None:
    number = event.action_no
    meeting_day = book.meeting_days.get((event.originator_id, event.meeting_no), day_of(event))
    book.open(
        event,
        (DeadlineKind.ACTION_DONE, number, f"action {number}"),
        meeting_day,
        Responsible.agency_only(event.lead_agency),
        due_on=event.due_on,
    )


@FOLDS.on(ActionCompleted)
def _completed(book: DeadlineBook, event: ActionCompleted) -> None:
    book.meet(event.originator_id, DeadlineKind.ACTION_DONE, event.action_no, event.done_on)


@FOLDS.on(ActionDropped)
def _dropped(book: DeadlineBook, event: ActionDropped) -> None:
    book.meet(event.originator_id, DeadlineKind.ACTION_DONE, event.action_no, event.dropped_on)
