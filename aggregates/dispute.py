"""Steps of a dispute about a decision: raised, referred to the Head of Safeguarding and the
D/Superintendent, resolved (section 7)."""

from __future__ import annotations

from aggregates import rules
from aggregates.referral_base import (
    ReferralBase,
)
from events.base import AuditEnvelope
from events.dispute import DisputeRaised, DisputeReferred, DisputeResolved
from events.vocabulary import (
    DisputedDecision,
    DisputeOutcome,
)


class DisputeSteps(ReferralBase):
    def raise_dispute(
        self, audit: AuditEnvelope, disputed_decision: DisputedDecision, grounds: str
    ) -> None:
        self._require(self.state.open_dispute is None, rules.ONE_OPEN_DISPUTE)
        self._record(
            DisputeRaised(
                **self._header(audit),
                dispute_no=len(self.state.disputes) + 1,
                disputed_decision=disputed_decision,
                grounds=grounds,
            )
        )

    def refer_dispute(
        self,
        audit: AuditEnvelope,
        dispute_no: int,
        head_of_safeguarding: str,
        detective_superintendent: str,
    ) -> None:
        dispute = self._dispute(dispute_no)
        self._require(dispute.is_open, rules.DISPUTE_ALREADY_RESOLVED)
        self._require(dispute.referred_at is None, rules.DISPUTE_ALREADY_REFERRED)
        self._record(
            DisputeReferred(
                **self._header(audit),
                dispute_no=dispute_no,
                head_of_safeguarding=head_of_safeguarding,
                detective_superintendent=detective_superintendent,
            )
        )

    def resolve_dispute(
        self, audit: AuditEnvelope, dispute_no: int, outcome: DisputeOutcome, resolution: str
    ) -> None:
        dispute = self._dispute(dispute_no)
        self._require(dispute.is_open, rules.DISPUTE_ALREADY_RESOLVED)
        self._require(dispute.referred_at is not None, rules.DISPUTE_REFERRED_BEFORE_RESOLUTION)
        self._record(
            DisputeResolved(
                **self._header(audit), dispute_no=dispute_no, outcome=outcome, resolution=resolution
            )
        )
