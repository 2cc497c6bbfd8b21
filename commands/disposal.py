"""Commands of section 8 and of erasure: end of involvement, disposal, legal holds, erasure
and retention review."""

from __future__ import annotations

from uuid import UUID

from aggregates.disposal import (
    DisposalConfirmation,
    InvolvementEnding,
    LegalHoldOrder,
    LegalHoldRelease,
)
from commands.base import ChangeReferral
from commands.context import Issued, Outcome
from commands.cycle import CommandCycle


class EndAgencyInvolvement(InvolvementEnding, ChangeReferral):
    """The agency is no longer involved with the person: raise one obligation to delete or
    return each disclosure it received in this case (section 8)."""


class ConfirmDisposal(DisposalConfirmation, ChangeReferral):
    """The receiving agency confirms it deleted or returned what an obligation covers;
    `complete: false` records a partial confirmation and leaves the obligation open."""


class PlaceLegalHold(LegalHoldOrder, ChangeReferral):
    """Keep the case's records as they are: suspends disposal obligations and erasure."""


class LiftLegalHold(LegalHoldRelease, ChangeReferral):
    """End the hold; open obligations fall due afresh from today."""


# How long an agency has to delete or return what it received, unless configured otherwise.
DEFAULT_DISPOSAL_WORKING_DAYS = 10


# Handlers


def end_agency_involvement(
    cycle: CommandCycle,
    referral_id: UUID,
    command: EndAgencyInvolvement,
    issued: Issued,
    working_days: int,
) -> Outcome:
    agency = cycle.agency_ref(command.agency_id, "agency_id")
    return cycle.change_referral(
        referral_id,
        command,
        issued,
        lambda referral, audit: referral.end_agency_involvement(
            audit, command, agency=agency, working_days=working_days
        ),
    )


def lift_legal_hold(
    cycle: CommandCycle,
    referral_id: UUID,
    command: LiftLegalHold,
    issued: Issued,
    working_days: int,
) -> Outcome:
    return cycle.change_referral(
        referral_id,
        command,
        issued,
        lambda referral, audit: referral.lift_legal_hold(audit, command, working_days=working_days),
    )
