"""Section 8 steps: an agency's involvement ends, it deletes or returns what it received, and
legal holds suspend all of that while a case's records must be kept as they are.

Due dates count working days on the England and Wales calendar; the number of days is
policy, passed in by the ledger, and each due date is recorded on its event so replay never
recomputes it under a later policy.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import Field, StrictBool, StrictInt

from aggregates import rules
from aggregates.calendar import add_working_days, uk_date
from aggregates.errors import InvalidInstructionError, NotPermittedError
from aggregates.instructions import Instruction
from aggregates.referral_base import (
    ReferralBase,
    acts_for,
    business_day,
    not_after,
    not_before,
)
from aggregates.referral_state import Obligation
from events.base import AuditEnvelope
from events.disposal import (
    AgencyInvolvementEnded,
    AgencyInvolvementEndProposed,
    DisposalConfirmed,
    DisposalObligationRaised,
    LegalHoldLifted,
    LegalHoldPlaced,
)
from events.forms import AgencyRef, Line, Narrative
from events.vocabulary import DisposalMethod, InvolvementEndReason, LegalHoldGround


class InvolvementEnding(Instruction):
    """The agency is no longer involved with the person: raise one obligation to delete or
    return each disclosure it received in this case (section 8)."""

    agency_id: UUID
    ended_on: date
    reason: InvolvementEndReason
    note: Narrative | None = None


class DisposalConfirmation(Instruction):
    """The receiving agency confirms it deleted or returned what an obligation covers;
    `complete: false` records a partial confirmation and leaves the obligation open."""

    obligation_no: StrictInt = Field(ge=1)
    method: DisposalMethod
    disposed_on: date
    complete: StrictBool
    note: Narrative | None = None


class LegalHoldOrder(Instruction):
    """Keep the case's records as they are: suspends disposal obligations and erasure."""

    ground: LegalHoldGround
    reason: Line


class LegalHoldRelease(Instruction):
    """End the hold; open obligations fall due afresh from today."""

    reason: Line


class DisposalSteps(ReferralBase):
    """End of involvement, deletion or return of shared information, and legal holds."""

    def end_agency_involvement(
        self,
        audit: AuditEnvelope,
        ending: InvolvementEnding,
        *,
        agency: AgencyRef,
        working_days: int,
    ) -> None:
        involved = {ref.agency_id for ref in self._involved_agencies()}
        self._require(agency.agency_id in involved, rules.AGENCY_NOT_INVOLVED)
        ended = agency.agency_id in self.state.involvement_ended
        self._require(not ended, rules.INVOLVEMENT_ALREADY_ENDED)
        not_before(ending.ended_on, uk_date(self.state.received_at), "ended_on", "the referral")
        not_after(ending.ended_on, business_day(audit), "ended_on", "today")
        self._record(
            AgencyInvolvementEnded(
                **self._header(audit),
                agency=agency,
                ended_on=ending.ended_on,
                reason=ending.reason,
                note=ending.note,
            )
        )
        due_on = add_working_days(ending.ended_on, working_days)
        for disclosure in self.state.disclosures:
            if agency.agency_id not in {ref.agency_id for ref in disclosure.recipients}:
                continue
            self._record(
                DisposalObligationRaised(
                    **self._header(audit),
                    obligation_no=len(self.state.obligations) + 1,
                    disclosure_no=disclosure.disclosure_no,
                    agency=agency,
                    disclosing_agency=disclosure.disclosing_agency,
                    information_category=disclosure.information_category,
                    disclosed_at=disclosure.disclosed_at,
                    raised_on=ending.ended_on,
                    working_days=working_days,
                    due_on=due_on,
                )
            )

    def confirm_disposal(self, audit: AuditEnvelope, confirmation: DisposalConfirmation) -> None:
        obligation = self._obligation(confirmation.obligation_no)
        self._require(obligation.discharged_on is None, rules.OBLIGATION_ALREADY_DISCHARGED)
        if not acts_for(audit, obligation.agency):
            raise NotPermittedError(rules.RECIPIENT_CONFIRMS_DISPOSAL)
        self._require(self.state.legal_hold is None, rules.LEGAL_HOLD_IN_FORCE)
        not_before(
            confirmation.disposed_on, obligation.raised_on, "disposed_on", "the end of involvement"
        )
        not_after(confirmation.disposed_on, business_day(audit), "disposed_on", "today")
        self._record(
            DisposalConfirmed(
                **self._header(audit),
                obligation_no=confirmation.obligation_no,
                method=confirmation.method,
                disposed_on=confirmation.disposed_on,
                complete=confirmation.complete,
                certified_by=audit.actor_id,
                note=confirmation.note,
            )
        )

    def place_legal_hold(self, audit: AuditEnvelope, hold_order: LegalHoldOrder) -> None:
        self._require(self.state.legal_hold is None, rules.ONE_LEGAL_HOLD)
        self._record(
            LegalHoldPlaced(
                **self._header(audit),
                hold_no=self.state.legal_holds + 1,
                ground=hold_order.ground,
                reason=hold_order.reason,
            )
        )

    def lift_legal_hold(
        self, audit: AuditEnvelope, release: LegalHoldRelease, *, working_days: int
    ) -> None:
        hold = self.state.legal_hold
        self._require(hold is not None, rules.NO_LEGAL_HOLD)
        assert hold is not None  # noqa: S101 (checked by the rule above)
        still_open = any(o.discharged_on is None for o in self.state.obligations)
        due_on = add_working_days(business_day(audit), working_days) if still_open else None
        self._record(
            LegalHoldLifted(
                **self._header(audit),
                hold_no=hold.hold_no,
                obligations_due_on=due_on,
                reason=release.reason,
            )
        )

    def _propose_end_of_involvement(
        self, audit: AuditEnvelope, because: InvolvementEndReason
    ) -> None:
        """On exit, propose ending the involvement of every recipient still involved."""
        settled = set(self.state.involvement_ended) | set(self.state.involvement_end_proposed)
        for agency in self._recipients():
            if agency.agency_id not in settled:
                self._record(
                    AgencyInvolvementEndProposed(
                        **self._header(audit), agency=agency, because=because
                    )
                )

    def _involved_agencies(self) -> list[AgencyRef]:
        return [*self.state.invited_agencies, *self._recipients()]

    def _obligation(self, obligation_no: int) -> Obligation:
        for obligation in self.state.obligations:
            if obligation.obligation_no == obligation_no:
                return obligation
        raise InvalidInstructionError(
            "obligation_no", f"This referral has no disposal obligation number {obligation_no}."
        )
