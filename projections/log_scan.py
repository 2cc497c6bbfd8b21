"""Reading a whole stored log once, in order, row by row, for verification.

The event table is read with plain SQL, not through the library: what is checked is what
the table holds. PostgreSQL streams it through a server-side cursor (a long log never sits
in memory); SQLite through one read transaction, a page of rows at a time.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder
from psycopg.sql import SQL, Identifier

from events.integrity.entries import StoredRecord

PAGE = 5000


def scan_stored_events(recorder: ApplicationRecorder) -> Iterator[StoredRecord]:
    """Every row of the event table, in position order, exactly as stored."""
    if isinstance(recorder, PostgresApplicationRecorder):
        yield from _scan_postgres(recorder)
    elif isinstance(recorder, SQLiteApplicationRecorder):
        yield from _scan_sqlite(recorder)
    else:
        raise TypeError(f"cannot scan a {type(recorder).__name__}")


def _scan_postgres(recorder: PostgresApplicationRecorder) -> Iterator[StoredRecord]:
    datastore = recorder.datastore
    query = SQL(
        "SELECT notification_id, originator_id, originator_version, topic, state "
        "FROM {0}.{1} ORDER BY notification_id"
    ).format(Identifier(datastore.schema), Identifier(recorder.events_table_name))
    # A named cursor is a server-side cursor: rows arrive a page at a time.
    with (
        datastore.get_connection() as conn,
        conn.transaction(),
        conn.cursor(name="vtr_verify_scan") as cursor,
    ):
        cursor.itersize = PAGE
        cursor.execute(query)
        yield from (_record(row) for row in cursor)


def _scan_sqlite(recorder: SQLiteApplicationRecorder) -> Iterator[StoredRecord]:
    # SQLite numbers the log with the table's rowid (see the library's recorder).
    query = (
        "SELECT rowid AS notification_id, originator_id, originator_version, topic, state "  # noqa: S608 (the recorder's own table name)
        f"FROM {recorder.events_table_name} WHERE rowid > ? ORDER BY rowid LIMIT {PAGE}"
    )
    after = 0
    with recorder.datastore.transaction(commit=False) as cursor:
        while True:
            cursor.execute(query, (after,))
            rows = cursor.fetchall()
            yield from (_record(row) for row in rows)
            if len(rows) < PAGE:
                return
            after = int(rows[-1]["notification_id"])


def _record(row: Any) -> StoredRecord:
    return StoredRecord(
        int(row["notification_id"]),
        UUID(str(row["originator_id"])),
        int(row["originator_version"]),
        str(row["topic"]),
        bytes(row["state"]),
    )
