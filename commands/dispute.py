"""Commands of the conclusion of the process, post-exit reviews and disputes."""

from __future__ import annotations

from uuid import UUID

from aggregates.dispute import (
    DisputeGrounds,
    DisputePackParties,
    DisputePackRequest,
    DisputeReferral,
    DisputeResolution,
)
from aggregates.errors import InvalidInstructionError
from aggregates.referral import Referral
from commands.base import ChangeReferral
from commands.context import Issued, Outcome
from commands.cycle import CommandCycle
from commands.keyring import KeyRing
from events.base import AuditEnvelope
from events.personal import KeyGroup

# The key groups a dispute pack reveals: the subject's, the referrer's and the controller's
# reasoning always; third parties' only when the request says why.
PACK_GROUPS = (KeyGroup.SUBJECT, KeyGroup.REFERRER, KeyGroup.CONTROLLER)


class RaiseDispute(DisputeGrounds, ChangeReferral):
    """A disagreement with a decision on the case, to be referred under section 7."""


class ReferDispute(DisputeReferral, ChangeReferral):
    """Refer a dispute to the Head of Safeguarding and the D/Superintendent (section 7)."""


class ResolveDispute(DisputeResolution, ChangeReferral):
    """Record how the Head of Safeguarding and the D/Superintendent resolved a dispute."""


class DiscloseDisputePack(DisputePackRequest, ChangeReferral):
    """Disclose the case as a dispute pack (a ZIP with a signed manifest, the stored and the
    revealed events, proofs and the case's data keys for what it reveals)."""


def disclose_dispute_pack(
    cycle: CommandCycle,
    keyring: KeyRing,
    referral_id: UUID,
    command: DiscloseDisputePack,
    issued: Issued,
) -> Outcome:
    requester = cycle.agency_ref(command.requester_agency_id, "requester_agency_id")

    def decide(referral: Referral, audit: AuditEnvelope) -> None:
        if audit.actor_agency_id is None:
            raise InvalidInstructionError(
                "disclosing_agency", "Only someone acting for an agency discloses a case."
            )
        groups = {*PACK_GROUPS, *([KeyGroup.THIRD_PARTY] if command.reveal_third_parties else [])}
        live = keyring.live_key_ids(referral_id)
        parties = DisputePackParties(
            pack_id=cycle.new_id(),
            disclosing_agency=cycle.agency_ref(audit.actor_agency_id, "disclosing_agency"),
            requester=requester,
            carried_key_ids=tuple(sorted(key for group, key in live.items() if group in groups)),
        )
        referral.disclose_dispute_pack(audit, command, parties=parties)

    return cycle.change_referral(referral_id, command, issued, decide)
