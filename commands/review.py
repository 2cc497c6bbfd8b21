"""The command of the reviews of the support package (section 5)."""

from __future__ import annotations

from aggregates.review import ReviewReport
from commands.base import ChangeReferral


class HoldReview(ReviewReport, ChangeReferral):
    """A review of the support package, held on a day; the next review is in about 4-6 weeks."""
