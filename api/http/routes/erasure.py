"""Erasure by key destruction, and retention review."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from api.access.gate import GatedRoute
from api.http.command_routes import CommandRoute, accepted, add_command_routes
from api.http.deps import ActorDep, IssuedDep, LedgerDep, RuntimeDep
from api.http.schemas import CommandAccepted, Day, ProjectionStatus
from api.http.views import projection_status, today, wait_for_view
from commands.application import ReferralLedger
from commands.erasure import ApproveErasure, ExecuteErasure, RequestErasure, ReviewRetention
from projections.retention import RetentionRecord, RetentionRecords

router = APIRouter(tags=["Deletion, legal holds and retention"], route_class=GatedRoute)
add_command_routes(
    router,
    (CommandRoute("retention-reviews", ReviewRetention, ReferralLedger.review_retention),),
)


class RetentionDue(BaseModel):
    on: date
    schedule_months: dict[str, int]
    records: list[RetentionRecord]
    projection: ProjectionStatus


@router.get("/retention/due", response_model=RetentionDue)
def retention_due(
    runtime: RuntimeDep,
    _actor: ActorDep,
    on: Annotated[Day | None, Query(description="The day to check; default today.")] = None,
    after_position: Annotated[int | None, Query(ge=1)] = None,
) -> RetentionDue | JSONResponse:
    """Records due for retention review under the configured schedule."""
    if waiting := wait_for_view(runtime, RetentionRecords.name, after_position):
        return waiting
    day = on or today(runtime)
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
    command: RequestErasure, ledger: LedgerDep, issued: IssuedDep, response: Response
) -> CommandAccepted:
    """Ask for a case's personal data (all of it, or some key groups) to be erased; a second
    compliance officer must approve. Refused while a legal hold is in force."""
    return accepted(ledger.request_erasure(command, issued), response)


@router.post("/erasure-requests/approval", response_model=CommandAccepted)
def approve_erasure(
    command: ApproveErasure, ledger: LedgerDep, issued: IssuedDep, response: Response
) -> CommandAccepted:
    """Approve an erasure request; the requester cannot approve their own."""
    return accepted(ledger.approve_erasure(command, issued), response)


@router.post("/erasure-requests/execution", response_model=CommandAccepted)
def execute_erasure(
    command: ExecuteErasure, ledger: LedgerDep, issued: IssuedDep, response: Response
) -> CommandAccepted:
    """Destroy the data keys of an approved request. The sealed fields of those groups read as
    erased everywhere from now on; the envelope (who shared what with whom, when, why) stays."""
    return accepted(ledger.execute_erasure(command, issued), response)
