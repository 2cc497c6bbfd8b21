"""What one step of a scenario is: a command by name, who takes it, and its body.

A step is written before business time reaches it, so its times and dates may be given
relative to the moment it is taken (`FromNow`), and the staff it names by their part in the
process (`StaffOf`); the case resolves both when the step is taken.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID

from commands.context import Actor


class Part(StrEnum):
    """The parts people play in the process; a cast names who plays each."""

    TRIAGE = "triage"
    DESK = "desk"
    POLICE = "police"
    CHILDRENS_SERVICES = "childrens_services"
    ADULT_SOCIAL_SERVICES = "adult_social_services"
    CHAIR = "chair"
    HEAD_OF_SAFEGUARDING = "head_of_safeguarding"
    COMPLIANCE = "compliance"
    SECOND_COMPLIANCE = "second_compliance"


@dataclass(frozen=True)
class ActingFor:
    """Whoever the cast has acting for the named agency (a discloser, a recipient)."""

    agency: str


By = Part | ActingFor | Actor


@dataclass(frozen=True)
class FromNow:
    """A moment (or, `as_date`, a day) relative to business time when the step is taken."""

    days: float = 0
    hours: float = 0
    as_date: bool = False

    def at(self, now: datetime) -> str:
        moment = now + timedelta(days=self.days, hours=self.hours)
        return moment.date().isoformat() if self.as_date else moment.isoformat()


def today(days: float = 0) -> FromNow:
    return FromNow(days=days, as_date=True)


@dataclass(frozen=True)
class StaffOf:
    """The staff identifier of whoever plays `part` (a lead officer, a chair)."""

    part: Part


@dataclass(frozen=True)
class Step:
    """One command of the process: the ledger method (and route) `command`, taken by `by`,
    with `fields` as its JSON body (without `expected_version`, which the driver tracks).
    `about` is the agency a directory command changes."""

    command: str
    by: By
    fields: Mapping[str, Any] = field(default_factory=dict)
    about: UUID | None = None

    def but(self, **fields: Any) -> Step:
        """The same step with some fields changed (or added)."""
        return replace(self, fields={**self.fields, **fields})

    def without(self, *names: str) -> Step:
        return replace(self, fields={k: v for k, v in self.fields.items() if k not in names})

    def taken_by(self, by: By) -> Step:
        return replace(self, by=by)
