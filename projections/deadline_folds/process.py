"""Deadlines of the process's own steps: feedback to the referrer after the Section 2
decision and at the exit, the next review agreed at a meeting, the post-exit reviews."""

from __future__ import annotations

from datetime import date

from aggregates import exit_day
from aggregates.process_clock import DeadlineKind, review_date_warning
from events.base import DomainEvent
from events.conclusion import PostExitReviewRecorded, ProcessConcluded, ReferredToAlternativeSupport
from events.intake import ReferralScreenedIn, ReferralScreenedOut
from events.review import ReviewHeld
from events.strategy_discussion import MashDecisionSigned, ReferrerNotified
from events.strategy_meeting import StrategyMeetingConcluded, StrategyMeetingConvened
from events.vocabulary import FeedbackPoint, PostExitReviewPoint, Role
from projections.deadline_book import DeadlineBook, DeadlineFolds, Responsible, day_of

FOLDS = DeadlineFolds()
SECTION_2_SIGNATURES = 2
AFTER_DECISION = DeadlineKind.REFERRER_FEEDBACK_AFTER_DECISION
AT_CONCLUSION = DeadlineKind.REFERRER_FEEDBACK_AT_CONCLUSION


@FOLDS.on(ReferralScreenedIn)
def _screened_in(book: DeadlineBook, event: ReferralScreenedIn) -> None:
    # Feedback to the referrer is the MASH's (the Section 2 form's "notified by"): the
    # triage that screened the referral, whoever recorded the decision or the exit.
    book.mash[event.originator_id] = Responsible.actor(event.audit)


@FOLDS.on(ReferralScreenedOut)
def _screened_out(book: DeadlineBook, event: ReferralScreenedOut) -> None:
    book.mash[event.originator_id] = Responsible.actor(event.audit)


@FOLDS.on(MashDecisionSigned)
def _signed(book: DeadlineBook, event: MashDecisionSigned) -> None:
    """The Section 2 decision takes effect with its second signature."""
    book.signatures[event.originator_id] += 1
    if book.signatures[event.originator_id] == SECTION_2_SIGNATURES:
        key = (AFTER_DECISION, 0, "the Section 2 decision")
        book.open(event, key, exit_day.of_section_2(event), _mash(book, event))


@FOLDS.on(ReferrerNotified)
def _notified(book: DeadlineBook, event: ReferrerNotified) -> None:
    decision = event.feedback_point is FeedbackPoint.STRATEGY_DISCUSSION
    book.meet(event.originator_id, AFTER_DECISION if decision else AT_CONCLUSION, 0, day_of(event))


@FOLDS.on(StrategyMeetingConvened)
def _convened(book: DeadlineBook, event: StrategyMeetingConvened) -> None:
    book.strategy_meetings_at[event.originator_id] = event.meeting_at


@FOLDS.on(StrategyMeetingConcluded)
def _meeting_concluded(book: DeadlineBook, event: StrategyMeetingConcluded) -> None:
    if event.review_on is not None:
        meeting_at = book.strategy_meetings_at.get(event.originator_id)
        # The day the meeting sat, as the write side dates what it agreed.
        meeting_day = (
            day_of(event) if meeting_at is None else exit_day.of_meeting(meeting_at, event)
        )
        _review_agreed(book, event, meeting_day, event.review_on)


@FOLDS.on(ReviewHeld)
def _review_held(book: DeadlineBook, event: ReviewHeld) -> None:
    """A review meets the one agreed before it, and may agree the next."""
    held_on = exit_day.of_review(event)
    book.meet(
        event.originator_id, DeadlineKind.REVIEW_HELD, book.reviews[event.originator_id], held_on
    )
    if event.next_review_on is not None:
        _review_agreed(book, event, held_on, event.next_review_on)


def _review_agreed(
    book: DeadlineBook,
    event: StrategyMeetingConcluded | ReviewHeld,
    meeting_day: date,
    review_on: date,
) -> None:
    book.reviews[event.originator_id] += 1
    number = book.reviews[event.originator_id]
    book.open(
        event,
        (DeadlineKind.REVIEW_HELD, number, f"review {number}"),
        meeting_day,
        Responsible.actor(event.audit),
        due_on=review_on,
        warning=review_date_warning(
            meeting_day,
            review_on,
            reason_recorded=event.review_date_reason is not None,
        ),
    )


@FOLDS.on(ProcessConcluded)
def _concluded(book: DeadlineBook, event: ProcessConcluded) -> None:
    _exited(book, event)


@FOLDS.on(ReferredToAlternativeSupport)
def _referred_on(book: DeadlineBook, event: ReferredToAlternativeSupport) -> None:
    _exited(book, event)


def _exited(book: DeadlineBook, event: DomainEvent) -> None:
    exit_day = day_of(event)
    book.open(event, (AT_CONCLUSION, 0, "the exit"), exit_day, _mash(book, event))
    # Only the panel's chair records a post-exit review; the agency is the exit's.
    panel = Responsible.actor(event.audit, Role.MEETING_CHAIR)
    book.open(event, (DeadlineKind.SIX_MONTH_REVIEW, 0, "6 months after the exit"), exit_day, panel)
    twelve = (DeadlineKind.TWELVE_MONTH_REVIEW, 0, "12 months after the exit")
    book.open(event, twelve, exit_day, panel)


@FOLDS.on(PostExitReviewRecorded)
def _post_exit_reviewed(book: DeadlineBook, event: PostExitReviewRecorded) -> None:
    six = event.review_point is PostExitReviewPoint.SIX_MONTHS
    kind = DeadlineKind.SIX_MONTH_REVIEW if six else DeadlineKind.TWELVE_MONTH_REVIEW
    book.meet(event.originator_id, kind, 0, event.reviewed_on)


def _mash(book: DeadlineBook, event: DomainEvent) -> Responsible:
    return book.mash.get(event.originator_id) or Responsible.actor(event.audit, Role.MASH_TRIAGE)
