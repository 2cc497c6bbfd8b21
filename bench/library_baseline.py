"""The baseline: the bare `eventsourcing` library saving one event to an existing aggregate.

The event carries what ours carry in clear (who, role, agency, when, which command) and a
payload of similar size, so the difference is what the ledger adds: sealing, rules,
idempotency records and Pydantic validation.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from uuid import UUID, uuid4

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from api.settings import Settings
from bench.workload import STEPS, Measured

PAYLOAD = "x" * 160


class Note(Aggregate):
    @event("Opened")
    def __init__(self, agency: str, text: str) -> None:
        self.agency = agency
        self.notes = [text]

    @event("Noted")
    def note(
        self,
        actor_id: str,
        role: str,
        agency: str,
        occurred_at: datetime,
        command_id: UUID,
        text: str,
    ) -> None:
        self.notes.append(text)


class Notes(Application[UUID]):
    name = "benchlibrary"


class LibraryBench:
    def __init__(self, settings: Settings, per_round: int, rounds: int) -> None:
        env = settings.eventsourcing_env()
        env.pop("APPLICATION_RECORDER_TOPIC")
        self.app = Notes(env)
        self.batches = [[self._opened() for _ in range(per_round)] for _ in range(rounds)]

    def _opened(self) -> UUID:
        note = Note("Bench High School", PAYLOAD)
        self.app.save(note)
        return note.id

    def round(self, index: int) -> Measured:
        started = time.perf_counter()
        for _ in STEPS:
            for aggregate_id in self.batches[index]:
                note: Note = self.app.repository.get(aggregate_id)
                note.note(
                    "bench", "mash_triage", "Norfolk MASH", datetime.now(UTC), uuid4(), PAYLOAD
                )
                self.app.save(note)
        return Measured(len(self.batches[index]) * len(STEPS), time.perf_counter() - started)

    def close(self) -> None:
        self.app.close()
