"""Who issued a command, and what came of it."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from aggregates.agency import agency_id_for
from events.vocabulary import Role


@dataclass(frozen=True, slots=True)
class Actor:
    """An authenticated person acting in one role for one agency.

    The agency's id (from the directory) is what rules compare; its name is carried for
    people reading the record.
    """

    actor_id: str
    role: Role
    agency: str
    agency_id: UUID | None = None

    @classmethod
    def for_agency(cls, actor_id: str, role: Role, agency: str) -> Actor:
        """A person acting for the agency the directory knows by `agency` (its id derives
        from the name: `aggregates.agency.agency_id_for`)."""
        return cls(actor_id, role, agency, agency_id_for(agency))


@dataclass(frozen=True, slots=True)
class Issued:
    """The attribution of one command, and the key that recognises a retry of it."""

    actor: Actor
    command_id: UUID
    idempotency_key: str | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a command recorded: the aggregate's new version and the last event's log position."""

    aggregate_id: UUID
    version: int
    position: int
    events: tuple[str, ...]
    replayed: bool = False
