"""Every deadline of the process, folded from the log on demand.

The folds read only the events that open or meet a deadline, so reading the log for them is
one topic-filtered scan; a year of a county's referrals folds in milliseconds, which is why
no stored view is kept (a view would lag, and the clock's local targets would be baked into
its rows).
"""

from __future__ import annotations

from collections.abc import Iterable

from eventsourcing.persistence import ApplicationRecorder

from aggregates.process_clock import ProcessClock
from events.base import DomainEvent
from events.storage import logged_events
from projections.deadline_book import Deadline, DeadlineBook, Fold
from projections.deadline_folds import meetings, process, section8

FOLDS: dict[str, Fold] = {}
for _part in (process.FOLDS, meetings.FOLDS, section8.FOLDS):
    FOLDS.update(_part.folds)
TOPICS = tuple(FOLDS)


def fold(events: Iterable[DomainEvent], clock: ProcessClock) -> list[Deadline]:
    """The deadlines the events set, in the order they were first opened."""
    book = DeadlineBook(clock)
    for event in events:
        found = FOLDS.get(event.TOPIC)
        if found is not None:
            found(book, event)
    return list(book.deadlines.values())


def deadlines_in_log(recorder: ApplicationRecorder, clock: ProcessClock) -> list[Deadline]:
    return fold((event for _, event in logged_events(recorder, TOPICS)), clock)
