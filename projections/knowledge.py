"""Who knew what, when: for one case, what each agency had been told by a moment.

Per agency: the information it had received (from whom, when, on which legal bases, with
which handling advice), what it had itself disclosed, the meetings it was invited to, what
it withheld and the attempts refused on its behalf or towards it, and what it had confirmed
deleted or returned. Folded from the case's events recorded by the moment (personal data
left sealed: only envelopes) and the refused attempts the register keeps.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from events.base import DomainEvent
from events.disposal import DisposalConfirmed, DisposalObligationRaised
from events.forms import AgencyRef
from events.sharing import AgencyInvitedToStrategyMeeting, DisclosureWithheld, InformationDisclosed
from projections.register_rows import RefusalRow


class Shared(BaseModel):
    model_config = ConfigDict(frozen=True)

    disclosure_no: int
    information_category: str
    disclosed_at: datetime
    recorded_at: datetime
    legal_bases: list[str]
    handling_advice: str
    counterparts: list[str] = Field(description="From whom it came, or to whom it went.")


class Withheld(BaseModel):
    information_category: str
    reason: str
    requested_by: str | None
    recorded_at: datetime


class Refused(BaseModel):
    attempted: str
    rule: str
    recorded_at: datetime
    information_category: str | None


class Disposed(BaseModel):
    disclosure_no: int
    method: str
    disposed_on: date
    complete: bool
    recorded_at: datetime


class AgencyKnowledge(BaseModel):
    """What one agency knew of the case, had shared, and had given up, at the moment."""

    agency_id: UUID
    agency: str
    received: list[Shared] = []
    disclosed: list[Shared] = []
    invited_to_strategy_meeting_at: datetime | None = None
    withheld: list[Withheld] = []
    refused: list[Refused] = []
    disposed: list[Disposed] = []


class _Fold:
    def __init__(self) -> None:
        self.agencies: dict[UUID, AgencyKnowledge] = {}
        # obligation number → (the disclosure it covers, the agency that owes it)
        self.obligations: dict[int, tuple[int, AgencyRef]] = {}

    def of(self, agency: AgencyRef) -> AgencyKnowledge:
        return self.agencies.setdefault(
            agency.agency_id, AgencyKnowledge(agency_id=agency.agency_id, agency=agency.name)
        )

    def apply(self, event: DomainEvent) -> None:
        if isinstance(event, InformationDisclosed):
            self.disclosed(event)
        elif isinstance(event, AgencyInvitedToStrategyMeeting):
            self.of(event.agency).invited_to_strategy_meeting_at = event.audit.occurred_at
        elif isinstance(event, DisclosureWithheld):
            requesting = event.requesting_agency
            self.of(event.withholding_agency).withheld.append(
                Withheld(
                    information_category=event.information_category,
                    reason=event.reason.value,
                    requested_by=requesting.name if requesting else None,
                    recorded_at=event.audit.occurred_at,
                )
            )
        elif isinstance(event, DisposalObligationRaised):
            self.obligations[event.obligation_no] = (event.disclosure_no, event.agency)
        elif isinstance(event, DisposalConfirmed):
            self.confirmed(event)

    def disclosed(self, event: InformationDisclosed) -> None:
        def shared(counterparts: Iterable[AgencyRef]) -> Shared:
            return Shared(
                disclosure_no=event.disclosure_no,
                information_category=event.information_category,
                disclosed_at=event.disclosed_at,
                recorded_at=event.audit.occurred_at,
                legal_bases=[basis.citation for basis in event.legal_bases],
                handling_advice=event.handling_advice,
                counterparts=[agency.name for agency in counterparts],
            )

        self.of(event.disclosing_agency).disclosed.append(shared(event.recipients))
        for recipient in event.recipients:
            self.of(recipient).received.append(shared([event.disclosing_agency]))

    def confirmed(self, event: DisposalConfirmed) -> None:
        owed = self.obligations.get(event.obligation_no)
        if owed is None:
            return
        disclosure_no, agency = owed
        self.of(agency).disposed.append(
            Disposed(
                disclosure_no=disclosure_no,
                method=event.method.value,
                disposed_on=event.disposed_on,
                complete=event.complete,
                recorded_at=event.audit.occurred_at,
            )
        )

    def refused(self, row: RefusalRow) -> None:
        agencies = [*([row.disclosing_agency] if row.disclosing_agency else []), *row.recipients]
        for agency in agencies:
            self.of(agency).refused.append(
                Refused(
                    attempted=row.attempted.value,
                    rule=row.rule,
                    recorded_at=row.recorded_at,
                    information_category=row.information_category,
                )
            )


def knowledge(
    events: Iterable[DomainEvent], refusals: Iterable[RefusalRow], as_of: datetime
) -> list[AgencyKnowledge]:
    """Each agency's knowledge of the case at `as_of`, in the order they first appear."""
    fold = _Fold()
    for event in events:
        if event.audit.occurred_at <= as_of:
            fold.apply(event)
    for row in refusals:
        if row.recorded_at <= as_of:
            fold.refused(row)
    return list(fold.agencies.values())
