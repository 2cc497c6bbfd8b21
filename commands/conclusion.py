"""Commands of the conclusion of the process, post-exit reviews and disputes."""

from __future__ import annotations

from uuid import UUID

from aggregates.conclusion import AlternativeSupportReferral, Conclusion, PostExitReviewReport
from commands.base import ChangeReferral
from commands.context import Issued, Outcome
from commands.cycle import CommandCycle


class ConcludeProcess(Conclusion, ChangeReferral):
    """The VTR process concluded: agreed at a strategy meeting or review that it no longer applies
    (section 7)."""


class ReferToAlternativeSupport(AlternativeSupportReferral, ChangeReferral):
    """Referred to another support mechanism instead of the VTR process."""


class RecordPostExitReview(PostExitReviewReport, ChangeReferral):
    """The review of the panel decision at 6 or 12 months after exit (Appendix D)."""


# Handlers


def conclude_process(
    cycle: CommandCycle, referral_id: UUID, command: ConcludeProcess, issued: Issued
) -> Outcome:
    return cycle.change_referral(
        referral_id,
        command,
        issued,
        lambda referral, audit: referral.conclude_process(audit, command),
    )


def refer_to_alternative_support(
    cycle: CommandCycle, referral_id: UUID, command: ReferToAlternativeSupport, issued: Issued
) -> Outcome:
    return cycle.change_referral(
        referral_id,
        command,
        issued,
        lambda referral, audit: referral.refer_to_alternative_support(audit, command),
    )


def record_post_exit_review(
    cycle: CommandCycle, referral_id: UUID, command: RecordPostExitReview, issued: Issued
) -> Outcome:
    return cycle.change_referral(
        referral_id,
        command,
        issued,
        lambda referral, audit: referral.record_post_exit_review(audit, command),
    )
