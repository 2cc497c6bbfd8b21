"""What every command shares: immutable, strict, and never echoing its input in errors."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

StaffRef = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$"),
    Field(description="A staff identifier from the identity directory, never a person's name."),
]
AgencyName = Annotated[str, StringConstraints(min_length=1, max_length=120)]


class Command(BaseModel):
    model_config = ConfigDict(
        frozen=True, extra="forbid", hide_input_in_errors=True, str_strip_whitespace=True
    )


class Change(Command):
    expected_version: int = Field(
        ge=1, description="The version this change was decided on; a stale one is refused."
    )


class ChangeReferral(Change):
    """A change to one referral."""


class ChangeAgency(Change):
    """A change to one agency of the directory."""
