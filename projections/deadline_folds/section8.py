"""Section 8 deadlines: each recipient's deletion or return of what it received.

The due dates are the Referral aggregate's, as recorded (`DisposalObligationRaised.due_on`,
counted afresh when a hold is lifted), and a hold suspends them: the same fold as the
obligations view's (`projections.disposal_obligations`), whose statuses a test checks these
against.
"""

from __future__ import annotations

from typing import Any

from aggregates.process_clock import DeadlineKind
from events.disposal import (
    DisposalConfirmed,
    DisposalObligationRaised,
    LegalHoldLifted,
    LegalHoldPlaced,
)
from projections.deadline_book import DeadlineBook, DeadlineFolds, Responsible

FOLDS = DeadlineFolds()
KIND = DeadlineKind.DELETION_OR_RETURN


@FOLDS.on(DisposalObligationRaised)
def _raised(book: DeadlineBook, event: DisposalObligationRaised) -> None:
    number = event.obligation_no
    book.open(
        event,
        (KIND, number, f"obligation {number}"),
        event.raised_on,
        Responsible.agency_only(event.agency),
        due_on=event.due_on,
        suspended=event.originator_id in book.held,
    )


@FOLDS.on(DisposalConfirmed)
def _confirmed(book: DeadlineBook, event: DisposalConfirmed) -> None:
    if event.complete:  # a partial confirmation discharges nothing yet
        book.meet(event.originator_id, KIND, event.obligation_no, event.disposed_on)


@FOLDS.on(LegalHoldPlaced)
def _held(book: DeadlineBook, event: LegalHoldPlaced) -> None:
    book.held.add(event.originator_id)
    for key in book.unmet(event.originator_id, KIND):
        book.change(key, suspended=True)


@FOLDS.on(LegalHoldLifted)
def _lifted(book: DeadlineBook, event: LegalHoldLifted) -> None:
    book.held.discard(event.originator_id)
    changes: dict[str, Any] = {"suspended": False}
    if event.obligations_due_on is not None:
        changes["due_on"] = event.obligations_due_on
    for key in book.unmet(event.originator_id, KIND):
        book.change(key, **changes)
