"""Replaying history for a dispute: what was recorded about a case between two moments (and
which entries state a date earlier than the day they were recorded: back-dated), and what an
agency held at a moment."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from aggregates.calendar import uk_date
from aggregates.errors import InvalidInstructionError
from api.access.case_scope import agency_events
from api.access.gate import GatedRoute
from api.access.marking import watermark
from api.http.as_of import as_it_stood, refuse_future
from api.http.deps import ActorDep, GrantDep, LedgerDep, RuntimeDep
from api.http.exports import csv_answer
from events.base import DomainEvent
from events.vocabulary import Role
from projections.holdings import Holding, holdings_as_of
from projections.knowledge import AgencyKnowledge, knowledge
from projections.register_export import neutralise

router = APIRouter(tags=["Replaying history"], route_class=GatedRoute)


class ChangesWindow(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    recorded_from: AwareDatetime = Field(alias="from", description="From this moment (included).")
    recorded_to: AwareDatetime | None = Field(
        default=None, alias="to", description="To this moment (excluded); default: now."
    )
    output: Literal["json", "csv"] = Field(default="json", alias="format")


class Change(BaseModel):
    position: int
    version: int
    event: str
    recorded_at: datetime = Field(description="When the ledger recorded it (its clock).")
    effective_on: date | None = Field(
        description="The date the step took place, as stated, where the step has one."
    )
    back_dated: bool = Field(description="The stated date is before the day it was recorded.")
    recorded_days_after: int | None = Field(
        description="How many days after the stated date it was recorded."
    )
    actor_id: str
    actor_role: Role
    actor_agency: str

    @classmethod
    def of(cls, position: int, event: DomainEvent) -> Change:
        audit = event.audit
        effective = event.effective_on()
        late = None if effective is None else (uk_date(audit.occurred_at) - effective).days
        return cls(
            position=position,
            version=event.originator_version,
            event=type(event).__name__,
            recorded_at=audit.occurred_at,
            effective_on=effective,
            back_dated=late is not None and late > 0,
            recorded_days_after=late,
            actor_id=audit.actor_id,
            actor_role=audit.actor_role,
            actor_agency=audit.actor_agency,
        )


class Changes(BaseModel):
    referral_id: UUID
    recorded_from: datetime
    recorded_to: datetime
    watermark: dict[str, str]
    changes: list[Change]


COLUMNS = tuple(Change.model_fields)


@router.get("/referrals/{referral_id}/changes", response_model=Changes)
def changes(
    referral_id: UUID,
    request: Request,
    ledger: LedgerDep,
    grant: GrantDep,
    actor: ActorDep,
    window: Annotated[ChangesWindow, Query()],
) -> Changes | StreamingResponse:
    """What was recorded about the case between `from` and `to` (recorded time), each entry
    with the date it states and whether it was back-dated; CSV for export."""
    now = ledger.clock.now()
    end = window.recorded_to or now
    if window.recorded_from >= end:
        raise InvalidInstructionError("from", "from must be before to (and before now).")
    refuse_future("to", end, now)
    events = ledger.history(referral_id)
    if grant.agency_scoped:
        events = agency_events(events, grant.principal.agency_id)
    recorded = [
        Change.of(position, event)
        for position, event in events
        if window.recorded_from <= event.audit.occurred_at
        # Up to now includes what was recorded this very moment; a given `to` is excluded.
        and (
            event.audit.occurred_at < end if window.recorded_to else event.audit.occurred_at <= end
        )
    ]
    if window.output == "csv":
        return csv_answer(request, actor, now, "changes.csv", COLUMNS, _cells, recorded)
    return Changes(
        referral_id=referral_id,
        recorded_from=window.recorded_from,
        recorded_to=end,
        watermark=watermark(actor, now),
        changes=recorded,
    )


class AsOfFilters(BaseModel):
    """A moment to read as of (recorded time; default now) and the answer's format."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    as_of: AwareDatetime | None = Field(
        default=None, description="The moment (recorded time); default: now."
    )
    output: Literal["json", "csv"] = Field(default="json", alias="format")


