"""Response shapes of agencies, catalogues, registers and the case's sharing record."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import BaseModel, Field

from aggregates.agency import AgencyState, IspSignature
from aggregates.legal_bases import LegalBasis
from api.http.schemas import CommandAccepted, HistoryEntry, ProjectionStatus
from commands.context import Outcome
from events.vocabulary import AgencyType, BasisKind


class AgencyCommandAccepted(BaseModel):
    agency_id: UUID
    version: int
    position: int
    events: list[str]
    replayed: bool

    @classmethod
    def of(cls, outcome: Outcome) -> AgencyCommandAccepted:
        accepted = CommandAccepted.of(outcome)
        return cls(agency_id=outcome.aggregate_id, **accepted.model_dump(exclude={"referral_id"}))


class AgencyEntry(BaseModel):
    agency_id: UUID
    version: int
    name: str
    agency_type: AgencyType
    isp_required: bool
    isp_valid_today: bool = Field(description="A protocol signature is valid today.")
    may_share_today: bool = Field(
        description="It may be invited or receive information today (its type needs no "
        "protocol, or its signature is valid)."
    )
    signatures: list[IspSignature]
    lapses: list[date]

    @classmethod
    def of(cls, state: AgencyState, today: date) -> AgencyEntry:
        return cls(
            agency_id=state.agency_id,
            version=state.version,
            name=state.name,
            agency_type=state.agency_type,
            isp_required=state.isp_required,
            isp_valid_today=state.isp_valid_on(today),
            may_share_today=state.may_share_on(today),
            signatures=state.signatures,
            lapses=state.lapses,
        )


class AgencyDirectoryPage(BaseModel):
    agencies: list[AgencyEntry]
    projection: ProjectionStatus


class LegalBasisEntry(BaseModel):
    entry_id: str
    catalogue: str
    catalogue_version: str
    kind: BasisKind
    regime: str
    citation: str
    text: str
    valid_from: date
    valid_to: date | None
    special_category: bool = Field(description="It can justify sharing sensitive information.")

    @classmethod
    def of(cls, basis: LegalBasis) -> LegalBasisEntry:
        return cls(**{field: getattr(basis, field) for field in cls.model_fields})


class SharingRecord(BaseModel):
    """Who shared what and why on one case: every sharing event and refused attempt, in order."""

    referral_id: UUID
    revealed: bool
    entries: list[HistoryEntry]
