"""Commands of section 8 and of erasure: end of involvement, disposal, legal holds, erasure
and retention review."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import Field, StrictBool, StrictInt

from commands.base import ChangeReferral
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
