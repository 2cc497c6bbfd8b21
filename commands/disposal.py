"""Commands of section 8 and of erasure: end of involvement, disposal, legal holds, erasure
and retention review."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import Field, StrictBool, StrictInt

from commands.base import ChangeReferral
from commands.context import Issued, Outcome
from commands.cycle import CommandCycle
from events.forms import Line, Narrative
from events.vocabulary import (
    DisposalMethod,
    InvolvementEndReason,
    LegalHoldGround,
)


class EndAgencyInvolvement(ChangeReferral):
    """The agency is no longer involved with the person: raise one obligation to delete or
    return each disclosure it received in this case (section 8)."""

    agency_id: UUID
    ended_on: date
    reason: InvolvementEndReason
    note: Narrative | None = None


class ConfirmDisposal(ChangeReferral):
    """The receiving agency confirms it deleted or returned what an obligation covers;
    `complete: false` records a partial confirmation and leaves the obligation open."""

    obligation_no: StrictInt = Field(ge=1)
    method: DisposalMethod
    disposed_on: date
    complete: StrictBool
    note: Narrative | None = None


class PlaceLegalHold(ChangeReferral):
    """Keep the case's records as they are: suspends disposal obligations and erasure."""

    ground: LegalHoldGround
    reason: Line


class LiftLegalHold(ChangeReferral):
    """End the hold; open obligations fall due afresh from today."""

    reason: Line


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
            audit, agency, command.ended_on, command.reason, command.note, working_days
        ),
    )


def confirm_disposal(
    cycle: CommandCycle, referral_id: UUID, command: ConfirmDisposal, issued: Issued
) -> Outcome:
    return cycle.change_referral(
        referral_id,
        command,
        issued,
        lambda referral, audit: referral.confirm_disposal(
            audit,
            command.obligation_no,
            command.method,
            command.disposed_on,
            complete=command.complete,
            note=command.note,
        ),
    )


def place_legal_hold(
    cycle: CommandCycle, referral_id: UUID, command: PlaceLegalHold, issued: Issued
) -> Outcome:
    return cycle.change_referral(
        referral_id,
        command,
        issued,
        lambda referral, audit: referral.place_legal_hold(audit, command.ground, command.reason),
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
        lambda referral, audit: referral.lift_legal_hold(audit, command.reason, working_days),
    )
