"""Steps of a dispute about a decision: raised, referred to the Head of Safeguarding and the
D/Superintendent, resolved (section 7)."""

from __future__ import annotations

from pydantic import Field, StrictInt

from aggregates import rules
from aggregates.instructions import Instruction, StaffRef
from aggregates.referral_base import (
    ReferralBase,
)
from events.base import AuditEnvelope
from events.dispute import DisputeRaised, DisputeReferred, DisputeResolved
from events.forms import Narrative
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
