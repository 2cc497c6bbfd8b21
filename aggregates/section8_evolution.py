"""How section 8 events change a referral's state (part of the one fold): involvement,
disposal obligations, legal holds, erasure and retention review."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aggregates.referral_state import ErasureRequest, LegalHold, Obligation, ReferralState
from events.disposal import (
    AgencyInvolvementEnded,
    AgencyInvolvementEndProposed,
    DisposalConfirmed,
    DisposalObligationRaised,
    LegalHoldLifted,
    LegalHoldPlaced,
)
from events.erasure import ErasureApproved, ErasureExecuted, ErasureRequested, RetentionReviewed


def _proposed(event: AgencyInvolvementEndProposed, state: ReferralState) -> None:
    state.involvement_end_proposed.append(event.agency.agency_id)


def _ended(event: AgencyInvolvementEnded, state: ReferralState) -> None:
    state.involvement_ended.append(event.agency.agency_id)


def _raised(event: DisposalObligationRaised, state: ReferralState) -> None:
    state.obligations.append(
        Obligation(
            obligation_no=event.obligation_no,
            disclosure_no=event.disclosure_no,
            agency=event.agency,
            raised_on=event.raised_on,
            due_on=event.due_on,
        )
    )


def _confirmed(event: DisposalConfirmed, state: ReferralState) -> None:
    if event.complete:
        state.obligations[event.obligation_no - 1].discharged_on = event.disposed_on


def _hold_placed(event: LegalHoldPlaced, state: ReferralState) -> None:
    state.legal_holds = event.hold_no
    state.legal_hold = LegalHold(
        hold_no=event.hold_no, ground=event.ground, placed_at=event.audit.occurred_at
    )


def _hold_lifted(event: LegalHoldLifted, state: ReferralState) -> None:
    state.legal_hold = None
    if event.obligations_due_on is not None:
        for obligation in state.obligations:
            if obligation.discharged_on is None:
                obligation.due_on = event.obligations_due_on


def _erasure_requested(event: ErasureRequested, state: ReferralState) -> None:
    state.erasure_requests.append(
        ErasureRequest(
            request_no=event.request_no,
            key_groups=list(event.key_groups),
            ground=event.ground,
            requested_by=event.audit.actor_id,
        )
    )


def _erasure_approved(event: ErasureApproved, state: ReferralState) -> None:
    state.erasure_requests[event.request_no - 1].approved_by = event.audit.actor_id


def _erasure_executed(event: ErasureExecuted, state: ReferralState) -> None:
    state.erasure_requests[event.request_no - 1].executed_at = event.audit.occurred_at
    state.erased_groups.extend(g for g in event.key_groups if g not in state.erased_groups)


def _retention_reviewed(event: RetentionReviewed, state: ReferralState) -> None:
    state.retention_reviews = event.review_no
    state.next_retention_review_on = event.next_review_on


SECTION_8_HANDLERS: dict[type[Any], Callable[[Any, ReferralState], None]] = {
    AgencyInvolvementEndProposed: _proposed,
    AgencyInvolvementEnded: _ended,
    DisposalObligationRaised: _raised,
    DisposalConfirmed: _confirmed,
    LegalHoldPlaced: _hold_placed,
    LegalHoldLifted: _hold_lifted,
    ErasureRequested: _erasure_requested,
    ErasureApproved: _erasure_approved,
    ErasureExecuted: _erasure_executed,
    RetentionReviewed: _retention_reviewed,
}
