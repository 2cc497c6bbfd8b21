"""Commands of the conclusion of the process, post-exit reviews and disputes."""

from __future__ import annotations

from aggregates.conclusion import AlternativeSupportReferral, Conclusion, PostExitReviewReport
from commands.base import ChangeReferral


class ConcludeProcess(Conclusion, ChangeReferral):
    """The VTR process concluded: agreed at a strategy meeting or review that it no longer applies
    (section 7)."""


class ReferToAlternativeSupport(AlternativeSupportReferral, ChangeReferral):
    """Referred to another support mechanism instead of the VTR process."""


class RecordPostExitReview(PostExitReviewReport, ChangeReferral):
    """The review of the panel decision at 6 or 12 months after exit (Appendix D)."""
