"""What every aggregate of the ledger is to the application: an id, a version, and the events
it decided and has not yet saved. Its state changes only by an event it records."""

from __future__ import annotations

from abc import ABC, abstractmethod
from uuid import UUID

from events.base import AuditEnvelope, DomainEvent, EventHeader


class Aggregate(ABC):
    """An aggregate whose every change is a recorded event, held until the application saves it."""

    def __init__(self) -> None:
        self._pending: list[DomainEvent] = []

    @property
    @abstractmethod
    def id(self) -> UUID: ...

    @property
    @abstractmethod
    def version(self) -> int: ...

    @property
    def pending_events(self) -> tuple[DomainEvent, ...]:
        """The events decided but not yet saved."""
        return tuple(self._pending)

    def collect_events(self) -> list[DomainEvent]:
        """Hand the pending events to the application's save (the library's protocol)."""
        collected, self._pending = self._pending, []
        return collected

    def _header(self, audit: AuditEnvelope) -> EventHeader:
        return {"originator_id": self.id, "originator_version": self.version + 1, "audit": audit}

    def _record(self, event: DomainEvent) -> None:
        self._apply(event)
        self._pending.append(event)

    @abstractmethod
    def _apply(self, event: DomainEvent) -> None:
        """Change the state as `event` says: the only way the state changes."""
