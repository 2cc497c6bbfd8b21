"""The console's compliance pages: an agency's disclosure register (as of a date, and as
CSV), section 8 obligations, the worklist, the access log and the record's integrity."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from api.access.permissions import ALL_AGENCIES
from api.console.api_reads import ApiReads, ApiRefusalError
from api.console.case_pages import end_of_day
from api.console.guard import CONSOLE, SignedIn
from api.console.rendering import NO_STORE, page

router = APIRouter(prefix=CONSOLE, include_in_schema=False)
NEWEST_CONSULTATIONS = 200
OBLIGATION_STATUSES = ("open", "overdue", "suspended", "discharged")


@router.get("/", response_class=HTMLResponse)
def home(request: Request, session: SignedIn) -> Response:
    return page(request, "home.html", session, case_data=False)


@router.get("/registers", response_class=HTMLResponse)
async def registers(request: Request, session: SignedIn) -> Response:
    listed = await ApiReads(request, session).json("/agencies")
    agencies = sorted(listed["agencies"], key=lambda agency: agency["name"])
    return page(request, "registers.html", session, case_data=False, agencies=agencies)


@dataclass(frozen=True)
class RegisterChoice:
    """The register page's filters as typed, and as the API reads them."""

    period_from: str = ""
    period_to: str = ""
    as_of: str = ""

    def api_params(self, request: Request) -> tuple[dict[str, Any], str | None]:
        moment, day_error = end_of_day(self.as_of or None, request)
        params = {
            "from": self.period_from or None,
            "to": self.period_to or None,
            "as_of": moment.isoformat() if moment else None,
        }
        return params, day_error


Chosen = Annotated[RegisterChoice, Depends()]


@router.get("/agencies/{agency_id}/register", response_class=HTMLResponse)
async def register(
    request: Request, session: SignedIn, agency_id: UUID, chosen: Chosen
) -> Response:
    params, day_error = chosen.api_params(request)
    answer = await ApiReads(request, session).json(
        f"/agencies/{agency_id}/disclosure-register", params
    )
    return page(
        request,
        "register.html",
        session,
        register=answer,
        agency_id=agency_id,
        chosen=chosen,
        day_error=day_error,
        csv_query=request.url.query,
    )


@router.get("/agencies/{agency_id}/register.csv")
async def register_csv(
    request: Request, session: SignedIn, agency_id: UUID, chosen: Chosen
) -> Response:
    """The API's own CSV, byte for byte, with its file name."""
    params, _ = chosen.api_params(request)
    answer = await ApiReads(request, session).get(
        f"/agencies/{agency_id}/disclosure-register", {**params, "format": "csv"}
    )
    headers = {**NO_STORE, "Content-Disposition": answer.headers.get("content-disposition", "")}
    return Response(answer.body, media_type=answer.media_type, headers=headers)


@router.get("/obligations", response_class=HTMLResponse)
async def obligations(request: Request, session: SignedIn, status: str | None = None) -> Response:
    chosen = status if status in OBLIGATION_STATUSES else None
    answer = await ApiReads(request, session).json("/disposal-obligations", {"status": chosen})
    return page(
        request,
        "obligations.html",
        session,
        obligations=answer,
        statuses=OBLIGATION_STATUSES,
        chosen=chosen or "",
    )


@router.get("/worklist", response_class=HTMLResponse)
async def worklist(request: Request, session: SignedIn, agency_id: str | None = None) -> Response:
    reads = ApiReads(request, session)
    principal = session.principal
    # Agency staff read their own agency's worklist (the API refuses them any other).
    sees_all = any(role in ALL_AGENCIES for role in principal.roles)
    mine = agency_id or (None if sees_all else str(principal.agency_id))
    answer = await reads.json("/worklist", {"agency_id": mine})
    return page(
        request,
        "worklist.html",
        session,
        worklist=answer,
        own_agency_id=str(principal.agency_id),
        chosen=mine or "",
    )


@router.get("/access-log", response_class=HTMLResponse)
async def access_log(
    request: Request,
    session: SignedIn,
    referral_id: str | None = None,
    actor_id: str | None = None,
) -> Response:
    params = {"referral_id": referral_id or None, "actor_id": actor_id or None}
    answer = await ApiReads(request, session).json("/access-log", params)
    consultations: list[dict[str, Any]] = answer["consultations"]
    return page(
        request,
        "access_log.html",
        session,
        consultations=list(reversed(consultations))[:NEWEST_CONSULTATIONS],
        total=len(consultations),
        shown=NEWEST_CONSULTATIONS,
        chosen={"referral_id": referral_id or "", "actor_id": actor_id or ""},
        watermark=answer["watermark"],
    )


@router.get("/integrity", response_class=HTMLResponse)
async def integrity(request: Request, session: SignedIn) -> Response:
    reads = ApiReads(request, session)
    try:
        note = (await reads.get("/checkpoints/latest")).body.decode()
    except ApiRefusalError as refusal:
        if refusal.status != 404:  # noqa: PLR2004 (none signed yet)
            raise
        note = None
    runs = (await reads.json("/integrity/runs", {"limit": 20}))["runs"]
    try:
        witnesses = (await reads.json("/witnesses"))["witnesses"]
    except ApiRefusalError:
        witnesses = []
    return page(
        request,
        "integrity.html",
        session,
        case_data=False,
        checkpoint=read_note(note) if note else None,
        runs=runs,
        witnesses=witnesses,
    )


def read_note(note: str) -> dict[str, Any]:
    """A signed checkpoint's origin, size and root, and who signed it: the log's own key
    first, then each witness that cosigned it."""
    body, _, signatures = note.partition("\n\n")
    origin, size, root = [*body.split("\n"), "", "", ""][:3]
    signers = [
        line.removeprefix("\u2014 ").split(" ")[0]
        for line in signatures.splitlines()
        if line.startswith("\u2014 ")
    ]
    return {"origin": origin, "size": size, "root": root, "signers": signers, "note": note}
