"""What an agency held at a moment: every disclosure it had received by then, less what it
had confirmed deleted or returned in full by then. Section 8 is about exactly this list.

Folded from the log itself up to the moment (recorded time), so it answers for any past
moment; personal data stays sealed (only envelopes are read).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder
from pydantic import BaseModel, ConfigDict

from events.base import DomainEvent
from events.disposal import DisposalConfirmed, DisposalObligationRaised
from events.sharing import InformationDisclosed
from events.storage import logged_events

TOPICS = (InformationDisclosed.TOPIC, DisposalObligationRaised.TOPIC, DisposalConfirmed.TOPIC)


class Holding(BaseModel):
    """One disclosure the agency had received and still held (a read model of its own)."""

    model_config = ConfigDict(frozen=True)

    referral_id: UUID
    disclosure_no: int
    position: int
    disclosed_at: datetime
    recorded_at: datetime
    disclosing_agency: str
    information_category: str
    legal_bases: list[str]
    handling_advice: str
    disposal_due_on: date | None = None
    partly_disposed: bool = False


Key = tuple[UUID, int]  # (referral, disclosure number)


def holdings_as_of(
    recorder: ApplicationRecorder, agency_id: UUID, as_of: datetime
) -> list[Holding]:
    """The agency's holdings as they stood at `as_of`, in the order it received them."""
    held: dict[Key, Holding] = {}
    obligations: dict[tuple[UUID, int], Key] = {}  # (referral, obligation number) → holding
    for position, event in _recorded_by(recorder, as_of):
        referral_id = event.originator_id
        if isinstance(event, InformationDisclosed):
            if any(recipient.agency_id == agency_id for recipient in event.recipients):
                held[(referral_id, event.disclosure_no)] = _holding(position, event)
        elif isinstance(event, DisposalObligationRaised):
            key = (referral_id, event.disclosure_no)
            if event.agency.agency_id == agency_id and key in held:
                obligations[(referral_id, event.obligation_no)] = key
                held[key] = held[key].model_copy(update={"disposal_due_on": event.due_on})
        elif isinstance(event, DisposalConfirmed):
            key_of = obligations.get((referral_id, event.obligation_no))
            if key_of is None or key_of not in held:
                continue
            if event.complete:
                del held[key_of]
            else:
                held[key_of] = held[key_of].model_copy(update={"partly_disposed": True})
    return list(held.values())


def _recorded_by(
    recorder: ApplicationRecorder, as_of: datetime
) -> Iterator[tuple[int, DomainEvent]]:
    for position, event in logged_events(recorder, TOPICS):
        if event.audit.occurred_at <= as_of:
            yield position, event


def _holding(position: int, event: InformationDisclosed) -> Holding:
    return Holding(
        referral_id=event.originator_id,
        disclosure_no=event.disclosure_no,
        position=position,
        disclosed_at=event.disclosed_at,
        recorded_at=event.audit.occurred_at,
        disclosing_agency=event.disclosing_agency.name,
        information_category=event.information_category,
        legal_bases=[basis.citation for basis in event.legal_bases],
        handling_advice=event.handling_advice,
    )
