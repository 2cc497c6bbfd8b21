"""The process clock: every deadline of the process, from its anchor, on effective dates and
England and Wales working days (domain.md A7; A12 items 5, 6, 11 and 14).

Pure: it reads neither the log nor the time of day. A deadline's due date is either counted
from its anchor (working days, or months), or stated by the process itself: a review date
agreed at a meeting, an action's due date, a section 8 obligation's due date (which the
Referral aggregate counts and records when the obligation is raised). Where the guidance
gives no time ("as soon as practicable", feedback to the referrer), the target is local
policy, set in configuration and labelled so in the rule's words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from aggregates.calendar import add_working_days
from aggregates.referral_base import post_exit_review_days

REVIEW_WINDOW_DAYS = (28, 42)  # "in the region of 4-6 weeks" after the meeting (section 5)


class DeadlineKind(StrEnum):
    ACTION_POINTS_CIRCULATED = "action-points-circulated"
    MINUTES_CIRCULATED = "minutes-circulated"
    REVIEW_HELD = "review-held"
    REFERRER_FEEDBACK_AFTER_DECISION = "referrer-feedback-after-decision"
    REFERRER_FEEDBACK_AT_CONCLUSION = "referrer-feedback-at-conclusion"
    ACTION_DONE = "action-done"
    SIX_MONTH_REVIEW = "post-exit-review-6-months"
    TWELVE_MONTH_REVIEW = "post-exit-review-12-months"
    DELETION_OR_RETURN = "section-8-deletion-or-return"


class DeadlineStatus(StrEnum):
    MET = "met"
    LATE = "late"  # met, after its due date
    OPEN = "open"  # not met, not yet past its due date
    OVERDUE = "overdue"
    SUSPENDED = "suspended"  # a legal hold is in force on the case (section 8 only)


@dataclass(frozen=True)
class LocalTargets:
    """The targets the guidance leaves to local policy."""

    minutes_working_days: int = 5
    feedback_working_days: int = 5


RULES = {
    DeadlineKind.ACTION_POINTS_CIRCULATED: (
        "The chair circulates the meeting's action points within one working day: by the end "
        "of the next working day after the meeting (section 6). Met by the meeting's first "
        "circulated minutes, which list the agreed actions: the ledger records no other "
        "circulation of action points."
    ),
    DeadlineKind.MINUTES_CIRCULATED: (
        "The chair circulates the meeting's minutes as soon as practicable (section 6); local "
        "policy: within {minutes} of the meeting."
    ),
    DeadlineKind.REVIEW_HELD: (
        "The chair holds the next review on the date agreed at the meeting, in the region of "
        "4-6 weeks afterwards (section 5)."
    ),
    DeadlineKind.REFERRER_FEEDBACK_AFTER_DECISION: (
        "The MASH gives the referrer feedback on the strategy discussion's outcome once the "
        'Section 2 decision is signed (section 5; the form\'s "notified by"); local policy: '
        "within {feedback}."
    ),
    DeadlineKind.REFERRER_FEEDBACK_AT_CONCLUSION: (
        "The MASH gives the referrer feedback at the conclusion, or the referral to "
        "alternative support (section 7); local policy: within {feedback}."
    ),
    DeadlineKind.ACTION_DONE: (
        "The lead agency completes the action of the support package, or drops it with a "
        "reason, by its due date (section 5)."
    ),
    DeadlineKind.SIX_MONTH_REVIEW: (
        "The panel's decision is reviewed 6 months after the exit (Appendix D)."
    ),
    DeadlineKind.TWELVE_MONTH_REVIEW: (
        "The panel's decision is reviewed 12 months after the exit (Appendix D)."
    ),
    DeadlineKind.DELETION_OR_RETURN: (
        "The recipient securely deletes or returns what it received once it is no longer "
        "involved, by the due date; a legal hold suspends it (section 8)."
    ),
}


class ProcessClock:
    """Due dates and rules in words, under the local targets in force."""

    def __init__(self, targets: LocalTargets | None = None) -> None:
        self.targets = targets or LocalTargets()

    def rule(self, kind: DeadlineKind) -> str:
        return RULES[kind].format(
            minutes=_working_days(self.targets.minutes_working_days),
            feedback=_working_days(self.targets.feedback_working_days),
        )

    def due_on(self, kind: DeadlineKind, anchor: date) -> date:
        """The due date counted from `anchor`, for the kinds whose due date is counted."""
        if kind is DeadlineKind.ACTION_POINTS_CIRCULATED:
            return add_working_days(anchor, 1)
        if kind is DeadlineKind.MINUTES_CIRCULATED:
            return add_working_days(anchor, self.targets.minutes_working_days)
        if kind in FEEDBACK:
            return add_working_days(anchor, self.targets.feedback_working_days)
        if kind in POST_EXIT_REVIEWS:
            six, twelve = post_exit_review_days(anchor)  # the rule the aggregate applies
            return six if kind is DeadlineKind.SIX_MONTH_REVIEW else twelve
        raise ValueError(f"{kind} has its due date stated by the process, not counted")


FEEDBACK = frozenset(
    {DeadlineKind.REFERRER_FEEDBACK_AFTER_DECISION, DeadlineKind.REFERRER_FEEDBACK_AT_CONCLUSION}
)
POST_EXIT_REVIEWS = frozenset({DeadlineKind.SIX_MONTH_REVIEW, DeadlineKind.TWELVE_MONTH_REVIEW})


def _working_days(count: int) -> str:
    return f"{count} working day{'' if count == 1 else 's'}"


def review_date_warning(
    meeting_day: date, review_on: date, *, reason_recorded: bool = False
) -> str | None:
    """A warning, not a refusal, when the agreed review date is outside 4-6 weeks: the
    guidance says "in the region of", so the meeting may have had its reasons, which it
    records (sealed: the warning says whether there is one)."""
    days = (review_on - meeting_day).days
    earliest, latest = REVIEW_WINDOW_DAYS
    if earliest <= days <= latest:
        return None
    reason = "the meeting recorded its reason" if reason_recorded else "no reason was recorded"
    return (
        f"The review was agreed for {days} days after the meeting, outside the {earliest}-"
        f"{latest} days (4-6 weeks) the guidance expects; {reason}."
    )


def status_on(
    due_on: date, met_on: date | None, day: date, *, suspended: bool = False
) -> DeadlineStatus:
    """Where a deadline stands on `day`: a thing done by the end of its due date is met."""
    if met_on is not None and met_on <= day:
        return DeadlineStatus.MET if met_on <= due_on else DeadlineStatus.LATE
    if suspended:
        return DeadlineStatus.SUSPENDED
    return DeadlineStatus.OVERDUE if due_on < day else DeadlineStatus.OPEN
