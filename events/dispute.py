"""Events of a dispute about a decision: raised, referred to the Head of Safeguarding and the
D/Superintendent, resolved (guidance section 7)."""

from __future__ import annotations

from uuid import UUID

from pydantic import AwareDatetime

from events.base import DomainEvent
from events.forms import AgencyRef, LegalBasisRef
from events.personal import ControllerData, SubjectData
from events.vocabulary import (
    DisputedDecision,
    DisputeOutcome,
)


class DisputeRaised(DomainEvent):
    """Someone disputes a decision on the case (section 7)."""

    TOPIC = "vtr.referral.DisputeRaised"

    dispute_no: int
    disputed_decision: DisputedDecision
    grounds: SubjectData[str]


class DisputeReferred(DomainEvent):
    """The dispute went to the Head of Safeguarding and the D/Superintendent (section 7)."""

    TOPIC = "vtr.referral.DisputeReferred"

    dispute_no: int
    head_of_safeguarding: str
    detective_superintendent: str


class DisputeResolved(DomainEvent):
    TOPIC = "vtr.referral.DisputeResolved"

    dispute_no: int
    outcome: DisputeOutcome
    resolution: SubjectData[str]


class DisputePackDisclosed(DomainEvent):
    """The case was disclosed as a dispute pack (section 7, and beyond it the ICO, a tribunal
    or a court): to whom, why, on which legal bases, as it stood when, and which of the case's
    data keys went with it so the requester can check every revealed value."""

    TOPIC = "vtr.referral.DisputePackDisclosed"

    pack_no: int
    pack_id: UUID
    as_of: AwareDatetime
    disclosing_agency: AgencyRef
    requester: AgencyRef
    purpose: str
    legal_bases: tuple[LegalBasisRef, ...]
    handling_advice: str
    reveals_third_parties: bool
    third_party_reason: ControllerData[str | None]
    carried_key_ids: tuple[str, ...]
