"""The case view of consent: each stage's approach, and consent sought, given, refused or
withdrawn."""

from __future__ import annotations

from events.base import DomainEvent
from events.consent import (
    ConsentApproachDecided,
    ConsentGiven,
    ConsentRefused,
    ConsentSought,
    ConsentWithdrawn,
)
from events.vocabulary import ConsentStatus
from projections.case_view import CaseView, ConsentDecision
from projections.case_view_folds.folding import Folds, Handler

FOLDS = Folds()


@FOLDS.on(ConsentApproachDecided)
def _consent_approach(view: CaseView, event: ConsentApproachDecided) -> CaseView:
    decision = ConsentDecision(
        stage=event.stage,
        seek=event.seek,
        seeker_agency_id=event.seeker_agency.agency_id if event.seeker_agency else None,
        decided_at=event.timestamp,
    )
    decisions = (*view.consent.decisions, decision)
    return view.model_copy(
        update={"consent": view.consent.model_copy(update={"decisions": decisions})}
    )


def _consent_now(status: ConsentStatus) -> Handler[DomainEvent]:
    def change(view: CaseView, _event: DomainEvent) -> CaseView:
        return view.model_copy(
            update={"consent": view.consent.model_copy(update={"status": status})}
        )

    return change


FOLDS.on(ConsentSought)(_consent_now(ConsentStatus.SOUGHT))
FOLDS.on(ConsentGiven)(_consent_now(ConsentStatus.GIVEN))
FOLDS.on(ConsentRefused)(_consent_now(ConsentStatus.REFUSED))
FOLDS.on(ConsentWithdrawn)(_consent_now(ConsentStatus.WITHDRAWN))
