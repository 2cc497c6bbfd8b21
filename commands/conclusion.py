"""Commands of the conclusion of the process, post-exit reviews and disputes."""

from __future__ import annotations

from datetime import date

from commands.base import ChangeReferral
from events.forms import Line, Narrative
from events.vocabulary import (
    PostExitReviewOutcome,
    PostExitReviewPoint,
)


class ConcludeProcess(ChangeReferral):
    """The VTR process concluded: agreed at a strategy meeting or review that it no longer applies
    (section 7)."""

    concluded_on: date
    note: Narrative | None = None


class ReferToAlternativeSupport(ChangeReferral):
    """Referred to another support mechanism instead of the VTR process."""

    referred_on: date
    support_provider: Line
    rationale: Narrative | None = None


class RecordPostExitReview(ChangeReferral):
    """The review of the panel decision at 6 or 12 months after exit (Appendix D)."""

    review_point: PostExitReviewPoint
    reviewed_on: date
    outcome: PostExitReviewOutcome
    notes: Narrative | None = None
