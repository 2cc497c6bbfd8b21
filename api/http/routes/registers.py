"""Registers for compliance: an agency's disclosure register, a case's sharing record, and
the records of processing."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from aggregates.calendar import uk_date
from aggregates.errors import InvalidInstructionError
from api.access.gate import GatedRoute
from api.access.marking import marking_line, watermark
from api.http.deps import ActorDep, RuntimeDep
from api.http.schemas import Day, Moment
from api.http.streaming import ExportGuard
from api.http.views import catching_up, caught_up, projection_status
from projections.disclosure_register import DisclosureRegister, register_as_of
from projections.records_of_processing import RecordsOfProcessing, summarise
from projections.register_export import csv_export, json_export
from projections.register_rows import RegisterQuery, uk_day_ends, uk_day_starts

router = APIRouter(tags=["Registers"], route_class=GatedRoute)
REGISTER = DisclosureRegister.name


class RegisterFilters(BaseModel):
    """Narrow the register; `as_of` folds it from the log as it stood at that moment."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    period_from: Day | None = Field(default=None, alias="from")
    period_to: Day | None = Field(default=None, alias="to")
    referral_id: UUID | None = None
    counterpart_agency_id: UUID | None = None
    as_of: Moment | None = None
    output: Literal["json", "csv"] = Field(default="json", alias="format")
    after_position: int | None = Field(default=None, ge=1)


@router.get(
    "/agencies/{agency_id}/disclosure-register",
    response_model=None,
    responses={200: {"content": {"application/json": {}, "text/csv": {}}}},
)
def disclosure_register(
    agency_id: UUID,
    request: Request,
    runtime: RuntimeDep,
    actor: ActorDep,
    filters: Annotated[RegisterFilters, Query()],
) -> StreamingResponse | JSONResponse:
    """Everything the agency disclosed and received: when, which case, with whom, what
    category, on which legal bases, under which consent status, how sensitive, how to store
    it, and who decided."""
    agency = runtime.ledger.agency(agency_id).state.ref
    _check_period(filters.period_from, filters.period_to)
    query = RegisterQuery(
        agency_id,
        filters.period_from,
        filters.period_to,
        filters.referral_id,
        filters.counterpart_agency_id,
    )
    now = runtime.ledger.clock.now()
    as_of = filters.as_of
    if as_of is not None and as_of > now:
        raise InvalidInstructionError("as_of", "The register cannot be read as of a future moment.")
    if filters.after_position is not None and not caught_up(
        runtime, REGISTER, filters.after_position
    ):
        return catching_up("register", filters.after_position)
    register = runtime.projections.register
    guard = ExportGuard(request)
    output = filters.output
    entries = guard.rows(
        register_as_of(runtime.ledger.recorder, as_of, query, output)
        if as_of
        else register.exported(query, output)
    )
    if output == "csv":
        name = f"disclosure-register-{agency.agency_id}-{uk_date(as_of or now)}.csv"
        return StreamingResponse(
            guard.csv(csv_export(entries, marking_line(actor, now))),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    header = {
        **watermark(actor, now),
        "agency": agency.model_dump(mode="json"),
        "filters": filters.model_dump(mode="json", by_alias=True, exclude={"output"}),
        "generated_at": now,
        "projection": None if as_of else projection_status(runtime, register.position()),
    }
    return StreamingResponse(
        json_export(header, entries, footer=guard.json_footer), media_type="application/json"
    )


@router.get("/records-of-processing", response_model=RecordsOfProcessing)
def records_of_processing(
    runtime: RuntimeDep,
    _actor: ActorDep,
    period_from: Annotated[Day, Query(alias="from")],
    period_to: Annotated[Day, Query(alias="to")],
    after_position: Annotated[int | None, Query(ge=1)] = None,
) -> RecordsOfProcessing | JSONResponse:
    """What was shared in the period, as an Article 30 / s.61 record: categories of data,
    recipients and the legal bases actually relied on."""
    _check_period(period_from, period_to)
    if after_position is not None and not caught_up(runtime, REGISTER, after_position):
        return catching_up("register", after_position)
    rows = runtime.projections.register.rows_between(
        uk_day_starts(period_from), uk_day_ends(period_to)
    )
    return summarise(rows, period_from, period_to, runtime.ledger.clock.now())


def _check_period(period_from: date | None, period_to: date | None) -> None:
    if period_from is not None and period_to is not None and period_from > period_to:
        raise InvalidInstructionError("from", "The period starts after it ends.")
