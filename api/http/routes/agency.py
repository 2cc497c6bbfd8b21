"""The agency directory and the ISP signature register."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response, status
from fastapi.responses import JSONResponse

from aggregates.calendar import uk_date
from api.access.gate import GatedRoute
from api.http.deps import ActorDep, IssuedDep, LedgerDep, RuntimeDep
from api.http.sharing_schemas import AgencyCommandAccepted, AgencyDirectoryPage, AgencyEntry
from api.http.views import catching_up, caught_up, projection_status
from commands.agency import LapseIsp, RegisterAgency, SignIsp
from commands.context import Outcome
from projections.agency_directory import AgencyDirectory

router = APIRouter(tags=["Agencies and the Information Sharing Protocol"], route_class=GatedRoute)


@router.post(
    "/agencies",
    status_code=status.HTTP_201_CREATED,
    response_model=AgencyCommandAccepted,
)
def register_agency(
    command: RegisterAgency, ledger: LedgerDep, issued: IssuedDep, response: Response
) -> AgencyCommandAccepted:
    """Add an agency to the directory, with its type from the section 5 list."""
    outcome = ledger.register_agency(command, issued)
    response.headers["Location"] = f"/agencies/{outcome.aggregate_id}"
    return _accepted(outcome, response)


@router.post("/agencies/{agency_id}/isp-signatures", response_model=AgencyCommandAccepted)
def sign_isp(
    agency_id: UUID, command: SignIsp, ledger: LedgerDep, issued: IssuedDep, response: Response
) -> AgencyCommandAccepted:
    """Record the agency's signature of the Information Sharing Protocol and when it applies."""
    return _accepted(ledger.sign_isp(agency_id, command, issued), response)


@router.post("/agencies/{agency_id}/isp-lapses", response_model=AgencyCommandAccepted)
def lapse_isp(
    agency_id: UUID, command: LapseIsp, ledger: LedgerDep, issued: IssuedDep, response: Response
) -> AgencyCommandAccepted:
    """Record that the agency's protocol signature stopped being valid on a day."""
    return _accepted(ledger.lapse_isp(agency_id, command, issued), response)


@router.get("/agencies", response_model=AgencyDirectoryPage)
def list_agencies(
    runtime: RuntimeDep,
    _actor: ActorDep,
    after_position: Annotated[int | None, Query(ge=1)] = None,
) -> AgencyDirectoryPage | JSONResponse:
    """Every agency, with whether it may be invited or receive information today. Pass a
    command's `position` as `after_position` to see your own change."""
    if after_position is not None and not caught_up(runtime, AgencyDirectory.name, after_position):
        return catching_up("agency directory", after_position)
    today = uk_date(runtime.ledger.clock.now())
    return AgencyDirectoryPage(
        agencies=[
            AgencyEntry.of(state, today) for state in runtime.projections.agencies.agencies()
        ],
        projection=projection_status(runtime, runtime.projections.agencies.position()),
    )


@router.get("/agencies/{agency_id}", response_model=AgencyEntry)
def get_agency(agency_id: UUID, runtime: RuntimeDep, _actor: ActorDep) -> AgencyEntry:
    """One agency and its protocol signatures (read from its own events: always current)."""
    state = runtime.ledger.agency(agency_id).state
    return AgencyEntry.of(state, uk_date(runtime.ledger.clock.now()))


def _accepted(outcome: Outcome, response: Response) -> AgencyCommandAccepted:
    if outcome.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return AgencyCommandAccepted.of(outcome)
