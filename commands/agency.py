"""Commands of the agency directory and the Information Sharing Protocol register."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import StringConstraints

from commands.base import AgencyName, ChangeAgency, Command
from events.forms import ONE_LINE, Line
from events.vocabulary import AgencyType

IspVersion = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40), ONE_LINE
]


class RegisterAgency(Command):
    """Add an agency to the directory, with its type from the section 5 list."""

    name: AgencyName
    agency_type: AgencyType


class SignIsp(ChangeAgency):
    """Record the agency's signature of the Information Sharing Protocol and when it applies."""

    isp_version: IspVersion
    effective_from: date
    effective_until: date | None = None
    signatory_position: Line


class LapseIsp(ChangeAgency):
    """Record that the agency's signature stopped being valid on a day."""

    lapsed_on: date
    reason: Line
