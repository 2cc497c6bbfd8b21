"""Section 8 for compliance and for each agency: obligations to delete or return, reminders,
records due for retention review, and erasure (request, approval, execution)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from aggregates.calendar import uk_date
from api.access.gate import GatedRoute
from api.access.marking import marking_line
from api.bootstrap import Runtime
from api.http.deps import ActorDep, IssuedDep, LedgerDep, RuntimeDep
from api.http.routes.cases import catching_up, caught_up, projection_status
from api.http.routes.commands import accepted
from api.http.schemas import CommandAccepted, Day, ProjectionStatus
from api.http.streaming import ExportGuard
from commands import section8 as s8
from projections.disposal_obligations import (
    DisposalObligations,
    InvolvementEndProposal,
    ObligationQuery,
    ObligationRow,
    ObligationStatus,
)
from projections.register_export import csv_document, neutralise
from projections.retention import RetentionRecord, RetentionRecords

router = APIRouter(tags=["Deletion, legal holds and retention"], route_class=GatedRoute)
OBLIGATION_CSV_COLUMNS = tuple(ObligationRow.model_fields)
OBLIGATIONS_VIEW = DisposalObligations.name


class ObligationFilters(BaseModel):
    """Narrow the obligations; `on` reads their status as of that day (default today)."""

    model_config = ConfigDict(extra="forbid")

    agency_id: UUID | None = None
    referral_id: UUID | None = None
    status: ObligationStatus | None = None
    on: Day | None = None
    format: Literal["json", "csv"] = "json"
    after_position: int | None = Field(default=None, ge=1)


class Obligations(BaseModel):
    on: date
    obligations: list[ObligationRow]
    projection: ProjectionStatus


class Reminders(BaseModel):
    """What an agency still has to do under section 8, most urgent first."""

    agency_id: UUID
    on: date
    overdue: list[ObligationRow]
    open: list[ObligationRow]
    suspended: list[ObligationRow]
    involvement_end_proposed: list[InvolvementEndProposal] = Field(
        description="Cases that ended: confirm the end of involvement to raise the obligations."
    )
    projection: ProjectionStatus


class RetentionDue(BaseModel):
    on: date
    schedule_months: dict[str, int]
    records: list[RetentionRecord]
    projection: ProjectionStatus


@router.get(
    "/disposal-obligations",
    response_model=Obligations,
    responses={200: {"content": {"application/json": {}, "text/csv": {}}}},
)
def disposal_obligations(
    request: Request,
    runtime: RuntimeDep,
    actor: ActorDep,
    filters: Annotated[ObligationFilters, Query()],
) -> Obligations | StreamingResponse | JSONResponse:
    """Obligations to delete or return shared information: per agency, per case, and open,
    overdue, suspended (legal hold) or discharged, each with the disclosure it refers to."""
    if waiting := _wait_for(runtime, OBLIGATIONS_VIEW, filters.after_position):
        return waiting
    on = filters.on or _today(runtime)
    view = runtime.projections.obligations
    rows = view.obligations(
        ObligationQuery(
            today=on,
            agency_id=filters.agency_id,
            referral_id=filters.referral_id,
            status=filters.status,
        )
    )
    if filters.format == "csv":
        guard = ExportGuard(request)
        cells = (
            [neutralise(_cell(value)) for value in row.model_dump(mode="json").values()]
            for row in guard.rows(rows)
        )
        marking = marking_line(actor, runtime.ledger.clock.now())
        return StreamingResponse(
            guard.csv(csv_document(OBLIGATION_CSV_COLUMNS, cells, marking)),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="disposal-obligations-{on}.csv"'
            },
        )
    return Obligations(
        on=on, obligations=rows, projection=projection_status(runtime, view.position())
    )


@router.get("/agencies/{agency_id}/disposal-reminders", response_model=Reminders)
def disposal_reminders(
    agency_id: UUID,
    runtime: RuntimeDep,
    _actor: ActorDep,
    after_position: Annotated[int | None, Query(ge=1)] = None,
) -> Reminders | JSONResponse:
    """The agency's reminder list: overdue and open obligations, those a hold suspends, and
    proposed ends of involvement waiting for confirmation."""
    if waiting := _wait_for(runtime, OBLIGATIONS_VIEW, after_position):
        return waiting
    runtime.ledger.agency(agency_id)
    on = _today(runtime)
    view = runtime.projections.obligations
    undischarged = [
        row
        for row in view.obligations(ObligationQuery(today=on, agency_id=agency_id))
        if row.status is not ObligationStatus.DISCHARGED
    ]
    return Reminders(
        agency_id=agency_id,
        on=on,
        overdue=[row for row in undischarged if row.status is ObligationStatus.OVERDUE],
        open=[row for row in undischarged if row.status is ObligationStatus.OPEN],
        suspended=[row for row in undischarged if row.status is ObligationStatus.SUSPENDED],
        involvement_end_proposed=view.proposals(agency_id),
        projection=projection_status(runtime, view.position()),
    )


@router.get("/retention/due", response_model=RetentionDue)
def retention_due(
    runtime: RuntimeDep,
    _actor: ActorDep,
    on: Annotated[Day | None, Query(description="The day to check; default today.")] = None,
    after_position: Annotated[int | None, Query(ge=1)] = None,
) -> RetentionDue | JSONResponse:
    """Records due for retention review under the configured schedule."""
    if waiting := _wait_for(runtime, RetentionRecords.name, after_position):
        return waiting
    day = on or _today(runtime)
    schedule = runtime.settings.retention_months
    view = runtime.projections.retention
    return RetentionDue(
        on=day,
        schedule_months={str(record_class): months for record_class, months in schedule.items()},
        records=view.due_for_review(day, schedule),
        projection=projection_status(runtime, view.position()),
    )


@router.post(
    "/erasure-requests",
    status_code=status.HTTP_201_CREATED,
    response_model=CommandAccepted,
)
def request_erasure(
    command: s8.RequestErasure, ledger: LedgerDep, issued: IssuedDep, response: Response
) -> CommandAccepted:
    """Ask for a case's personal data (all of it, or some key groups) to be erased; a second
    compliance officer must approve. Refused while a legal hold is in force."""
    return accepted(ledger.request_erasure(command, issued), response)


@router.post("/erasure-requests/approval", response_model=CommandAccepted)
def approve_erasure(
    command: s8.ApproveErasure, ledger: LedgerDep, issued: IssuedDep, response: Response
) -> CommandAccepted:
    """Approve an erasure request; the requester cannot approve their own."""
    return accepted(ledger.approve_erasure(command, issued), response)


@router.post("/erasure-requests/execution", response_model=CommandAccepted)
def execute_erasure(
    command: s8.ExecuteErasure, ledger: LedgerDep, issued: IssuedDep, response: Response
) -> CommandAccepted:
    """Destroy the data keys of an approved request. The sealed fields of those groups read as
    erased everywhere from now on; the envelope (who shared what with whom, when, why) stays."""
    return accepted(ledger.execute_erasure(command, issued), response)


def _wait_for(runtime: Runtime, view: str, position: int | None) -> JSONResponse | None:
    if position is None or caught_up(runtime, view, position):
        return None
    return catching_up(view.replace("_", " "), position)


def _today(runtime: Runtime) -> date:
    return uk_date(runtime.ledger.clock.now())


def _cell(value: object) -> str:
    return "" if value is None else str(value)
