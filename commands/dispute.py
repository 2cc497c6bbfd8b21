"""Commands of the conclusion of the process, post-exit reviews and disputes."""

from __future__ import annotations

from uuid import UUID

from pydantic import Field, StrictInt

from aggregates.instructions import StaffRef
from commands.base import ChangeReferral
from commands.context import Issued, Outcome
from commands.cycle import CommandCycle
from events.forms import Narrative
from events.vocabulary import (
    DisputedDecision,
    DisputeOutcome,
)


class RaiseDispute(ChangeReferral):
    """A disagreement with a decision on the case, to be referred under section 7."""

    disputed_decision: DisputedDecision
    grounds: Narrative


class ReferDispute(ChangeReferral):
    """Refer a dispute to the Head of Safeguarding and the D/Superintendent (section 7)."""

    dispute_no: StrictInt = Field(ge=1)
    head_of_safeguarding: StaffRef
    detective_superintendent: StaffRef


class ResolveDispute(ChangeReferral):
    """Record how the Head of Safeguarding and the D/Superintendent resolved a dispute."""

    dispute_no: StrictInt = Field(ge=1)
    outcome: DisputeOutcome
    resolution: Narrative


# Handlers


def raise_dispute(
    cycle: CommandCycle, referral_id: UUID, command: RaiseDispute, issued: Issued
) -> Outcome:
    return cycle.change_referral(
        referral_id,
        command,
        issued,
        lambda referral, audit: referral.raise_dispute(
            audit, command.disputed_decision, command.grounds
        ),
    )


def refer_dispute(
    cycle: CommandCycle, referral_id: UUID, command: ReferDispute, issued: Issued
) -> Outcome:
    return cycle.change_referral(
        referral_id,
        command,
        issued,
        lambda referral, audit: referral.refer_dispute(
            audit,
            command.dispute_no,
            command.head_of_safeguarding,
            command.detective_superintendent,
        ),
    )


def resolve_dispute(
    cycle: CommandCycle, referral_id: UUID, command: ResolveDispute, issued: Issued
) -> Outcome:
    return cycle.change_referral(
        referral_id,
        command,
        issued,
        lambda referral, audit: referral.resolve_dispute(
            audit, command.dispute_no, command.outcome, command.resolution
        ),
    )
