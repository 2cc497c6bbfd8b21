"""The console's case pages: the case list, a case's timeline (sealed content opened only
with a stated purpose) and the case as it stood on a chosen day, with who knew what then."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from api.console.api_reads import ApiReads, ApiRefusalError
from api.console.guard import CONSOLE, SignedIn, check_form
from api.console.rendering import page
from api.console.timeline import timeline_entries
from events.base import UK_TIME
from projections.case_view import Stage

router = APIRouter(prefix=CONSOLE, include_in_schema=False)
PAGE_SIZE = 25
STAGES = tuple(stage.value for stage in Stage)
MAX_PURPOSE = 500


@router.get("/cases", response_class=HTMLResponse)
async def case_list(
    request: Request,
    session: SignedIn,
    stage: str | None = None,
    overdue: str | None = None,
    agency_id: str | None = None,
) -> Response:
    number = _page_number(request.query_params.get("page"))
    reads = ApiReads(request, session)
    params = {
        "stage": stage or None,
        "overdue": "true" if overdue == "yes" else None,
        "agency_id": agency_id or None,
        "limit": PAGE_SIZE,
        "offset": (number - 1) * PAGE_SIZE,
    }
    cases = await reads.json("/referrals", params)
    agencies = await _agencies(reads)
    pages = max(1, -(-int(cases["total"]) // PAGE_SIZE))
    return page(
        request,
        "cases.html",
        session,
        cases=cases,
        stages=STAGES,
        agencies=agencies,
        chosen={"stage": stage or "", "overdue": overdue or "", "agency_id": agency_id or ""},
        page_no=number,
        pages=pages,
        paging_query=_paging_query(stage, overdue, agency_id),
    )


@router.get("/cases/{referral_id}", response_class=HTMLResponse)
async def case_timeline(
    request: Request, session: SignedIn, referral_id: UUID, as_of: str | None = None
) -> Response:
    return await _timeline(request, session, referral_id, as_of, purpose=None)


@router.post("/cases/{referral_id}", response_class=HTMLResponse)
async def case_timeline_revealed(
    request: Request,
    session: SignedIn,
    referral_id: UUID,
    purpose: Annotated[str, Form(max_length=MAX_PURPOSE)] = "",
    csrf_token: Annotated[str, Form(max_length=128)] = "",
    as_of: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Open sealed content: a POST (the purpose stays out of addresses and history), with the
    session's token, and a purpose the access log keeps."""
    check_form(request, csrf_token, session.csrf_token)
    stated = " ".join(purpose.split())
    if len(stated) < 10:  # noqa: PLR2004 (as the API asks of a break-glass reason)
        return await _timeline(
            request,
            session,
            referral_id,
            as_of or None,
            purpose=None,
            purpose_error="State why you need to see the sealed content (at least 10 characters)",
        )
    return await _timeline(request, session, referral_id, as_of or None, purpose=stated)


async def _timeline(
    request: Request,
    session: SignedIn,
    referral_id: UUID,
    as_of_day: str | None,
    *,
    purpose: str | None,
    purpose_error: str | None = None,
) -> Response:
    reads = ApiReads(request, session)
    moment, day_error = end_of_day(as_of_day, request)
    params: dict[str, Any] = {"as_of": moment.isoformat() if moment else None}
    if purpose:
        params["reveal"] = "true"
    # The purpose is the page view's: both of its reads are logged with it.
    case = await reads.json(
        f"/referrals/{referral_id}", {"as_of": params["as_of"]}, purpose=purpose
    )
    history = await reads.json(f"/referrals/{referral_id}/history", params, purpose=purpose)
    return page(
        request,
        "timeline.html",
        session,
        status=422 if purpose_error else 200,
        case=case["case"],
        referral_id=referral_id,
        entries=timeline_entries(history["events"]),
        revealed=bool(history["revealed"]),
        purpose=purpose,
        purpose_error=purpose_error,
        as_of_day=as_of_day or "",
        day_error=day_error,
    )


@router.get("/cases/{referral_id}/as-it-stood", response_class=HTMLResponse)
async def as_it_stood(
    request: Request, session: SignedIn, referral_id: UUID, on: str | None = None
) -> Response:
    reads = ApiReads(request, session)
    moment, day_error = end_of_day(on, request)
    if moment is None:
        return page(
            request,
            "as_it_stood.html",
            session,
            status=422 if on else 200,
            referral_id=referral_id,
            on=on or "",
            day_error=day_error if on else None,
            case=None,
            knowledge=None,
        )
    params = {"as_of": moment.isoformat()}
    try:
        case = await reads.json(f"/referrals/{referral_id}", params)
    except ApiRefusalError as refusal:
        if refusal.status != 404:  # noqa: PLR2004
            raise
        case = None  # not yet received on that day
    knowledge = await reads.json(f"/referrals/{referral_id}/knowledge", params) if case else None
    return page(
        request,
        "as_it_stood.html",
        session,
        referral_id=referral_id,
        on=on,
        day_error=None,
        moment=moment,
        case=case["case"] if case else None,
        knowledge=knowledge,
    )


async def _agencies(reads: ApiReads) -> list[dict[str, Any]]:
    try:
        listed = await reads.json("/agencies")
    except ApiRefusalError:
        return []
    return sorted(listed["agencies"], key=lambda agency: agency["name"])


def end_of_day(day: str | None, request: Request) -> tuple[datetime | None, str | None]:
    """The end of a UK day (or now, for today): the moment an "as it stood on" page reads."""
    if not day:
        return None, None
    try:
        chosen = date.fromisoformat(day)
    except ValueError:
        return None, "Enter the date as year-month-day, for example 2026-02-19"
    now = request.app.state.runtime.ledger.clock.now()
    if chosen > now.astimezone(UK_TIME).date():
        return None, "The date must be today or in the past"
    end = datetime.combine(chosen + timedelta(days=1), time(), UK_TIME) - timedelta(microseconds=1)
    return min(end, now), None


def _page_number(text: str | None) -> int:
    try:
        return max(1, min(int(text or "1"), 100_000))
    except ValueError:
        return 1


def _paging_query(stage: str | None, overdue: str | None, agency_id: str | None) -> str:
    chosen = (("stage", stage), ("overdue", overdue), ("agency_id", agency_id))
    return urlencode([(name, value) for name, value in chosen if value])
