"""Commands of the strategy discussion, the Section 2 decision, the meeting and reviews."""

from __future__ import annotations

from uuid import UUID

from aggregates.review import ReviewReport
from commands.base import ChangeReferral
from commands.context import Issued, Outcome
from commands.cycle import CommandCycle


class HoldReview(ReviewReport, ChangeReferral):
    """A review of the support package, held on a day; the next review is in about 4-6 weeks."""


# Handlers


def hold_review(
    cycle: CommandCycle, referral_id: UUID, command: HoldReview, issued: Issued
) -> Outcome:
    return cycle.change_referral(
        referral_id,
        command,
        issued,
        lambda referral, audit: referral.hold_review(audit, command),
    )
