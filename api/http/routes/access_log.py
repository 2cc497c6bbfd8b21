"""The access audit for compliance officers: who consulted a case, what a person consulted,
refused attempts, break-glass use, and the six DPA 2018 s.62 logs for a period."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime
from typing import Annotated, Literal, get_args
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from aggregates.errors import InvalidInstructionError
from api.access.gate import GatedRoute
from api.access.log import Consultation, ConsultationQuery
from api.access.marking import marking_line, watermark
from api.bootstrap import Runtime
from api.http.deps import ActorDep, RuntimeDep
from api.http.schemas import Day
from api.http.streaming import ExportGuard
from events.base import DomainEvent
from events.disposal import DisposalConfirmed
from events.erasure import ErasureExecuted
from events.intake import FurtherInformationReturned, ReferralReceived
from events.sharing import InformationDisclosed, OnwardDisclosureSanctioned
from events.storage import logged_events
from events.strategy_discussion import ReferrerConsulted, RiskAssessmentRecorded
from projections.register_export import csv_document, neutralise
from projections.register_rows import uk_day_ends, uk_day_starts

router = APIRouter(tags=["Access audit"], route_class=GatedRoute)
LOG_COLUMNS = tuple(Consultation.model_fields)
S62 = Literal["collection", "alteration", "consultation", "disclosure", "combination", "erasure"]
COLLECTION = (
    ReferralReceived,
    FurtherInformationReturned,
    RiskAssessmentRecorded,
    ReferrerConsulted,
)
DISCLOSURE = (InformationDisclosed, OnwardDisclosureSanctioned)
ERASURE = (ErasureExecuted, DisposalConfirmed)


class AccessLogFilters(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    referral_id: UUID | None = Field(default=None, description="Who consulted this case.")
    actor_id: str | None = Field(default=None, description="What this person consulted.")
    outcome: Literal["allowed", "denied"] | None = None
    break_glass: bool | None = None
    period_from: Day | None = Field(default=None, alias="from")
    period_to: Day | None = Field(default=None, alias="to")
    output: Literal["json", "csv"] = Field(default="json", alias="format")


class AccessLogPage(BaseModel):
    watermark: dict[str, str]
    consultations: list[Consultation]


class S62Entry(BaseModel):
    log: S62
    at: datetime
    actor_id: str | None
    role: str | None
    agency: str | None
    referral_id: UUID | None
    what: str
    recipients: list[str] = []
    justification: str | None = None


class S62Logs(BaseModel):
    """The six logs DPA 2018 s.62 asks of automated processing, for a period."""

    watermark: dict[str, str]
    period_from: date
    period_to: date
    logs: dict[str, list[S62Entry]]
    notes: dict[str, str]


@router.get("/access-log", response_model=AccessLogPage)
def access_log(
    request: Request,
    runtime: RuntimeDep,
    actor: ActorDep,
    filters: Annotated[AccessLogFilters, Query()],
) -> AccessLogPage | StreamingResponse:
    """Consultations and refused attempts: filter by case ("who viewed this case"), by person
    ("what did they view"), by outcome or break-glass use; CSV for export."""
    start, end = _period(filters.period_from, filters.period_to)
    query = ConsultationQuery(
        referral_id=filters.referral_id,
        actor_id=filters.actor_id,
        outcome=filters.outcome,
        break_glass=filters.break_glass,
        recorded_from=start,
        recorded_to=end,
    )
    found = runtime.access_log.consultations(query)
    now = runtime.ledger.clock.now()
    if filters.output == "csv":
        guard = ExportGuard(request)
        cells = (
            [neutralise(_cell(v)) for v in row.model_dump(mode="json").values()]
            for row in guard.rows(found)
        )
        return StreamingResponse(
            guard.csv(csv_document(LOG_COLUMNS, cells, marking_line(actor, now))),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="access-log.csv"'},
        )
    return AccessLogPage(watermark=watermark(actor, now), consultations=list(found))


@router.get("/access-log/s62", response_model=S62Logs)
def s62_logs(
    runtime: RuntimeDep,
    actor: ActorDep,
    period_from: Annotated[Day, Query(alias="from")],
    period_to: Annotated[Day, Query(alias="to")],
) -> S62Logs:
    """Collection, alteration, consultation, disclosure, combination and erasure, with who,
    when and (for disclosures) to whom, for the period (UK dates, inclusive)."""
    start, end = _period(period_from, period_to)
    logs: dict[str, list[S62Entry]] = {name: [] for name in get_args(S62)}
    for event in _events_between(runtime, start, end):
        entry = _s62_entry(event)
        logs[entry.log].append(entry)
    consulted = runtime.access_log.consultations(
        ConsultationQuery(outcome="allowed", recorded_from=start, recorded_to=end)
    )
    logs["consultation"] = [_consultation_entry(row) for row in consulted]
    return S62Logs(
        watermark=watermark(actor, runtime.ledger.clock.now()),
        period_from=period_from,
        period_to=period_to,
        logs=logs,
        notes={
            "combination": "The ledger combines no records; linking repeat referrals would be "
            "logged here.",
            "erasure": "Erasures by key destruction, and recipients' confirmed deletions or "
            "returns; metadata only.",
        },
    )


def _period(
    period_from: date | None, period_to: date | None
) -> tuple[datetime | None, datetime | None]:
    if period_from is not None and period_to is not None and period_from > period_to:
        raise InvalidInstructionError("from", "The period starts after it ends.")
    start = datetime.fromisoformat(uk_day_starts(period_from)) if period_from else None
    end = datetime.fromisoformat(uk_day_ends(period_to)) if period_to else None
    return start, end


def _events_between(
    runtime: Runtime, start: datetime | None, end: datetime | None
) -> Iterator[DomainEvent]:
    for _, event in logged_events(runtime.ledger.recorder):
        moment = event.audit.occurred_at
        if (start is None or moment >= start) and (end is None or moment < end):
            yield event


def _s62_entry(event: DomainEvent) -> S62Entry:
    log: S62 = "alteration"
    recipients: list[str] = []
    if isinstance(event, COLLECTION):
        log = "collection"
    elif isinstance(event, DISCLOSURE):
        log = "disclosure"
        if isinstance(event, InformationDisclosed):
            recipients = [recipient.name for recipient in event.recipients]
        else:
            recipients = list(event.to_bodies)
    elif isinstance(event, ERASURE):
        log = "erasure"
    audit = event.audit
    return S62Entry(
        log=log,
        at=audit.occurred_at,
        actor_id=audit.actor_id,
        role=audit.actor_role.value,
        agency=audit.actor_agency,
        referral_id=event.originator_id,
        what=type(event).__name__,
        recipients=recipients,
        justification="See the disclosure's sealed justification and its legal bases."
        if isinstance(event, InformationDisclosed)
        else None,
    )


def _consultation_entry(row: Consultation) -> S62Entry:
    return S62Entry(
        log="consultation",
        at=row.recorded_at,
        actor_id=row.actor_id,
        role=row.role,
        agency=row.agency,
        referral_id=row.referral_id,
        what=row.consulted or row.route,
        justification=row.purpose,
    )


def _cell(value: object) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True)
    return "" if value is None else str(value)
