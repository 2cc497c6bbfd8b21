"""The write side of the VTR process: one method per command, each load → decide → save."""

from __future__ import annotations

from typing import get_type_hints

from commands.base import Command
from commands.ledger_agencies import AgencyCommands
from commands.ledger_lifecycle import LifecycleCommands
from commands.ledger_section8 import SectionEightCommands


class ReferralLedger(LifecycleCommands, AgencyCommands, SectionEightCommands):
    """Records the VTR process: referrals, agencies and the sharing of information.

    Every change is attributed (who, role, agency, when, which command), names the version it
    was decided on, and may carry an idempotency key. See `commands.ledger_core` for the
    guarantees, and the mixins for the commands of each part of the process.
    """


def command_model(method_name: str) -> type[Command]:
    """The command class a ledger method takes, read from its signature, so scripts that
    issue commands by name need no table of their own."""
    model: type[Command] = get_type_hints(getattr(ReferralLedger, method_name))["command"]
    return model
