"""Where referral snapshots are kept: the library's snapshot table (`stored_snapshots` in
SQLite, `<name>_snapshots` in PostgreSQL, created by its aggregate recorder) in the same
database as the events, with the one operation the library lacks: replacing a case's
snapshot, so a long case keeps one row rather than one per snapshot it ever had.
"""

from __future__ import annotations

from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder, StoredEvent
from eventsourcing.postgres import PostgresAggregateRecorder, PostgresDatastore
from eventsourcing.sqlite import SQLiteAggregateRecorder, SQLiteDatastore
from psycopg.sql import SQL, Identifier

from commands.recorders import PostgresLedgerRecorder, SQLiteLedgerRecorder, bounded


class SQLiteSnapshotRecorder(SQLiteAggregateRecorder):
    def __init__(self, datastore: SQLiteDatastore) -> None:
        super().__init__(datastore, events_table_name="stored_snapshots")
        self._delete_case = "DELETE FROM stored_snapshots WHERE originator_id=?"

    def replace_snapshot(self, snapshot: StoredEvent) -> None:
        referral_id = snapshot.originator_id
        key = referral_id.hex if isinstance(referral_id, UUID) else referral_id
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(self._delete_case, (key,))
            curs.execute(
                self.insert_events_statement,
                (key, snapshot.originator_version, snapshot.topic, snapshot.state),
            )


class PostgresSnapshotRecorder(PostgresAggregateRecorder):
    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str) -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        self._delete_case = SQL("DELETE FROM {0}.{1} WHERE originator_id=%s").format(
            Identifier(datastore.schema), Identifier(events_table_name)
        )

    # Bounded like the event store's reads: an outage answers 503 at once, not after retries.
    select_events = bounded(PostgresAggregateRecorder.select_events)

    def replace_snapshot(self, snapshot: StoredEvent) -> None:
        row = self.construct_pg_stored_event(
            snapshot.originator_id, snapshot.originator_version, snapshot.topic, snapshot.state
        )
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(self._delete_case, (snapshot.originator_id,))
            curs.execute(self.insert_events_statement, ([row],))


SnapshotRecorder = SQLiteSnapshotRecorder | PostgresSnapshotRecorder


def snapshot_recorder_beside(events: ApplicationRecorder) -> SnapshotRecorder:
    """The snapshot table in the database of `events`, created if it is missing."""
    recorder: SnapshotRecorder
    if isinstance(events, SQLiteLedgerRecorder):
        recorder = SQLiteSnapshotRecorder(events.datastore)
    elif isinstance(events, PostgresLedgerRecorder):
        prefix = events.events_table_name.removesuffix("_events")
        recorder = PostgresSnapshotRecorder(
            events.datastore, events_table_name=f"{prefix}_snapshots"
        )
    else:
        raise TypeError(f"no snapshot table for {type(events).__name__}")
    recorder.create_table()
    return recorder
