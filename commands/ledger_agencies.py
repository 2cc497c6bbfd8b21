"""Commands of the agency directory and the ISP signature register."""

from __future__ import annotations

from uuid import UUID

from aggregates.agency import Agency, agency_id_for
from commands.agency import LapseIsp, RegisterAgency, SignIsp
from commands.context import Issued, Outcome
from commands.errors import AgencyNameTakenError, AgencyNotFoundError, ConcurrentChangeError
from commands.ledger_core import LedgerCore
from events.base import AuditEnvelope


class AgencyCommands(LedgerCore):
    """Register agencies, and record their Information Sharing Protocol signatures."""

    def register_agency(self, command: RegisterAgency, issued: Issued) -> Outcome:
        """An agency's id comes from its name (see `agency_id_for`), so a second agency of the
        same name collides with the first on save, however the two requests interleave."""
        agency_id = agency_id_for(command.name)

        def register(audit: AuditEnvelope) -> Agency:
            if self.agency_exists(agency_id):
                raise AgencyNameTakenError(agency_id)
            return Agency.register(agency_id, audit, command.name, command.agency_type)

        try:
            return self._create(command, issued, register)
        except ConcurrentChangeError:
            raise AgencyNameTakenError(agency_id) from None

    def agency_exists(self, agency_id: UUID) -> bool:
        try:
            self.agency(agency_id)
        except AgencyNotFoundError:
            return False
        return True

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
