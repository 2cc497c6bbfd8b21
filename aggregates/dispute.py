"""Steps of a dispute about a decision: raised, referred to the Head of Safeguarding and the
D/Superintendent, resolved (section 7)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Self
from uuid import UUID

from pydantic import AwareDatetime, Field, StrictBool, StrictInt, model_validator

from aggregates import legal_bases, rules
from aggregates.calendar import uk_date
from aggregates.errors import InvalidInstructionError
from aggregates.instructions import Instruction, StaffRef
from aggregates.referral_base import ReferralBase, not_after
from aggregates.sharing import Code, HandlingAdvice
from events.base import AuditEnvelope
from events.dispute import DisputePackDisclosed, DisputeRaised, DisputeReferred, DisputeResolved
from events.forms import AgencyRef, LegalBasisRef, Line, Narrative
from events.vocabulary import (
    DisputedDecision,
    DisputeOutcome,
)


class DisputeGrounds(Instruction):
    """A disagreement with a decision on the case, to be referred under section 7."""

    disputed_decision: DisputedDecision
    grounds: Narrative


class DisputeReferral(Instruction):
    """Refer a dispute to the Head of Safeguarding and the D/Superintendent (section 7)."""

    dispute_no: StrictInt = Field(ge=1)
    head_of_safeguarding: StaffRef
    detective_superintendent: StaffRef


class DisputeResolution(Instruction):
    """Record how the Head of Safeguarding and the D/Superintendent resolved a dispute."""

    dispute_no: StrictInt = Field(ge=1)
    outcome: DisputeOutcome
    resolution: Narrative


class DisputePackRequest(Instruction):
    """Disclose the case as a dispute pack: a ZIP an outsider can check without trusting us.

    The requester is an agency of the directory (register the ICO, a tribunal or a court as an
    external body first). The purpose and handling advice stay readable in the registers, so
    they must not contain personal data. Third parties' data is redacted unless the request
    reveals it, with the reason."""

    requester_agency_id: UUID
    purpose: Line = Field(
        description="Why the case is disclosed; readable in the registers, so no personal data."
    )
    legal_basis_ids: tuple[Code, ...] = Field(min_length=1, max_length=10)
    handling_advice: HandlingAdvice
    as_of: AwareDatetime | None = Field(
        default=None, description="The case as the ledger knew it then (default: now)."
    )
    reveal_third_parties: StrictBool = False
    third_party_reason: Narrative | None = Field(
        default=None, description="Why third parties' data must be shown (kept sealed)."
    )

    @model_validator(mode="after")
    def _third_parties_with_a_reason(self) -> Self:
        if self.reveal_third_parties != (self.third_party_reason is not None):
            raise InvalidInstructionError(
                "third_party_reason",
                "Give a reason exactly when revealing third parties' data.",
            )
        return self


@dataclass(frozen=True)
class DisputePackParties:
    """What the handler looks up for a pack: its id, both agencies on the day, and the ids of
    the case's data keys that go with it."""

    pack_id: UUID
    disclosing_agency: AgencyRef
    requester: AgencyRef
    carried_key_ids: tuple[str, ...]


class DisputeSteps(ReferralBase):
    def raise_dispute(self, audit: AuditEnvelope, raised: DisputeGrounds) -> None:
        self._require(self.state.open_dispute is None, rules.ONE_OPEN_DISPUTE)
        self._record(
            DisputeRaised(
                **self._header(audit),
                dispute_no=len(self.state.disputes) + 1,
                disputed_decision=raised.disputed_decision,
                grounds=raised.grounds,
            )
        )

    def refer_dispute(self, audit: AuditEnvelope, referral_to: DisputeReferral) -> None:
        dispute = self._dispute(referral_to.dispute_no)
        self._require(dispute.is_open, rules.DISPUTE_ALREADY_RESOLVED)
        self._require(dispute.referred_at is None, rules.DISPUTE_ALREADY_REFERRED)
        self._record(
            DisputeReferred(
                **self._header(audit),
                dispute_no=referral_to.dispute_no,
                head_of_safeguarding=referral_to.head_of_safeguarding,
                detective_superintendent=referral_to.detective_superintendent,
            )
        )

    def resolve_dispute(self, audit: AuditEnvelope, decision: DisputeResolution) -> None:
        dispute = self._dispute(decision.dispute_no)
        self._require(dispute.is_open, rules.DISPUTE_ALREADY_RESOLVED)
        self._require(dispute.referred_at is not None, rules.DISPUTE_REFERRED_BEFORE_RESOLUTION)
        self._record(
            DisputeResolved(
                **self._header(audit),
                dispute_no=decision.dispute_no,
                outcome=decision.outcome,
                resolution=decision.resolution,
            )
        )

    def disclose_dispute_pack(
        self, audit: AuditEnvelope, request: DisputePackRequest, *, parties: DisputePackParties
    ) -> None:
        as_of = request.as_of or audit.occurred_at
        self._check_pack_moment(as_of, audit.occurred_at)
        self._record(
            DisputePackDisclosed(
                **self._header(audit),
                pack_no=self.state.dispute_packs + 1,
                pack_id=parties.pack_id,
                as_of=as_of,
                disclosing_agency=parties.disclosing_agency,
                requester=parties.requester,
                purpose=request.purpose,
                legal_bases=self._bases_in_force(
                    request.legal_basis_ids, uk_date(audit.occurred_at)
                ),
                handling_advice=request.handling_advice,
                reveals_third_parties=request.reveal_third_parties,
                third_party_reason=request.third_party_reason,
                carried_key_ids=parties.carried_key_ids,
            )
        )

    def _check_pack_moment(self, as_of: datetime, now: datetime) -> None:
        not_after(as_of, now, "as_of", "the time the pack is made")
        if as_of < self.state.recorded_at:
            raise InvalidInstructionError(
                "as_of", "as_of is before the referral was recorded: the ledger knew nothing."
            )

    def _bases_in_force(self, entry_ids: tuple[str, ...], day: date) -> tuple[LegalBasisRef, ...]:
        bases = legal_bases.cited(entry_ids)
        for basis in bases:
            self._require(
                basis.in_force_on(day), rules.legal_basis_not_in_force(basis.entry_id, str(day))
            )
        return tuple(basis.as_relied_on() for basis in bases)
