"""The case view of erasure requests and their execution."""

from __future__ import annotations

from events.erasure import ErasureApproved, ErasureExecuted, ErasureRequested, RetentionReviewed
from projections.case_view import CaseView, ErasureRequest
from projections.case_view_folds.folding import Folds, changed

FOLDS = Folds()


@FOLDS.on(ErasureRequested)
def _erasure_requested(view: CaseView, event: ErasureRequested) -> CaseView:
    request = ErasureRequest(
        request_no=event.request_no,
        key_groups=tuple(event.key_groups),
        ground=event.ground,
        requested_by=event.audit.actor_id,
    )
    return view.model_copy(update={"erasure_requests": (*view.erasure_requests, request)})


@FOLDS.on(ErasureApproved)
def _erasure_approved(view: CaseView, event: ErasureApproved) -> CaseView:
    requests = changed(
        view.erasure_requests,
        lambda r: r.request_no == event.request_no,
        approved_by=event.audit.actor_id,
    )
    return view.model_copy(update={"erasure_requests": requests})


@FOLDS.on(ErasureExecuted)
def _erasure_executed(view: CaseView, event: ErasureExecuted) -> CaseView:
    requests = changed(
        view.erasure_requests,
        lambda r: r.request_no == event.request_no,
        executed_at=event.timestamp,
    )
    erased = (*view.erased_groups, *(g for g in event.key_groups if g not in view.erased_groups))
    return view.model_copy(update={"erasure_requests": requests, "erased_groups": erased})


FOLDS.recorded_only(RetentionReviewed)
