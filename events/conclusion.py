"""Events of the conclusion of the process, the referral to alternative support and the post-exit
reviews (guidance section 7, Appendix D)."""

from __future__ import annotations

from datetime import date
from typing import Any

from events.base import DomainEvent
from events.personal import SubjectData
from events.vocabulary import (
    Forum,
    PostExitReviewOutcome,
    PostExitReviewPoint,
)


class ProcessConcluded(DomainEvent):
    """The person is no longer categorised as VTR "at that time"; post-exit reviews fall due."""

    TOPIC = "vtr.referral.ProcessConcluded"
    EFFECTIVE = "concluded_on"

    forum: Forum
    concluded_on: date
    six_month_review_due_on: date
    twelve_month_review_due_on: date
    note: SubjectData[str | None]


class ReferredToAlternativeSupport(DomainEvent):
    """The person was referred to a different support mechanism; post-exit reviews fall due."""

    TOPIC = "vtr.referral.ReferredToAlternativeSupport"
    EFFECTIVE = "referred_on"

    forum: Forum
    referred_on: date
    support_provider: str
    six_month_review_due_on: date
    twelve_month_review_due_on: date
    rationale: SubjectData[str | None]


class PostExitReviewRecorded(DomainEvent):
    """The panel's decision reviewed at 6 or 12 months after exit (Appendix D)."""

    TOPIC = "vtr.referral.PostExitReviewRecorded"
    EFFECTIVE = "reviewed_on"
    class_version = 2

    review_point: PostExitReviewPoint
    reviewed_on: date
    outcome: PostExitReviewOutcome
    notes: SubjectData[str | None]
    early_reason: SubjectData[str | None]  # why it was held before it was due, if it was

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        # Version 1 took reviews on any day after the exit and kept no reason for an early one.
        state["early_reason"] = None
