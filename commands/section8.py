"""Commands of section 8 and of erasure: end of involvement, disposal, legal holds, erasure
and retention review."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import Field, StrictBool, StrictInt, field_validator

from commands.base import ChangeReferral
from events.forms import Choices, Line, Narrative
from events.personal import CONTROLLER_NOT_ERASABLE, ERASABLE_GROUPS, KeyGroup
from events.vocabulary import (
    DisposalMethod,
    ErasureGround,
    InvolvementEndReason,
    LegalHoldGround,
    RetentionDecision,
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


class RequestErasure(ChangeReferral):
    """Ask for the case's personal data of these key groups to be erased (needs approval).

    The reason is the controller's and outlives the erasure: it should hold no more personal
    data than the justification needs."""

    referral_id: UUID
    key_groups: Choices[KeyGroup] = Field(
        default_factory=lambda: list(ERASABLE_GROUPS),
        min_length=1,
        max_length=len(KeyGroup),
    )
    ground: ErasureGround
    reason: Line

    @field_validator("key_groups")
    @classmethod
    def _erasable(cls, key_groups: list[KeyGroup]) -> list[KeyGroup]:
        if KeyGroup.CONTROLLER in key_groups:
            raise ValueError(CONTROLLER_NOT_ERASABLE)
        return key_groups


class ApproveErasure(ChangeReferral):
    """A second compliance officer approves an erasure request."""

    referral_id: UUID
    request_no: StrictInt = Field(ge=1)


class ExecuteErasure(ChangeReferral):
    """Destroy the data keys of an approved request; the erased data can never be read again."""

    referral_id: UUID
    request_no: StrictInt = Field(ge=1)


class ReviewRetention(ChangeReferral):
    """Review the case's record under the retention schedule: retain until a next review, or
    erase (which raises an erasure request for a second person to approve)."""

    reviewed_on: date
    decision: RetentionDecision
    next_review_on: date | None = None
    reason: Line
