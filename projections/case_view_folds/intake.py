"""The case view through intake and MASH triage: received, checked, more information asked for and
returned, screened in or out."""

from __future__ import annotations

from events.intake import (
    FurtherInformationRequested,
    FurtherInformationReturned,
    ReferralReceived,
    ReferralScreenedIn,
    ReferralScreenedOut,
    SecurityChecksRecorded,
)
from projections.case_view import (
    CaseView,
    FurtherInformationRequest,
    Intake,
    Screening,
    Stage,
    reference,
)
from projections.case_view_folds.folding import Folds, changed

FOLDS = Folds()


def received(event: ReferralReceived) -> CaseView:
    return CaseView(
        referral_id=event.originator_id,
        reference=reference(event.originator_id),
        stage=Stage.TRIAGE,
        received_at=event.received_at,
        last_changed_at=event.audit.occurred_at,
        version=event.originator_version,
        next_step=None,
        open_dispute=False,
        intake=Intake(
            received_via=event.received_via,
            referring_agency=event.referring_agency,
            subject_age_group=event.subject_age_group,
            recorded_at=event.audit.occurred_at,
            recorded_by=event.audit.actor_id,
        ),
    )


# Intake and MASH triage


@FOLDS.on(SecurityChecksRecorded)
def _security_checks(view: CaseView, event: SecurityChecksRecorded) -> CaseView:
    intake = view.intake.model_copy(update={"security_checks_recorded_at": event.timestamp})
    return view.model_copy(update={"intake": intake})


@FOLDS.on(FurtherInformationRequested)
def _information_requested(view: CaseView, event: FurtherInformationRequested) -> CaseView:
    request = FurtherInformationRequest(request_no=event.request_no, requested_at=event.timestamp)
    requests = (*view.intake.further_information_requests, request)
    intake = view.intake.model_copy(update={"further_information_requests": requests})
    return view.model_copy(update={"intake": intake, "stage": Stage.AWAITING_FURTHER_INFORMATION})


@FOLDS.on(FurtherInformationReturned)
def _information_returned(view: CaseView, event: FurtherInformationReturned) -> CaseView:
    requests = changed(
        view.intake.further_information_requests,
        lambda request: request.request_no == event.request_no,
        returned_at=event.timestamp,
    )
    intake = view.intake.model_copy(update={"further_information_requests": requests})
    return view.model_copy(update={"intake": intake, "stage": Stage.TRIAGE})


@FOLDS.on(ReferralScreenedOut)
def _screened_out(view: CaseView, event: ReferralScreenedOut) -> CaseView:
    screening = Screening(
        screened_in=False, reasons=tuple(event.reasons), decided_at=event.timestamp
    )
    return view.model_copy(update={"screening": screening, "stage": Stage.SCREENED_OUT})


@FOLDS.on(ReferralScreenedIn)
def _screened_in(view: CaseView, event: ReferralScreenedIn) -> CaseView:
    screening = Screening(screened_in=True, reasons=(), decided_at=event.timestamp)
    return view.model_copy(
        update={"screening": screening, "stage": Stage.AWAITING_STRATEGY_DISCUSSION}
    )
