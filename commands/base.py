"""What every command shares: immutable, strict, and never echoing its input in errors."""

from __future__ import annotations

from pydantic import Field, StrictInt

from aggregates.instructions import Instruction


class Command(Instruction):
    """What the API is asked to do: a step's instruction, with the version where it changes
    something already recorded."""


class Change(Command):
    expected_version: StrictInt = Field(
        ge=1, description="The version this change was decided on; a stale one is refused."
    )


class ChangeReferral(Change):
    """A change to one referral."""


class ChangeAgency(Change):
    """A change to one agency of the directory."""
