"""Reads: the case list and one case from the case view, and one case's own history."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime

from api.access.case_scope import agency_events, agency_view
from api.access.gate import GatedRoute
from api.bootstrap import Runtime
from api.http.as_of import as_it_stood
from api.http.deps import ActorDep, GrantDep, LedgerDep, RuntimeDep
from api.http.schemas import (
    CaseDetail,
    CaseList,
    FeedbackGiven,
    History,
    HistoryEntry,
    ReferrerFeedbackRecord,
)
from api.http.views import catching_up, caught_up, process_clock, projection_status, today
from projections.case_view import Stage, reference
from projections.case_view_projection import CaseViewProjection, case_view
from projections.deadlines import deadlines_in_log
from projections.worklist import overdue_cases

router = APIRouter(tags=["Cases"], route_class=GatedRoute)
AsOf = Annotated[
    AwareDatetime | None,
    Query(
        description="A moment (with its offset): the answer as the ledger knew it then, folded "
        "from what had been recorded by that moment (the recorded time, not the dates the "
        "entries state)."
    ),
]
MAX_PAGE = 500
MAX_OFFSET = 1_000_000


@router.get("/referrals", response_model=CaseList)
def list_cases(
    runtime: RuntimeDep,
    grant: GrantDep,
    stage: Stage | None = None,
    agency_id: Annotated[
        UUID | None,
        Query(
            description="Only the cases this agency (by its directory id) is involved in. An "
            "agency practitioner's own agency always narrows the list: naming another gives "
            "an empty page."
        ),
    ] = None,
    overdue: Annotated[
        bool | None,
        Query(
            description="true: only the cases with at least one deadline overdue today; false: "
            "only those with none. An agency practitioner counts their own agency's deadlines."
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    after_position: Annotated[int | None, Query(ge=1)] = None,
) -> CaseList | JSONResponse:
    """The case list, newest referral first, from the case view (says how far it has caught
    up), by stage, involved agency or overdue deadlines. An agency practitioner sees only the
    cases their agency is involved in. Pass a command's `position` as `after_position` to see
    your own change."""
    if after_position is not None and not caught_up(
        runtime, CaseViewProjection.name, after_position
    ):
        return catching_up("case view", after_position)
    own = grant.principal.agency_id if grant.agency_scoped else None
    among, excluding = _overdue(runtime, overdue, own)
    if own is not None and agency_id not in (None, own):
        among = frozenset()  # another agency's cases are beyond the practitioner's scope
    items, total = runtime.projections.case_view.cases(
        stage, limit, offset, own or agency_id, among=among, excluding=excluding
    )
    return CaseList(
        items=items,
        total=total,
        limit=limit,
        offset=offset,
        projection=projection_status(runtime, runtime.projections.case_view.position()),
    )


def _overdue(
    runtime: Runtime, overdue: bool | None, agency_id: UUID | None
) -> tuple[frozenset[UUID] | None, frozenset[UUID]]:
    """The cases the list is narrowed to, and those it leaves out, for `overdue`: those with
    a deadline overdue today (falling on the agency, if one is given), folded from the log."""
    if overdue is None:
        return None, frozenset()
    deadlines = deadlines_in_log(runtime.ledger.recorder, process_clock(runtime))
    cases = frozenset(overdue_cases(deadlines, today(runtime), agency_id))
    return (cases, frozenset()) if overdue else (None, cases)


@router.get(
    "/referrals/{referral_id}",
    response_model=CaseDetail,
)
def get_case(
    referral_id: UUID,
    runtime: RuntimeDep,
    ledger: LedgerDep,
    grant: GrantDep,
    after_position: Annotated[int | None, Query(ge=1)] = None,
    as_of: AsOf = None,
) -> CaseDetail | JSONResponse:
    """One case. Pass a command's `position` as `after_position` to see your own change, or
    `as_of` for the case as the ledger knew it then."""
    if as_of is not None:
        stood = case_view(event for _, event in as_it_stood(ledger, referral_id, as_of))
        if grant.agency_scoped:
            stood = agency_view(stood, grant.principal.agency_id)
        position = runtime.projections.case_view.position()
        return CaseDetail(case=stood, projection=projection_status(runtime, position))
    if after_position is not None and not caught_up(
        runtime, CaseViewProjection.name, after_position
    ):
        return catching_up("case view", after_position)
    view = runtime.projections.case_view.case(referral_id)
    if view is None:
        # Recorded but not yet projected: answer from the referral's own events, folded
        # by the projection's own code.
        view = case_view(event for _, event in ledger.history(referral_id))
    if grant.agency_scoped:
        view = agency_view(view, grant.principal.agency_id)
    return CaseDetail(
        case=view, projection=projection_status(runtime, runtime.projections.case_view.position())
    )


@router.get("/referrals/{referral_id}/feedback", response_model=ReferrerFeedbackRecord)
def referrer_feedback(
    referral_id: UUID, ledger: LedgerDep, _actor: ActorDep
) -> ReferrerFeedbackRecord:
    """What the referrer was told of the referral's outcome, and when (section 5): a referrer
    sees this for their own referrals only. From the referral's own events, so it is never
    behind."""
    case = case_view(event for _, event in ledger.history(referral_id))
    return ReferrerFeedbackRecord(
        referral_id=referral_id,
        reference=reference(referral_id),
        received_at=case.received_at,
        feedback=[
            FeedbackGiven(
                feedback_point=f.feedback_point, notified_at=f.notified_at, method=f.method
            )
            for f in case.referrer_feedback
        ],
    )


@router.get("/referrals/{referral_id}/history", response_model=History)
def get_history(
    referral_id: UUID,
    ledger: LedgerDep,
    grant: GrantDep,
    reveal: Annotated[bool, Query(description="Open sealed personal data in the events.")] = False,
    as_of: AsOf = None,
) -> History:
    """Every event of the referral in order, with who, when and in which role (an agency
    practitioner sees what concerns their agency). A compliance officer opens sealed data
    only with an `Access-Purpose` header, which the access log keeps. `as_of`: only what had
    been recorded by then."""
    if as_of is None:
        events = ledger.history(referral_id, reveal=reveal)
    else:
        events = as_it_stood(ledger, referral_id, as_of, reveal=reveal)
    if grant.agency_scoped:
        events = agency_events(events, grant.principal.agency_id)
    return History(
        referral_id=referral_id,
        revealed=reveal,
        events=[HistoryEntry.of(position, event) for position, event in events],
    )
