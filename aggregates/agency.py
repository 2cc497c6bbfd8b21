"""The Agency aggregate: one partner agency, its type, and its Information Sharing Protocol.

Drug and alcohol services, non-governmental organisations and community or voluntary groups
take part only while a signature of the Norfolk County Community Safety Partnership
Information Sharing Protocol is valid (section 5). A signature runs from its effective date
to its end date, if it has one, unless a lapse ends it sooner.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date
from typing import Annotated
from uuid import UUID, uuid5

from eventsourcing.domain import DomainEventProtocol
from pydantic import BaseModel, ConfigDict, StringConstraints

from aggregates import rules
from aggregates.base import Aggregate
from aggregates.errors import InvalidInstructionError, ProcessRuleViolationError
from aggregates.instructions import AgencyName, Instruction
from aggregates.sharing_catalogues import ISP_REQUIRED
from events.agency import AgencyRegistered, IspLapsed, IspSigned
from events.base import AuditEnvelope, DomainEvent
from events.forms import ONE_LINE, AgencyRef, Line
from events.vocabulary import AgencyType

# The namespace of agency ids derived from names (a fixed, random UUID: never change it).
AGENCY_NAMESPACE = UUID("6f6b1c7e-3f0e-4b8a-9d55-1a2f7c9e4d31")
_SPACES = re.compile(r"\s+")


def directory_name(name: str) -> str:
    """The form in which two agency names are the same name: Unicode NFKC, case folded,
    spaces collapsed ("Norfolk  constabulary" is "Norfolk Constabulary")."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", name).casefold()).strip()


def agency_id_for(name: str) -> UUID:
    """An agency's id, derived from its directory name: the same name can never be
    registered twice, and an identity provider can be given the id before registration."""
    return uuid5(AGENCY_NAMESPACE, directory_name(name))


IspVersion = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40), ONE_LINE
]


class AgencyRegistration(Instruction):
    """Add an agency to the directory, with its type from the section 5 list."""

    name: AgencyName
    agency_type: AgencyType


class IspSigning(Instruction):
    """Record the agency's signature of the Information Sharing Protocol and when it applies."""

    isp_version: IspVersion
    effective_from: date
    effective_until: date | None = None
    signatory_position: Line


class IspLapse(Instruction):
    """Record that the agency's signature stopped being valid on a day."""

    lapsed_on: date
    reason: Line


class IspSignature(BaseModel):
    model_config = ConfigDict(extra="forbid")

    isp_version: str
    effective_from: date
    effective_until: date | None


class AgencyState(BaseModel):
    model_config = ConfigDict(extra="forbid")

    agency_id: UUID
    version: int
    name: str
    agency_type: AgencyType
    isp_required: bool
    signatures: list[IspSignature] = []
    lapses: list[date] = []

    def isp_valid_on(self, day: date) -> bool:
        return any(self._signature_valid(signature, day) for signature in self.signatures)

    def _signature_valid(self, signature: IspSignature, day: date) -> bool:
        if day < signature.effective_from:
            return False
        if signature.effective_until is not None and day > signature.effective_until:
            return False
        return not any(signature.effective_from <= lapse <= day for lapse in self.lapses)

    def may_share_on(self, day: date) -> bool:
        """Whether the agency may be invited or receive information on `day`."""
        return not self.isp_required or self.isp_valid_on(day)

    @property
    def ref(self) -> AgencyRef:
        return AgencyRef(agency_id=self.agency_id, name=self.name, agency_type=self.agency_type)


class Agency(Aggregate):
    def __init__(self, state: AgencyState) -> None:
        super().__init__()
        self.state = state

    @property
    def id(self) -> UUID:
        return self.state.agency_id

    @property
    def version(self) -> int:
        return self.state.version

    @classmethod
    def project(
        cls, agency: Agency | None, events: Iterable[DomainEventProtocol[UUID]]
    ) -> Agency | None:
        state = agency.state if agency is not None else None
        for event in events:
            if state is None and not isinstance(event, AgencyRegistered):
                return None  # another aggregate's history: no such agency
            state = evolve_agency(state, event)
        return cls(state) if state is not None else None

    @classmethod
    def register(
        cls, agency_id: UUID, audit: AuditEnvelope, registration: AgencyRegistration
    ) -> Agency:
        event = AgencyRegistered(
            originator_id=agency_id,
            originator_version=1,
            audit=audit,
            name=registration.name,
            agency_type=registration.agency_type,
            isp_required=registration.agency_type in ISP_REQUIRED,
        )
        agency = cls(evolve_agency(None, event))
        agency._pending.append(event)
        return agency

    def sign_isp(self, audit: AuditEnvelope, signing: IspSigning) -> None:
        if signing.effective_until is not None and signing.effective_until < signing.effective_from:
            raise InvalidInstructionError(
                "effective_until", "A signature cannot end before it takes effect."
            )
        self._record(
            IspSigned(
                **self._header(audit),
                isp_version=signing.isp_version,
                effective_from=signing.effective_from,
                effective_until=signing.effective_until,
                signatory_position=signing.signatory_position,
            )
        )

    def lapse_isp(self, audit: AuditEnvelope, lapse: IspLapse) -> None:
        if not self.state.isp_valid_on(lapse.lapsed_on):
            raise ProcessRuleViolationError(rules.NO_ISP_SIGNATURE_TO_LAPSE, "registered")
        self._record(
            IspLapsed(**self._header(audit), lapsed_on=lapse.lapsed_on, reason=lapse.reason)
        )

    def _apply(self, event: DomainEvent) -> None:
        self.state = evolve_agency(self.state, event)


def evolve_agency(state: AgencyState | None, event: DomainEventProtocol[UUID]) -> AgencyState:
    if isinstance(event, AgencyRegistered) and state is None:
        return AgencyState(
            agency_id=event.originator_id,
            version=event.originator_version,
            name=event.name,
            agency_type=event.agency_type,
            isp_required=event.isp_required,
        )
    if state is None:
        raise TypeError("an agency's history must start with AgencyRegistered")
    if isinstance(event, IspSigned):
        signature = IspSignature(
            isp_version=event.isp_version,
            effective_from=event.effective_from,
            effective_until=event.effective_until,
        )
        changes: dict[str, object] = {"signatures": [*state.signatures, signature]}
    elif isinstance(event, IspLapsed):
        changes = {"lapses": [*state.lapses, event.lapsed_on]}
    else:
        raise TypeError(f"{type(event).__name__} does not apply to an agency")
    return state.model_copy(update={**changes, "version": event.originator_version})
