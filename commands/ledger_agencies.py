"""Commands of the agency directory and the ISP signature register."""

from __future__ import annotations

from uuid import UUID

from aggregates.agency import Agency
from commands.agencies import LapseIsp, RegisterAgency, SignIsp
from commands.context import Issued, Outcome
from commands.ledger_core import LedgerCore
from events.base import AuditEnvelope


class AgencyCommands(LedgerCore):
    """Register agencies, and record their Information Sharing Protocol signatures."""

    def register_agency(self, command: RegisterAgency, issued: Issued) -> Outcome:
        return self._create(
            command,
            issued,
            lambda audit: Agency.register(self._new_id(), audit, command.name, command.agency_type),
        )

    def sign_isp(self, agency_id: UUID, command: SignIsp, issued: Issued) -> Outcome:
        def decide(agency: Agency, audit: AuditEnvelope) -> None:
            agency.sign_isp(
                audit,
                command.isp_version,
                command.effective_from,
                command.effective_until,
                command.signatory_position,
            )

        return self._change(agency_id, command, issued, decide, self.agency)

    def lapse_isp(self, agency_id: UUID, command: LapseIsp, issued: Issued) -> Outcome:
        def decide(agency: Agency, audit: AuditEnvelope) -> None:
            agency.lapse_isp(audit, command.lapsed_on, command.reason)

        return self._change(agency_id, command, issued, decide, self.agency)
