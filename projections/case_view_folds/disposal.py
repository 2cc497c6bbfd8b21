"""The case view of section 8: disposal obligations and their confirmation, legal holds."""

from __future__ import annotations

from events.disposal import (
    AgencyInvolvementEnded,
    AgencyInvolvementEndProposed,
    DisposalConfirmed,
    DisposalObligationRaised,
    LegalHoldLifted,
    LegalHoldPlaced,
)
from projections.case_view import CaseView, LegalHold, Obligation
from projections.case_view_folds.folding import Folds, agency_of, changed

FOLDS = Folds()


@FOLDS.on(DisposalObligationRaised)
def _obligation_raised(view: CaseView, event: DisposalObligationRaised) -> CaseView:
    obligation = Obligation(
        obligation_no=event.obligation_no,
        disclosure_no=event.disclosure_no,
        agency=agency_of(event.agency),
        raised_on=event.raised_on,
        due_on=event.due_on,
    )
    return view.model_copy(update={"obligations": (*view.obligations, obligation)})


@FOLDS.on(DisposalConfirmed)
def _disposal_confirmed(view: CaseView, event: DisposalConfirmed) -> CaseView:
    if not event.complete:  # a partial confirmation leaves the obligation open
        return view
    obligations = changed(
        view.obligations,
        lambda o: o.obligation_no == event.obligation_no,
        discharged_on=event.disposed_on,
    )
    return view.model_copy(update={"obligations": obligations})


@FOLDS.on(LegalHoldPlaced)
def _hold_placed(view: CaseView, event: LegalHoldPlaced) -> CaseView:
    hold = LegalHold(hold_no=event.hold_no, ground=event.ground, placed_at=event.timestamp)
    return view.model_copy(update={"legal_hold": hold})


@FOLDS.on(LegalHoldLifted)
def _hold_lifted(view: CaseView, event: LegalHoldLifted) -> CaseView:
    obligations = view.obligations
    if event.obligations_due_on is not None:  # the hold suspended them: due again from now
        obligations = tuple(
            o if o.discharged_on else o.model_copy(update={"due_on": event.obligations_due_on})
            for o in obligations
        )
    return view.model_copy(update={"legal_hold": None, "obligations": obligations})


FOLDS.recorded_only(AgencyInvolvementEndProposed, AgencyInvolvementEnded)
