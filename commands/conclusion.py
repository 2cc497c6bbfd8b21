"""Commands of the conclusion of the process, post-exit reviews and disputes."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from commands.base import ChangeReferral
from commands.context import Issued, Outcome
from commands.cycle import CommandCycle
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


# Handlers


def conclude_process(
    cycle: CommandCycle, referral_id: UUID, command: ConcludeProcess, issued: Issued
) -> Outcome:
    return cycle.change_referral(
        referral_id,
        command,
        issued,
        lambda referral, audit: referral.conclude_process(
            audit, command.concluded_on, command.note
        ),
    )


def refer_to_alternative_support(
    cycle: CommandCycle, referral_id: UUID, command: ReferToAlternativeSupport, issued: Issued
) -> Outcome:
    return cycle.change_referral(
        referral_id,
        command,
        issued,
        lambda referral, audit: referral.refer_to_alternative_support(
            audit, command.referred_on, command.support_provider, command.rationale
        ),
    )


def record_post_exit_review(
    cycle: CommandCycle, referral_id: UUID, command: RecordPostExitReview, issued: Issued
) -> Outcome:
    return cycle.change_referral(
        referral_id,
        command,
        issued,
        lambda referral, audit: referral.record_post_exit_review(
            audit, command.review_point, command.reviewed_on, command.outcome, command.notes
        ),
    )
