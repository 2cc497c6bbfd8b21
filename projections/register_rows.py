"""The rows of the disclosure register, and the questions asked of them.

A row is one disclosure to one recipient: when, which case, from whom, to whom, what
category, on which legal bases (entry, catalogue version, citation), under which consent
status, how sensitive, how to store it, and who decided. Rows are built from events by
one pure function, used both by the live projection and by the as-of register.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, create_model

from aggregates.calendar import uk_date
from events.base import UK_TIME
from events.dispute import DisputePackDisclosed
from events.forms import AgencyRef, LegalBasisRef
from events.sharing import InformationDisclosed, SharingRefused
from events.vocabulary import ConsentStatus, Role, SharingAttempt, SharingContext
from projections.case_view import reference


class RegisterRow(BaseModel):
    model_config = ConfigDict(frozen=True)

    position: int
    recipient_no: int
    referral_id: UUID
    reference: str
    disclosure_no: int
    recorded_at: datetime
    disclosed_at: datetime
    context: SharingContext
    disclosing_agency: AgencyRef
    recipient_agency: AgencyRef
    information_category: str
    special_category: bool
    legal_bases: list[LegalBasisRef]
    relies_on_consent: bool
    consent_status: ConsentStatus
    particularly_sensitive: bool
    handling_advice: str
    purpose: str
    decided_by: str
    decided_by_role: Role
    decided_by_agency: str
    dispute_pack_no: int | None = Field(
        default=None, description="Set when the row is a dispute pack of the whole case."
    )


Direction = Literal["disclosed", "received"]


class RegisterEntry(RegisterRow):
    """A row as one agency sees it: did it disclose or receive, and with whom."""

    direction: Direction
    counterpart: AgencyRef


class RefusalRow(BaseModel):
    model_config = ConfigDict(frozen=True)

    position: int
    refusal_id: UUID
    referral_id: UUID
    recorded_at: datetime
    command_id: UUID
    attempted: SharingAttempt
    attempted_by: str
    attempted_by_role: Role
    attempted_by_agency: str
    attempted_by_agency_id: UUID | None = None  # None for attempts recorded before agency ids
    disclosing_agency: AgencyRef | None
    recipients: list[AgencyRef]
    information_category: str | None
    rule: str
    rule_text: str


# A dispute pack is the whole case record disclosed outside the partnership's sharing: its
# register row has this category, which no ordinary disclosure may use.
DISPUTE_PACK_CATEGORY = "dispute_pack"


# What the register reads of an `InformationDisclosed`: the envelope, without the sealed
# content and reasoning.
ENVELOPE_FIELDS = (
    "audit",
    "disclosure_no",
    "context",
    "disclosed_at",
    "disclosing_agency",
    "recipients",
    "information_category",
    "special_category",
    "purpose",
    "legal_bases",
    "relies_on_consent",
    "consent_status",
    "particularly_sensitive",
    "handling_advice",
)
# Those fields with the event's own declarations, so the envelope can be validated straight
# from the stored JSON exactly as the event would be.
_ENVELOPE: dict[str, Any] = {
    name: (InformationDisclosed.model_fields[name].annotation, ...) for name in ENVELOPE_FIELDS
}
DisclosureEnvelope = create_model(
    "DisclosureEnvelope", __config__=ConfigDict(frozen=True), **_ENVELOPE
)


def register_rows(
    position: int, event: InformationDisclosed | DisputePackDisclosed
) -> list[RegisterRow]:
    if isinstance(event, DisputePackDisclosed):
        return [dispute_pack_row(position, event)]
    audit, referral_id = event.audit, event.originator_id
    # Every value comes validated from the event (or its envelope), with the row's own types.
    return [
        RegisterRow.model_construct(
            position=position,
            recipient_no=number,
            referral_id=referral_id,
            reference=reference(referral_id),
            disclosure_no=event.disclosure_no,
            recorded_at=audit.occurred_at,
            disclosed_at=event.disclosed_at,
            context=event.context,
            disclosing_agency=event.disclosing_agency,
            recipient_agency=recipient,
            information_category=event.information_category,
            special_category=event.special_category,
            legal_bases=event.legal_bases,
            relies_on_consent=event.relies_on_consent,
            consent_status=event.consent_status,
            particularly_sensitive=event.particularly_sensitive,
            handling_advice=event.handling_advice,
            purpose=event.purpose,
            decided_by=audit.actor_id,
            decided_by_role=audit.actor_role,
            decided_by_agency=audit.actor_agency,
        )
        for number, recipient in enumerate(event.recipients, start=1)
    ]


def dispute_pack_row(position: int, event: DisputePackDisclosed) -> RegisterRow:
    audit = event.audit
    return RegisterRow(
        position=position,
        recipient_no=1,
        referral_id=event.originator_id,
        reference=reference(event.originator_id),
        disclosure_no=0,
        dispute_pack_no=event.pack_no,
        recorded_at=audit.occurred_at,
        disclosed_at=audit.occurred_at,
        context=SharingContext.OUTSIDE_MEETING,
        disclosing_agency=event.disclosing_agency,
        recipient_agency=event.requester,
        information_category=DISPUTE_PACK_CATEGORY,
        special_category=True,  # a VTR case record holds beliefs, health or offences
        legal_bases=list(event.legal_bases),
        relies_on_consent=False,
        consent_status=ConsentStatus.NOT_SOUGHT,
        particularly_sensitive=True,
        handling_advice=event.handling_advice,
        purpose=event.purpose,
        decided_by=audit.actor_id,
        decided_by_role=audit.actor_role,
        decided_by_agency=audit.actor_agency,
    )


def refusal_row(position: int, event: SharingRefused) -> RefusalRow:
    audit = event.audit
    return RefusalRow(
        position=position,
        refusal_id=event.originator_id,
        referral_id=event.referral_id,
        recorded_at=audit.occurred_at,
        command_id=audit.command_id,
        attempted=event.attempted,
        attempted_by=audit.actor_id,
        attempted_by_role=audit.actor_role,
        attempted_by_agency=audit.actor_agency,
        attempted_by_agency_id=audit.actor_agency_id,
        disclosing_agency=event.disclosing_agency,
        recipients=event.recipients,
        information_category=event.information_category,
        rule=event.rule,
        rule_text=event.rule_text,
    )


@dataclass(frozen=True, slots=True)
class RegisterQuery:
    """One agency's register, narrowed by period (UK dates, inclusive), case and counterpart."""

    agency_id: UUID
    period_from: date | None = None
    period_to: date | None = None
    referral_id: UUID | None = None
    counterpart_id: UUID | None = None

    def entry(self, row: RegisterRow) -> RegisterEntry | None:
        """The row as this agency sees it, or None when the query leaves it out."""
        side = self.side(row)
        if side is None:
            return None
        direction, counterpart = side
        # The row was validated when it was read; the entry only adds two checked fields.
        return RegisterEntry.model_construct(
            **dict(row), direction=direction, counterpart=counterpart
        )

    def side(self, row: RegisterRow) -> tuple[Direction, AgencyRef] | None:
        """Did this agency disclose the row or receive it, and from or to whom; None when
        the query leaves the row out."""
        if row.disclosing_agency.agency_id == self.agency_id:
            direction: Direction = "disclosed"
            counterpart = row.recipient_agency
        elif row.recipient_agency.agency_id == self.agency_id:
            direction, counterpart = "received", row.disclosing_agency
        else:
            return None
        return (direction, counterpart) if self._admits(row, counterpart) else None

    def _admits(self, row: RegisterRow, counterpart: AgencyRef) -> bool:
        if self.period_from is not None or self.period_to is not None:
            day = uk_date(row.disclosed_at)
            if (self.period_from is not None and day < self.period_from) or (
                self.period_to is not None and day > self.period_to
            ):
                return False
        return (self.referral_id is None or row.referral_id == self.referral_id) and (
            self.counterpart_id is None or counterpart.agency_id == self.counterpart_id
        )


def utc_text(moment: datetime) -> str:
    """A moment as UTC text that sorts in time order (microseconds always present)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def uk_day_starts(day: date) -> str:
    """The UTC text of midnight at the start of `day` in the UK."""
    return utc_text(datetime.combine(day, time(), tzinfo=UK_TIME))


def uk_day_ends(day: date) -> str:
    """The UTC text of midnight at the end of `day` in the UK (exclusive)."""
    return uk_day_starts(day + timedelta(days=1))
