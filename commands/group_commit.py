"""Group commit: concurrent commands share one transaction, and so one flush of the WAL.

Every write takes the events table's EXCLUSIVE lock (log order = commit order), so writers
queue behind one another and each pays a commit of its own. Here the first caller to find no
writer at work becomes the writer: it begins, takes the lock, and only then takes every
command waiting (so those that arrived while it waited for the lock join in), writes them
each in a savepoint of its own, commits once and hands the writing on to the next waiter, if
any. A command whose versions (or idempotency key) are
taken rolls back to its savepoint and alone gets the library's IntegrityError; its
neighbours commit. The whole batch becomes visible at one commit, its notification ids
issued under the lock, so the log's order is still the order of commits.

When the batch's transaction fails otherwise (a connection lost, the COMMIT's answer among
it), each command of the batch is tried once more on its own, as the one-by-one path retries
a broken connection once: a command the lost COMMIT did store then meets its own versions and
is found by its command id, as it would have been alone.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg
from eventsourcing.persistence import (
    IntegrityError,
    InterfaceError,
    OperationalError,
    PersistenceError,
    StoredEvent,
)
from eventsourcing.postgres import PostgresAggregateRecorder, PostgresApplicationRecorder
from psycopg import Connection, Cursor
from psycopg.rows import DictRow
from psycopg_pool import PoolTimeout

from commands.recorders import IdempotencyRecord, PostgresLedgerRecorder, _record_row

# The most commands one transaction writes (the rest wait for the next).
MAX_BATCH = 64
# The library's write, without its ten-attempt retry: a command of a failed batch gets one.
_write_alone = PostgresApplicationRecorder.insert_events.__wrapped__


@dataclass(slots=True, eq=False)
class _Pending:
    """One caller's command waiting for the writer: its outcome, or an error for it alone."""

    stored_events: Sequence[StoredEvent]
    kwargs: dict[str, Any]
    woken: threading.Event = field(default_factory=threading.Event)
    done: bool = False
    notification_ids: Sequence[int] | None = None
    error: BaseException | None = None
    alone: bool = False  # the batch failed: write once more, on its own

    def finish(self, ids: Sequence[int] | None = None, error: BaseException | None = None) -> None:
        self.notification_ids, self.error, self.done = ids, error, True
        self.woken.set()


class GroupCommitLedgerRecorder(PostgresLedgerRecorder):
    """The ledger's PostgreSQL recorder, writing concurrent commands in shared transactions."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._queue: list[_Pending] = []
        self._queue_lock = threading.Lock()
        self._writing = False
        self.batches_committed = 0  # for tests and benchmarks: transactions that committed

    @property
    def waiting(self) -> int:
        """Commands queued behind the batch being written."""
        with self._queue_lock:
            return len(self._queue)

    @property
    def writing(self) -> bool:
        with self._queue_lock:
            return self._writing

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        pending = _Pending(stored_events, kwargs)
        with self._queue_lock:
            self._queue.append(pending)
            lead, self._writing = not self._writing, True
        if not lead:
            pending.woken.wait()
        if not pending.done:
            self._write_waiting()
        if pending.alone:
            # The batch's attempt was this command's first; this is its one retry.
            notification_ids: Sequence[int] | None = _write_alone(self, stored_events, **kwargs)
            return notification_ids
        if pending.error is not None:
            raise pending.error
        return pending.notification_ids

    def _write_waiting(self) -> None:
        """Write the waiting commands in one transaction, then hand the writing on."""
        batch: list[_Pending] = []
        try:
            self._write(batch)
        finally:
            with self._queue_lock:
                if not batch:  # failed before it took them: all that wait are this batch
                    batch[:], self._queue = self._queue, []
                if self._queue:
                    self._queue[0].woken.set()  # the next writer: it finds itself not done
                else:
                    self._writing = False
            for pending in batch:
                if not pending.done:  # the transaction failed: each tries once more, alone
                    pending.alone = True
                    pending.finish()

    def _write(self, batch: list[_Pending]) -> None:
        """Write (and answer) the batch, taken into `batch`; unanswered if it failed."""
        try:
            with self.datastore.get_connection() as conn:
                self._commit_batch(conn, batch)
        except (OperationalError, InterfaceError) as error:
            if isinstance(error.__cause__, PoolTimeout):
                # No connection to try with: answered as the one-by-one path answers.
                with self._queue_lock:
                    batch[:], self._queue = [*batch, *self._queue], []
                for pending in batch:
                    pending.finish(error=error)
            return
        except PersistenceError:
            return
        self.batches_committed += 1
        for pending in batch:
            pending.finish(pending.notification_ids, pending.error)

    def _commit_batch(self, conn: Connection[DictRow], batch: list[_Pending]) -> None:
        with conn.transaction(), conn.cursor() as curs:
            self._lock_table(curs)
            # Taken once the lock is held: whatever arrived while it was awaited joins in.
            with self._queue_lock:
                batch[:], self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
            self._notify_channel(curs)
            for pending in batch:
                try:
                    with conn.transaction():  # a savepoint: a conflict undoes this one only
                        pending.notification_ids = self._insert_one(curs, pending)
                except psycopg.IntegrityError as error:
                    pending.error = IntegrityError(str(error))

    def _insert_one(self, curs: Cursor[DictRow], pending: _Pending) -> Sequence[int] | None:
        record: IdempotencyRecord | None = pending.kwargs.get("idempotency")
        if record is not None:
            curs.execute(self._insert_record, _record_row(record, record.aggregate_id))
        if not pending.stored_events:
            return None
        # The events alone: the lock and the notification were taken once for the batch.
        PostgresAggregateRecorder._insert_stored_events(self, curs, pending.stored_events)  # noqa: SLF001
        return [row["notification_id"] for row in curs.fetchall()]