class Knowledge(BaseModel):
    referral_id: UUID
    as_of: datetime
    watermark: dict[str, str]
    agencies: list[AgencyKnowledge]


KNOWLEDGE_COLUMNS = (
    "agency",
    "what",
    "disclosure_no",
    "information_category",
    "counterparts",
    "legal_bases",
    "handling_advice",
    "recorded_at",
)


@router.get("/referrals/{referral_id}/knowledge", response_model=Knowledge)
def knowledge_of_the_case(
    referral_id: UUID,
    request: Request,
    runtime: RuntimeDep,
    ledger: LedgerDep,
    grant: GrantDep,
    actor: ActorDep,
    filters: Annotated[AsOfFilters, Query()],
) -> Knowledge | StreamingResponse:
    """Who knew what, when: per agency, what it had received by `as_of` (from whom, when,
    on which legal bases, with which handling advice), what it had disclosed, its invitation
    to the strategy meeting, what it withheld, attempts refused, and what it had confirmed
    deleted or returned. An agency practitioner sees their own agency's entry."""
    now = ledger.clock.now()
    moment = filters.as_of or now
    events = [event for _, event in as_it_stood(ledger, referral_id, moment)]
    refusals = runtime.projections.register.refusals(referral_id)
    known = knowledge(events, refusals, moment)
    if grant.agency_scoped:
        known = [entry for entry in known if entry.agency_id == grant.principal.agency_id]
    if filters.output == "csv":
        return csv_answer(
            request, actor, now, "knowledge.csv", KNOWLEDGE_COLUMNS, _knowledge_rows, known
        )
    return Knowledge(
        referral_id=referral_id, as_of=moment, watermark=watermark(actor, now), agencies=known
    )


def _knowledge_rows(known: Iterable[AgencyKnowledge]) -> Iterator[list[str]]:
    for entry in known:
        for what, shared in (("received", entry.received), ("disclosed", entry.disclosed)):
            for item in shared:
                yield [
                    neutralise(entry.agency),
                    what,
                    str(item.disclosure_no),
                    neutralise(item.information_category),
                    neutralise("; ".join(item.counterparts)),
                    neutralise("; ".join(item.legal_bases)),
                    neutralise(item.handling_advice),
                    item.recorded_at.isoformat(),
                ]
        for disposed in entry.disposed:
            yield [
                neutralise(entry.agency),
                f"{disposed.method} ({'complete' if disposed.complete else 'in part'})",
                str(disposed.disclosure_no),
                "",
                "",
                "",
                "",
                disposed.recorded_at.isoformat(),
            ]


class Holdings(BaseModel):
    agency_id: UUID
    agency: str
    as_of: datetime
    watermark: dict[str, str]
    holdings: list[Holding]


HOLDING_COLUMNS = tuple(Holding.model_fields)


@router.get("/agencies/{agency_id}/holdings", response_model=Holdings)
def holdings(
    agency_id: UUID,
    request: Request,
    runtime: RuntimeDep,
    actor: ActorDep,
    filters: Annotated[AsOfFilters, Query()],
) -> Holdings | StreamingResponse:
    """What the agency held at `as_of`: every disclosure it had received by then and not yet
    confirmed deleted or returned in full (what section 8 asks it to account for)."""
    agency = runtime.ledger.agency(agency_id).state.ref
    now = runtime.ledger.clock.now()
    moment = filters.as_of or now
    refuse_future("as_of", moment, now)
    held = holdings_as_of(runtime.ledger.recorder, agency_id, moment)
    if filters.output == "csv":
        name = f"holdings-{agency_id}-{uk_date(moment)}.csv"
        return csv_answer(request, actor, now, name, HOLDING_COLUMNS, _cells, held)
    return Holdings(
        agency_id=agency_id,
        agency=agency.name,
        as_of=moment,
        watermark=watermark(actor, now),
        holdings=held,
    )


def _cells(rows: Iterator[BaseModel]) -> Iterator[list[str]]:
    for row in rows:
        values = row.model_dump(mode="json").values()
        yield [neutralise(_cell(value)) for value in values]


def _cell(value: object) -> str:
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    return "" if value is None else str(value)
