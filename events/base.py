"""The base of every domain event: an immutable record with a stable topic and an audit envelope."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar, TypedDict
from uuid import UUID
from zoneinfo import ZoneInfo

from pydantic import AwareDatetime, BaseModel, ConfigDict

from events.vocabulary import Role

UK_TIME = ZoneInfo("Europe/London")


class AuditEnvelope(BaseModel):
    """Who did it, in which role and agency, when (business time), and as part of which command."""

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    actor_id: str
    actor_role: Role
    actor_agency: str
    # The directory id of the actor's agency; events recorded before agencies were
    # identified by id have none (their rules were checked by name at the time).
    actor_agency_id: UUID | None = None
    occurred_at: AwareDatetime
    command_id: UUID


class DomainEvent(BaseModel):
    """An immutable fact about one aggregate.

    `TOPIC` names the event in storage and never changes; `class_version` counts changes of
    its fields, and `upcast_v{n}_v{n+1}(state)` static methods bring older stored states up
    to date before validation.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    TOPIC: ClassVar[str]
    class_version: ClassVar[int] = 1
    # The field holding the date the step took place in the world, as the person stated it
    # (a review held, a consent given, a disposal done), where the process has one; the
    # recorded time is `audit.occurred_at`, always from the ledger's clock.
    EFFECTIVE: ClassVar[str | None] = None

    originator_id: UUID
    originator_version: int
    audit: AuditEnvelope

    @property
    def timestamp(self) -> datetime:
        return self.audit.occurred_at

    def effective_on(self) -> date | None:
        """The date the step took place in the world (UK date), if the event states one."""
        if self.EFFECTIVE is None:
            return None
        stated = getattr(self, self.EFFECTIVE)
        if isinstance(stated, datetime):
            return stated.astimezone(UK_TIME).date()
        return stated if isinstance(stated, date) else None

    @classmethod
    def upcast(cls, state: dict[str, Any], from_version: int) -> None:
        """Bring a stored state of `from_version` up to this class's version, in place."""
        for version in range(from_version, cls.class_version):
            getattr(cls, f"upcast_v{version}_v{version + 1}")(state)


class EventHeader(TypedDict):
    """What every new event of an aggregate needs besides its own fields."""

    originator_id: UUID
    originator_version: int
    audit: AuditEnvelope
