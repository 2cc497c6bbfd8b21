"""Section 8: ends of involvement, deletion or return, legal holds."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from api.access.gate import GatedRoute
from api.access.marking import marking_line
from api.http.command_routes import CommandRoute, add_command_routes
from api.http.deps import ActorDep, RuntimeDep
from api.http.schemas import Day, ProjectionStatus
from api.http.streaming import ExportGuard
from api.http.views import projection_status, today, wait_for_view
from commands.application import ReferralLedger
from commands.disposal import ConfirmDisposal, EndAgencyInvolvement, LiftLegalHold, PlaceLegalHold
from projections.disposal_obligations import (
    DisposalObligations,
    InvolvementEndProposal,
    ObligationQuery,
    ObligationRow,
    ObligationStatus,
)
from projections.register_export import csv_document, neutralise

router = APIRouter(tags=["Deletion, legal holds and retention"], route_class=GatedRoute)
add_command_routes(
    router,
    (
        CommandRoute(
            "involvement-ended", EndAgencyInvolvement, ReferralLedger.end_agency_involvement
        ),
        CommandRoute("disposal-confirmations", ConfirmDisposal, ReferralLedger.confirm_disposal),
        CommandRoute("legal-hold", PlaceLegalHold, ReferralLedger.place_legal_hold),
        CommandRoute("legal-hold/lifted", LiftLegalHold, ReferralLedger.lift_legal_hold),
    ),
)


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
    if waiting := wait_for_view(runtime, OBLIGATIONS_VIEW, filters.after_position):
        return waiting
    on = filters.on or today(runtime)
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
    if waiting := wait_for_view(runtime, OBLIGATIONS_VIEW, after_position):
        return waiting
    runtime.ledger.agency(agency_id)
    on = today(runtime)
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


def _cell(value: object) -> str:
    return "" if value is None else str(value)
