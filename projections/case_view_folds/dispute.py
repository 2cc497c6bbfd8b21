"""The case view of disputes (section 7): raised, referred, resolved."""

from __future__ import annotations

from events.dispute import DisputePackDisclosed, DisputeRaised, DisputeReferred, DisputeResolved
from projections.case_view import CaseView, Dispute
from projections.case_view_folds.folding import Folds, changed

FOLDS = Folds()
# A dispute pack is a disclosure of the case: it is in the history and the registers.
FOLDS.recorded_only(DisputePackDisclosed)


@FOLDS.on(DisputeRaised)
def _dispute_raised(view: CaseView, event: DisputeRaised) -> CaseView:
    dispute = Dispute(
        dispute_no=event.dispute_no,
        disputed_decision=event.disputed_decision,
        raised_at=event.timestamp,
    )
    return view.model_copy(update={"disputes": (*view.disputes, dispute)})


@FOLDS.on(DisputeReferred)
def _dispute_referred(view: CaseView, event: DisputeReferred) -> CaseView:
    disputes = changed(
        view.disputes, lambda d: d.dispute_no == event.dispute_no, referred_at=event.timestamp
    )
    return view.model_copy(update={"disputes": disputes})


@FOLDS.on(DisputeResolved)
def _dispute_resolved(view: CaseView, event: DisputeResolved) -> CaseView:
    disputes = changed(
        view.disputes,
        lambda d: d.dispute_no == event.dispute_no,
        resolved_at=event.timestamp,
        outcome=event.outcome,
    )
    return view.model_copy(update={"disputes": disputes})
