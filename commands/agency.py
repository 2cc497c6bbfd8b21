"""Commands of the agency directory and the Information Sharing Protocol register."""

from __future__ import annotations

from uuid import UUID

from aggregates.agency import Agency, AgencyRegistration, IspLapse, IspSigning, agency_id_for
from commands.base import ChangeAgency, Command
from commands.context import Issued, Outcome
from commands.cycle import CommandCycle
from commands.errors import AgencyNameTakenError, AgencyNotFoundError, ConcurrentChangeError
from events.base import AuditEnvelope


class RegisterAgency(AgencyRegistration, Command):
    """Add an agency to the directory, with its type from the section 5 list."""


class SignIsp(IspSigning, ChangeAgency):
    """Record the agency's signature of the Information Sharing Protocol and when it applies."""


class LapseIsp(IspLapse, ChangeAgency):
    """Record that the agency's signature stopped being valid on a day."""


# Handlers


def register_agency(cycle: CommandCycle, command: RegisterAgency, issued: Issued) -> Outcome:
    """An agency's id comes from its name (see `agency_id_for`), so a second agency of the
    same name collides with the first on save, however the two requests interleave."""
    agency_id = agency_id_for(command.name)

    def register(audit: AuditEnvelope) -> Agency:
        if agency_exists(cycle, agency_id):
            raise AgencyNameTakenError(agency_id)
        return Agency.register(agency_id, audit, command)

    try:
        return cycle.create(command, issued, register)
    except ConcurrentChangeError:
        raise AgencyNameTakenError(agency_id) from None


def agency_exists(cycle: CommandCycle, agency_id: UUID) -> bool:
    try:
        cycle.agency(agency_id)
    except AgencyNotFoundError:
        return False
    return True


def sign_isp(cycle: CommandCycle, agency_id: UUID, command: SignIsp, issued: Issued) -> Outcome:
    return cycle.change_agency(
        agency_id,
        command,
        issued,
        lambda agency, audit: agency.sign_isp(audit, command),
    )


def lapse_isp(cycle: CommandCycle, agency_id: UUID, command: LapseIsp, issued: Issued) -> Outcome:
    return cycle.change_agency(
        agency_id,
        command,
        issued,
        lambda agency, audit: agency.lapse_isp(audit, command),
    )
