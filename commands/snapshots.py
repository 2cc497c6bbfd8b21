"""Snapshots of a referral's state, so that loading a long case does not replay all of it.

A snapshot is the state folded through one event of the case, kept in the library's snapshot
table beside the events. It holds no personal data because the state holds none: personal
fields live only in the events, sealed (events/storage.py), and the snapshot stores the
state's own fields and nothing else.

A load reads the case's snapshot and the events from its version on, and uses the snapshot
only if all of these hold; otherwise it replays the case from its first event, as if there
were no snapshot:
- its topic names this code's state schema (`SCHEMA_VERSION`: the fold's revision and a
  digest of `ReferralState`'s JSON schema, so a changed state leaves older snapshots unused);
- it validates as that state, of this referral, at the snapshot's version;
- the log still holds, at that version and log position, the event it was folded through.
A load that folded `interval` events or more replaces the case's snapshot with its own. A
snapshot that cannot be written is skipped: it is a shortcut, never the record.

Of the library's snapshotting (eventsourcing 9.5.6) this uses the snapshot table, its
recorders and `EventStore`, but not `Repository.get`'s snapshot path: that hands whatever
the snapshot store returns to the projector and reads only the events after it, so a
snapshot that fails to decode fails the load, and a stale one cannot be told and replaced by
a full replay. Nor `snapshotting_intervals` / `take_snapshot`: they snapshot inside `save()`
after the events committed (a failure there raises from a save that succeeded, which our
retry handling would read as a collision) and reload the aggregate to do it; and the
library's `Snapshot.take` stores `vars()` of a library `Aggregate`, which `Referral` is not.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

import structlog
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import (
    EventStore,
    JSONTranscoder,
    Mapper,
    Notification,
    PersistenceError,
    StoredEvent,
)
from pydantic import BaseModel, ConfigDict, ValidationError

from aggregates.referral import Referral
from aggregates.referral_state import ReferralState
from commands.recorders import LedgerRecorder
from commands.snapshot_recorders import SnapshotRecorder
from events.storage import EventMapper

log = structlog.get_logger("vtr.snapshots")

# Raise it when `evolve` makes something else of the same events (the schema digest only
# notices changes of the state's shape).
FOLD_REVISION = 1
SNAPSHOT_INTERVAL = 20
# Cases whose last saved state a process keeps for their next change (the busiest ones).
REMEMBERED_CASES = 256
TOPIC_PREFIX = "vtr.referral.ReferralState@"


def schema_version(state_model: type[BaseModel]) -> str:
    schema = json.dumps(state_model.model_json_schema(), sort_keys=True)
    return f"{FOLD_REVISION}.{hashlib.sha256(schema.encode()).hexdigest()[:16]}"


SCHEMA_VERSION = schema_version(ReferralState)
SNAPSHOT_TOPIC = TOPIC_PREFIX + SCHEMA_VERSION


class UnusableSnapshotError(Exception):
    """A stored snapshot this code cannot trust; the message says why, never its content."""


@dataclass(frozen=True, slots=True)
class ReferralSnapshot:
    originator_id: UUID
    originator_version: int
    position: int  # the log position of the event at `originator_version`
    state: ReferralState


class _StoredSnapshot(BaseModel):
    model_config = ConfigDict(extra="forbid")

    position: int
    state: ReferralState


class SnapshotMapper(Mapper[UUID]):
    """Snapshots to stored rows and back; a row this code cannot use raises
    `UnusableSnapshotError`."""

    def __init__(self) -> None:
        super().__init__(transcoder=JSONTranscoder())

    def to_stored_event(self, domain_event: DomainEventProtocol[UUID]) -> StoredEvent:
        if not isinstance(domain_event, ReferralSnapshot):
            raise TypeError(f"{type(domain_event).__name__} is not a referral snapshot")
        stored = _StoredSnapshot(position=domain_event.position, state=domain_event.state)
        return StoredEvent(
            originator_id=domain_event.originator_id,
            originator_version=domain_event.originator_version,
            topic=SNAPSHOT_TOPIC,
            state=stored.model_dump_json().encode(),
        )

    def to_domain_event(self, stored_event: StoredEvent) -> ReferralSnapshot:
        if stored_event.topic != SNAPSHOT_TOPIC:
            raise UnusableSnapshotError(f"another state schema ({stored_event.topic})")
        try:
            stored = _StoredSnapshot.model_validate_json(stored_event.state)
        except ValidationError:
            raise UnusableSnapshotError("it does not validate as the state") from None
        referral_id = UUID(str(stored_event.originator_id))
        state = stored.state
        if (state.referral_id, state.version) != (referral_id, stored_event.originator_version):
            raise UnusableSnapshotError("its state is of another referral or version")
        return ReferralSnapshot(referral_id, state.version, stored.position, state)


class ReferralSnapshots:
    """Loads referrals from their snapshot and the events after it, and keeps snapshots."""

    def __init__(
        self,
        table: SnapshotRecorder,
        events: LedgerRecorder,
        mapper: EventMapper,
        interval: int = SNAPSHOT_INTERVAL,
    ) -> None:
        self.table = table
        self.interval = interval
        self._events = events
        self._mapper = mapper
        self._snapshots: EventStore[UUID] = EventStore(mapper=SnapshotMapper(), recorder=table)
        self._remembered: OrderedDict[UUID, ReferralSnapshot] = OrderedDict()
        self._remembered_lock = threading.Lock()

    def load(self, referral_id: UUID, *, to_change: bool = False) -> Referral | None:
        """The referral as its whole history makes it, or None when there is no such one.

        `to_change`: the caller will decide on it and hand it back through `remember` once
        saved, so it may take the one this process saved last, without reading or decoding a
        snapshot (the state is changed in place, so a remembered referral has one owner)."""
        snapshot = self._take_remembered(referral_id) if to_change else None
        if snapshot is None:
            snapshot = self.latest(referral_id)
        stored: Sequence[Notification] = []
        if snapshot is not None:
            stored = self._events.select_history(referral_id, gt=snapshot.originator_version - 1)
            if _folded_through(snapshot, stored):
                stored = stored[1:]
            else:
                log.info("snapshot_ignored", referral_id=str(referral_id), reason="stale")
                snapshot = None
        if snapshot is None:
            stored = self._events.select_history(referral_id)
        start = Referral(snapshot.state) if snapshot is not None else None
        referral = Referral.project(start, map(self._mapper.to_domain_event, stored))
        if referral is not None and len(stored) >= self.interval:
            self.keep(referral, stored[-1].id)
        return referral

    def remember(self, referral: Referral, position: int) -> None:
        """Keep a referral this process has just saved (`position`: its last event's), for the
        next change of the case; the log is still read from its version on, so a change made
        elsewhere meanwhile is folded in, and a stale one is noticed and replayed."""
        with self._remembered_lock:
            self._remembered[referral.id] = ReferralSnapshot(
                referral.id, referral.version, position, referral.state
            )
            self._remembered.move_to_end(referral.id)
            while len(self._remembered) > REMEMBERED_CASES:
                self._remembered.popitem(last=False)

    def _take_remembered(self, referral_id: UUID) -> ReferralSnapshot | None:
        with self._remembered_lock:
            return self._remembered.pop(referral_id, None)

    def latest(self, referral_id: UUID) -> ReferralSnapshot | None:
        """The case's newest snapshot, if this code can use it."""
        try:
            found = next(self._snapshots.get(referral_id, desc=True, limit=1), None)
        except UnusableSnapshotError as error:
            log.info("snapshot_ignored", referral_id=str(referral_id), reason=str(error))
            return None
        assert found is None or isinstance(found, ReferralSnapshot)  # noqa: S101 (our mapper)
        return found

    def keep(self, referral: Referral, position: int) -> None:
        """Make the referral's current state its snapshot (`position`: its last event's)."""
        snapshot = ReferralSnapshot(referral.id, referral.version, position, referral.state)
        try:
            self.table.replace_snapshot(self._snapshots.mapper.to_stored_event(snapshot))
        except PersistenceError as error:
            # A concurrent load stored the same version first, or the store refuses writes
            # for now (a read-only standby): the next long load tries again.
            log.info("snapshot_skipped", referral_id=str(referral.id), error=type(error).__name__)


def _folded_through(snapshot: ReferralSnapshot, stored: Sequence[Notification]) -> bool:
    return (
        bool(stored)
        and stored[0].originator_version == snapshot.originator_version
        and stored[0].id == snapshot.position
    )
