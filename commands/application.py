"""The write side of the VTR process: one method per command, each load → decide → save."""

from __future__ import annotations

from commands.ledger_agencies import AgencyCommands
from commands.ledger_lifecycle import LifecycleCommands
from commands.ledger_sharing import SharingCommands


class ReferralLedger(LifecycleCommands, AgencyCommands, SharingCommands):
    """Records the VTR process: referrals, agencies and the sharing of information.

    Every change is attributed (who, role, agency, when, which command), names the version it
    was decided on, and may carry an idempotency key. See `commands.ledger_core` for the
    guarantees, and the mixins for the commands of each part of the process.
    """
