"""The process clock's reads: what is due and overdue for an agency or a role, and how each
agency kept its deadlines over a period. Both are folded from the log when asked."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from aggregates.errors import InvalidInstructionError
from api.access.gate import GatedRoute
from api.access.marking import watermark
from api.http.deps import ActorDep, RuntimeDep
from api.http.exports import csv_answer
from api.http.schemas import Day
from api.http.views import process_clock, today
from events.vocabulary import Role
from projections.deadlines import deadlines_in_log
from projections.register_export import neutralise
from projections.worklist import (
    AgencyTimeliness,
    KindTally,
    WorkItem,
    due_and_overdue,
    timeliness_by_agency,
)

router = APIRouter(tags=["Deadlines"], route_class=GatedRoute)


class WorklistFilters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    agency_id: UUID | None = Field(
        default=None, description="The agency the deadlines fall on; agency staff give their own."
    )
    role: Role | None = Field(default=None, description="The role the deadlines fall on.")


class Worklist(BaseModel):
    on: date = Field(description="The day the statuses are read for (today).")
    agency_id: UUID | None
    role: Role | None
    items: list[WorkItem]


@router.get("/worklist", response_model=Worklist)
def worklist(
    runtime: RuntimeDep, _actor: ActorDep, filters: Annotated[WorklistFilters, Query()]
) -> Worklist:
    """What is due and overdue for an agency, a role, or both, soonest first: each deadline
    with the rule that makes it due, its anchor and due dates, and any warning (a review
    agreed outside 4-6 weeks). Agency staff see their own agency's worklist only."""
    on = today(runtime)
    deadlines = deadlines_in_log(runtime.ledger.recorder, process_clock(runtime))
    items = due_and_overdue(deadlines, on, filters.agency_id, filters.role)
    return Worklist(on=on, agency_id=filters.agency_id, role=filters.role, items=items)


class TimelinessFilters(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    period_from: Day = Field(alias="from", description="Deadlines due from this day (included).")
    period_to: Day = Field(alias="to", description="...to this day (included).")
    output: Literal["json", "csv"] = Field(default="json", alias="format")


class Timeliness(BaseModel):
    period_from: date
    period_to: date
    on: date = Field(description="The day the statuses are read for (today).")
    watermark: dict[str, str]
    agencies: list[AgencyTimeliness]


COLUMNS = ("agency_id", "agency", *KindTally.model_fields)


@router.get(
    "/timeliness",
    response_model=Timeliness,
    responses={200: {"content": {"application/json": {}, "text/csv": {}}}},
)
def timeliness(
    request: Request,
    runtime: RuntimeDep,
    actor: ActorDep,
    filters: Annotated[TimelinessFilters, Query()],
) -> Timeliness | StreamingResponse:
    """For the deadlines due in the period, per agency and per kind: how many were met, met
    late, or are still open (not yet due, overdue, or suspended by a legal hold) today."""
    period = (filters.period_from, filters.period_to)
    if period[0] > period[1]:
        raise InvalidInstructionError("from", "The period starts after it ends.")
    clock, on, now = process_clock(runtime), today(runtime), runtime.ledger.clock.now()
    deadlines = deadlines_in_log(runtime.ledger.recorder, clock)
    agencies = timeliness_by_agency(deadlines, period, on, clock)
    if filters.output == "csv":
        name = f"timeliness-{period[0]}-{period[1]}.csv"
        return csv_answer(request, actor, now, name, COLUMNS, _rows, agencies)
    return Timeliness(
        period_from=period[0],
        period_to=period[1],
        on=on,
        watermark=watermark(actor, now),
        agencies=agencies,
    )


def _rows(agencies: Iterable[AgencyTimeliness]) -> Iterator[list[str]]:
    for agency in agencies:
        for kind in agency.kinds:
            cells = [str(agency.agency_id or ""), agency.agency]
            cells += [str(value) for value in kind.model_dump(mode="json").values()]
            yield [neutralise(cell) for cell in cells]
