"""Events of section 8: the end of an agency's involvement, the deletion or return of what it
received, and legal holds that suspend both deletion and erasure.

The reasons of a hold are the controller's reasoning: sealed under the case's controller key,
which no erasure destroys (version 1 sealed them under the subject's).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import AwareDatetime

from events.base import DomainEvent
from events.forms import AgencyRef
from events.personal import (
    ControllerData,
    SubjectData,
    reasoning_moved_to_the_controllers_key,
)
from events.vocabulary import DisposalMethod, InvolvementEndReason, LegalHoldGround


class AgencyInvolvementEndProposed(DomainEvent):
    """The case ended, so the process proposes that a recipient's involvement ends too.

    A proposal raises nothing by itself: someone confirms the end of involvement, because
    an agency may still be involved with the person (delivering alternative support, say).
    """

    TOPIC = "vtr.referral.AgencyInvolvementEndProposed"

    agency: AgencyRef
    because: InvolvementEndReason


class AgencyInvolvementEnded(DomainEvent):
    """The agency is no longer involved with the person: what it received must now go."""

    TOPIC = "vtr.referral.AgencyInvolvementEnded"
    EFFECTIVE = "ended_on"

    agency: AgencyRef
    ended_on: date
    reason: InvolvementEndReason
    note: SubjectData[str | None]


class DisposalObligationRaised(DomainEvent):
    """The recipient must securely delete or return one disclosure it received, by `due_on`.

    The disclosure's envelope is copied in, so the obligation reads on its own forever.
    """

    TOPIC = "vtr.referral.DisposalObligationRaised"

    obligation_no: int
    disclosure_no: int
    agency: AgencyRef
    disclosing_agency: AgencyRef
    information_category: str
    disclosed_at: AwareDatetime
    raised_on: date
    working_days: int
    due_on: date


class DisposalConfirmed(DomainEvent):
    """The recipient confirmed deleting or returning some or all of what an obligation covers."""

    TOPIC = "vtr.referral.DisposalConfirmed"
    EFFECTIVE = "disposed_on"

    obligation_no: int
    method: DisposalMethod
    disposed_on: date
    complete: bool
    certified_by: str
    note: SubjectData[str | None]


class LegalHoldPlaced(DomainEvent):
    """The case's records must be kept as they are: obligations and erasure are suspended."""

    TOPIC = "vtr.referral.LegalHoldPlaced"
    class_version = 2

    hold_no: int
    ground: LegalHoldGround
    reason: ControllerData[str]

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        reasoning_moved_to_the_controllers_key(state)


class LegalHoldLifted(DomainEvent):
    """The hold ended; open obligations fall due afresh, counted from the day it was lifted."""

    TOPIC = "vtr.referral.LegalHoldLifted"
    class_version = 2

    hold_no: int
    obligations_due_on: date | None
    reason: ControllerData[str]

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        reasoning_moved_to_the_controllers_key(state)
