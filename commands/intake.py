"""Commands of intake and MASH triage."""

from __future__ import annotations

from uuid import UUID

from aggregates.intake import (
    InformationRequest,
    InformationReturn,
    ReferralForm,
    ScreeningIn,
    ScreeningOut,
)
from aggregates.referral import Referral
from commands.base import ChangeReferral, Command
from commands.context import Issued, Outcome
from commands.cycle import CommandCycle


class ReceiveReferral(ReferralForm, Command):
    """Record a completed referral form (Appendix A) as received by the MASH."""


class RecordSecurityChecks(ChangeReferral):
    """Record that the relevant security checks were completed (not what they found)."""


class RequestFurtherInformation(InformationRequest, ChangeReferral):
    """Pass the referral to the MASH Operational Desk for further information."""


class ReturnFurtherInformation(InformationReturn, ChangeReferral):
    """The MASH Operational Desk returns the further information triage asked for."""


class ScreenOutReferral(ScreeningOut, ChangeReferral):
    """Decide that the referral does not continue; 'other' needs the reason in words."""


class ScreenInReferral(ScreeningIn, ChangeReferral):
    """Triage screens the referral in: it goes on to a strategy discussion (section 5)."""


# Handlers


def receive_referral(cycle: CommandCycle, command: ReceiveReferral, issued: Issued) -> Outcome:
    return cycle.create(
        command,
        issued,
        lambda audit: Referral.receive(cycle.new_id(), audit, command),
    )


def record_security_checks(
    cycle: CommandCycle, referral_id: UUID, command: RecordSecurityChecks, issued: Issued
) -> Outcome:
    return cycle.change_referral(
        referral_id, command, issued, lambda referral, audit: referral.record_security_checks(audit)
    )
