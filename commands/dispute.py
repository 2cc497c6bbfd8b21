"""Commands of the conclusion of the process, post-exit reviews and disputes."""

from __future__ import annotations

from uuid import UUID

from aggregates.dispute import DisputeGrounds, DisputeReferral, DisputeResolution
from commands.base import ChangeReferral
from commands.context import Issued, Outcome
from commands.cycle import CommandCycle


class RaiseDispute(DisputeGrounds, ChangeReferral):
    """A disagreement with a decision on the case, to be referred under section 7."""


class ReferDispute(DisputeReferral, ChangeReferral):
    """Refer a dispute to the Head of Safeguarding and the D/Superintendent (section 7)."""


class ResolveDispute(DisputeResolution, ChangeReferral):
    """Record how the Head of Safeguarding and the D/Superintendent resolved a dispute."""


# Handlers


def raise_dispute(
    cycle: CommandCycle, referral_id: UUID, command: RaiseDispute, issued: Issued
) -> Outcome:
    return cycle.change_referral(
        referral_id,
        command,
        issued,
        lambda referral, audit: referral.raise_dispute(audit, command),
    )


def refer_dispute(
    cycle: CommandCycle, referral_id: UUID, command: ReferDispute, issued: Issued
) -> Outcome:
    return cycle.change_referral(
        referral_id,
        command,
        issued,
        lambda referral, audit: referral.refer_dispute(audit, command),
    )


def resolve_dispute(
    cycle: CommandCycle, referral_id: UUID, command: ResolveDispute, issued: Issued
) -> Outcome:
    return cycle.change_referral(
        referral_id,
        command,
        issued,
        lambda referral, audit: referral.resolve_dispute(audit, command),
    )
