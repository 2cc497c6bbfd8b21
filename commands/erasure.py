"""Commands of section 8 and of erasure: end of involvement, disposal, legal holds, erasure"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import Field, StrictInt, field_validator

from commands.base import ChangeReferral
from events.forms import Choices, Line
from events.personal import CONTROLLER_NOT_ERASABLE, ERASABLE_GROUPS, KeyGroup
from events.vocabulary import (
    ErasureGround,
    RetentionDecision,
)


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
