"""Events of the agency directory and the Information Sharing Protocol register (section 5)."""

from __future__ import annotations

from datetime import date

from events.base import DomainEvent
from events.vocabulary import AgencyType


class AgencyRegistered(DomainEvent):
    """An agency that may take part in the process, with its type from the section 5 list."""

    TOPIC = "vtr.agency.AgencyRegistered"

    name: str
    agency_type: AgencyType
    isp_required: bool


class IspSigned(DomainEvent):
    """The agency signed the Community Safety Partnership Information Sharing Protocol."""

    TOPIC = "vtr.agency.IspSigned"

    isp_version: str
    effective_from: date
    effective_until: date | None
    signatory_position: str


class IspLapsed(DomainEvent):
    """The agency's signature stopped being valid (withdrawn, expired, or not renewed)."""

    TOPIC = "vtr.agency.IspLapsed"

    lapsed_on: date
    reason: str
