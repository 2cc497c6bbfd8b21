"""Event-store recorders that keep idempotency records in the same transaction as the events.

A retried command is recognised by its (actor, idempotency key) pair. The record is written
with the events it produced, so either both exist or neither does; a concurrent duplicate
fails on the record's primary key and rolls back its events too.

An erasure keeps each record of the case as a tombstone: who used which key for which
command on which case, without the fingerprint (a keyed digest of a command that may have
carried the erased data). The key stays used, so a late retry meets the tombstone instead
of recording the data again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial, wraps
from typing import Any, Protocol, TypeVar, runtime_checkable
from uuid import UUID

from eventsourcing.persistence import (
    InterfaceError,
    Notification,
    OperationalError,
    StoredEvent,
)
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor, SQLiteDatastore
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier
from psycopg_pool import PoolTimeout

from events.statements import POSTGRES, SQLITE, sqlite_statement

Result = TypeVar("Result")


@dataclass(frozen=True, slots=True)
class IdempotencyRecord:
    """The first outcome of a command that carried an idempotency key; a tombstone (no
    fingerprint) once the case's personal data was erased."""

    actor_id: str
    idempotency_key: str
    command: str
    fingerprint: str | None
    aggregate_id: UUID
    first_version: int
    last_version: int


@runtime_checkable
class LedgerRecorder(Protocol):
    """What the ledger needs from its recorder beyond the library's application recorder."""

    def find_idempotency_record(
        self, actor_id: str, idempotency_key: str
    ) -> IdempotencyRecord | None: ...

    def select_history(
        self, originator_id: UUID, gt: int = 0, lte: int | None = None
    ) -> list[Notification]:
        """A referral's stored events with their positions in the log, oldest first."""
        ...

    def count_events(self) -> int: ...

    def check_writable(self) -> None:
        """Raise unless an event could be written now (readiness); writes nothing."""
        ...

    def tombstone_idempotency_records(self, aggregate_id: UUID) -> None:
        """Keep the aggregate's idempotency records as tombstones: their keyed digests of
        commands that carried personal data must not outlive an erasure of it."""
        ...

    def read_ledger_id(self) -> UUID | None:
        """The identity of the ledger this event store belongs to (also written in its key
        store); None before it was written."""
        ...

    def write_ledger_id(self, ledger_id: UUID) -> UUID:
        """Write the ledger identity unless one is there; returns the one the store holds."""
        ...

    def holds_sealed_events(self) -> bool:
        """Whether any stored event holds a sealed field (so needs a key from the key store)."""
        ...

    def migrated_through(self, migration: str) -> int:
        """The log position up to which a one-off migration of stored events has run."""
        ...

    def record_migrated_through(self, migration: str, position: int) -> None: ...

    def replace_event_state(self, stored: StoredEvent, state: bytes) -> bool:
        """Rewrite one stored event's state, if it still holds `stored.state` (so a
        migration running twice at once writes once); False when it did not."""
        ...


_COLUMNS = (
    "actor_id",
    "idempotency_key",
    "command",
    "fingerprint",
    "aggregate_id",
    "first_version",
    "last_version",
)


# One row at most: an event store belongs to one ledger, for good.
_IDENTITY_COLUMNS = (
    "id INTEGER PRIMARY KEY CHECK (id = 1), ledger_id TEXT NOT NULL, created_at TEXT NOT NULL"
)
# How a sealed field starts in a stored event's JSON (see events/storage.py).
SEALED_MARK = '"$sealed"'


# The column predates tombstones and is NOT NULL: an empty fingerprint marks a tombstone.
TOMBSTONE = ""


def _record_row(record: IdempotencyRecord, aggregate_id: object) -> tuple[object, ...]:
    return (
        record.actor_id,
        record.idempotency_key,
        record.command,
        TOMBSTONE if record.fingerprint is None else record.fingerprint,
        aggregate_id,
        record.first_version,
        record.last_version,
    )


def _record_from(row: Any, aggregate_id: UUID) -> IdempotencyRecord:
    return IdempotencyRecord(
        actor_id=row["actor_id"],
        idempotency_key=row["idempotency_key"],
        command=row["command"],
        fingerprint=row["fingerprint"] or None,
        aggregate_id=aggregate_id,
        first_version=row["first_version"],
        last_version=row["last_version"],
    )


def _hex(originator_id: UUID | str) -> str:
    """An originator id as the SQLite recorder stores it."""
    return originator_id.hex if isinstance(originator_id, UUID) else originator_id


class SQLiteLedgerRecorder(SQLiteApplicationRecorder):
    idempotency_table = "idempotency_records"
    migrations_table = "migrations"
    identity_table = "ledger_identity"

    def __init__(self, datastore: SQLiteDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        sql = partial(
            sqlite_statement,
            events=self.events_table_name,
            records=self.idempotency_table,
            migrations=self.migrations_table,
            identity=self.identity_table,
            columns=_COLUMNS,
        )
        self._insert_record = sql(
            "INSERT INTO {records} ({columns}) VALUES ({marks})", marks=SQLITE.marks(7)
        )
        self._select_record = sql(
            "SELECT {columns} FROM {records} WHERE actor_id=? AND idempotency_key=?"
        )
        self._select_history = sql(
            "SELECT rowid, * FROM {events} "
            "WHERE originator_id=? AND originator_version>? AND originator_version<=? "
            "ORDER BY originator_version"
        )
        self._count_events = sql("SELECT COUNT(*) FROM {events}")
        self._touch_events = sql("UPDATE {events} SET topic = topic WHERE 0")
        self._tombstone_records = sql("UPDATE {records} SET fingerprint=? WHERE aggregate_id=?")
        self._read_identity = sql("SELECT ledger_id FROM {identity} WHERE id = 1")
        self._write_identity = sql(
            "INSERT INTO {identity} (id, ledger_id, created_at) "
            "VALUES (1, ?, datetime('now')) ON CONFLICT DO NOTHING"
        )
        self._any_sealed = sql("SELECT 1 FROM {events} WHERE instr(state, ?) > 0 LIMIT 1")
        self._migrated_through = sql("SELECT position FROM {migrations} WHERE name=?")
        self._record_migrated_through = sql(
            "INSERT INTO {migrations} (name, position) VALUES (?, ?) "
            "ON CONFLICT (name) DO UPDATE SET position=excluded.position"
        )
        self._replace_state = sql(
            "UPDATE {events} SET state=? WHERE originator_id=? AND originator_version=? AND state=?"
        )

    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            (
                f"CREATE TABLE IF NOT EXISTS {self.idempotency_table} ("
                "actor_id TEXT NOT NULL, idempotency_key TEXT NOT NULL, command TEXT NOT NULL, "
                "fingerprint TEXT NOT NULL, aggregate_id TEXT NOT NULL, "
                "first_version INTEGER NOT NULL, last_version INTEGER NOT NULL, "
                "PRIMARY KEY (actor_id, idempotency_key)) WITHOUT ROWID"
            ),
            (
                f"CREATE TABLE IF NOT EXISTS {self.migrations_table} ("
                "name TEXT PRIMARY KEY, position INTEGER NOT NULL) WITHOUT ROWID"
            ),
            f"CREATE TABLE IF NOT EXISTS {self.identity_table} ({_IDENTITY_COLUMNS})",
        ]

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        notification_ids = super()._insert_events(c, stored_events, **kwargs)
        record: IdempotencyRecord | None = kwargs.get("idempotency")
        if record is not None:
            c.execute(self._insert_record, _record_row(record, record.aggregate_id.hex))
        return notification_ids

    def find_idempotency_record(
        self, actor_id: str, idempotency_key: str
    ) -> IdempotencyRecord | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(self._select_record, (actor_id, idempotency_key))
            row = c.fetchone()
        return None if row is None else _record_from(row, UUID(row["aggregate_id"]))

    def select_history(
        self, originator_id: UUID, gt: int = 0, lte: int | None = None
    ) -> list[Notification]:
        upper = lte if lte is not None else 2**62
        with self.datastore.transaction(commit=False) as c:
            c.execute(self._select_history, (originator_id.hex, gt, upper))
            return [
                Notification(
                    id=row["rowid"],
                    originator_id=UUID(row["originator_id"]),
                    originator_version=row["originator_version"],
                    topic=row["topic"],
                    state=row["state"],
                )
                for row in c.fetchall()
            ]

    def count_events(self) -> int:
        with self.datastore.transaction(commit=False) as c:
            c.execute(self._count_events)
            return int(c.fetchone()[0])

    def check_writable(self) -> None:
        # An UPDATE of no row takes the write lock (a writable file, journal and folder) and
        # is rolled back.
        with self.datastore.transaction(commit=False) as c:
            c.execute(self._touch_events)

    def tombstone_idempotency_records(self, aggregate_id: UUID) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute(self._tombstone_records, (TOMBSTONE, aggregate_id.hex))

    def read_ledger_id(self) -> UUID | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(self._read_identity)
            row = c.fetchone()
        return None if row is None else UUID(row["ledger_id"])

    def write_ledger_id(self, ledger_id: UUID) -> UUID:
        with self.datastore.transaction(commit=True) as c:
            c.execute(self._write_identity, (str(ledger_id),))
            c.execute(self._read_identity)
            return UUID(c.fetchone()["ledger_id"])

    def holds_sealed_events(self) -> bool:
        with self.datastore.transaction(commit=False) as c:
            c.execute(self._any_sealed, (SEALED_MARK.encode(),))
            return c.fetchone() is not None

    def migrated_through(self, migration: str) -> int:
        with self.datastore.transaction(commit=False) as c:
            c.execute(self._migrated_through, (migration,))
            row = c.fetchone()
        return 0 if row is None else int(row["position"])

    def record_migrated_through(self, migration: str, position: int) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute(self._record_migrated_through, (migration, position))

    def replace_event_state(self, stored: StoredEvent, state: bytes) -> bool:
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                self._replace_state,
                (state, _hex(stored.originator_id), stored.originator_version, stored.state),
            )
            c.execute("SELECT changes()")
            return bool(c.fetchone()[0] == 1)


def bounded(operation: Callable[..., Result]) -> Callable[..., Result]:
    """Run a library recorder method (unwrapped from its ten-attempt retry) with a bounded
    policy: a connection that broke is retried once, at once; a pool that had no connection to
    give within the configured timeout is not retried (the database is down or saturated, and
    the caller is better answered 503 now than in half a minute)."""
    unwrapped: Callable[..., Result] = getattr(operation, "__wrapped__", operation)

    @wraps(unwrapped)
    def attempt(*args: Any, **kwargs: Any) -> Result:
        try:
            return unwrapped(*args, **kwargs)
        except (OperationalError, InterfaceError) as error:
            if isinstance(error.__cause__, PoolTimeout):
                raise
        return unwrapped(*args, **kwargs)

    return attempt


class PostgresLedgerRecorder(PostgresApplicationRecorder):
    def __init__(
        self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"
    ) -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        schema = Identifier(self.datastore.schema)
        table = Identifier(events_table_name.removesuffix("_events") + "_idempotency")
        migrations = Identifier(events_table_name.removesuffix("_events") + "_migrations")
        identity = Identifier(events_table_name.removesuffix("_events") + "_ledger_identity")
        events = Identifier(self.events_table_name)
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {0}.{1} ("
                "actor_id text NOT NULL, idempotency_key text NOT NULL, command text NOT NULL, "
                "fingerprint text NOT NULL, aggregate_id uuid NOT NULL, "
                "first_version bigint NOT NULL, last_version bigint NOT NULL, "
                "PRIMARY KEY (actor_id, idempotency_key))"
            ).format(schema, table)
        )
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {0}.{1} ("
                "name text PRIMARY KEY, position bigint NOT NULL)"
            ).format(schema, migrations)
        )
        self.sql_create_statements.append(
            SQL("CREATE TABLE IF NOT EXISTS {0}.{1} (" + _IDENTITY_COLUMNS + ")").format(
                schema, identity
            )
        )
        self._read_identity = SQL("SELECT ledger_id FROM {0}.{1} WHERE id = 1").format(
            schema, identity
        )
        self._write_identity = SQL(
            "INSERT INTO {0}.{1} (id, ledger_id, created_at) VALUES (1, %s, now()::text) "
            "ON CONFLICT DO NOTHING"
        ).format(schema, identity)
        self._any_sealed = SQL(
            "SELECT 1 AS found FROM {0}.{1} WHERE position(%s::bytea IN state) > 0 LIMIT 1"
        ).format(schema, events)
        self._migrated_through = SQL("SELECT position FROM {0}.{1} WHERE name=%s").format(
            schema, migrations
        )
        self._record_migrated_through = SQL(
            "INSERT INTO {0}.{1} (name, position) VALUES (%s, %s) "
            "ON CONFLICT (name) DO UPDATE SET position=excluded.position"
        ).format(schema, migrations)
        self._replace_state = SQL(
            "UPDATE {0}.{1} SET state=%s "
            "WHERE originator_id=%s AND originator_version=%s AND state=%s"
        ).format(schema, events)
        columns = SQL(", ").join(map(Identifier, _COLUMNS))
        self._insert_record = SQL("INSERT INTO {0}.{1} ({2}) VALUES ({3})").format(
            schema, table, columns, POSTGRES.marks(len(_COLUMNS))
        )
        self._select_record = SQL(
            "SELECT {2} FROM {0}.{1} WHERE actor_id=%s AND idempotency_key=%s"
        ).format(schema, table, columns)
        self._select_history = SQL(
            "SELECT * FROM {0}.{1} WHERE originator_id=%s AND originator_version>%s "
            "AND originator_version<=%s ORDER BY originator_version"
        ).format(schema, events)
        self._count_events = SQL("SELECT COUNT(*) AS n FROM {0}.{1}").format(schema, events)
        self._tombstone_records = SQL(
            "UPDATE {0}.{1} SET fingerprint=%s WHERE aggregate_id=%s"
        ).format(schema, table)

    insert_events = bounded(PostgresApplicationRecorder.insert_events)
    select_events = bounded(PostgresApplicationRecorder.select_events)
    select_notifications = bounded(PostgresApplicationRecorder.select_notifications)
    max_notification_id = bounded(PostgresApplicationRecorder.max_notification_id)

    def _insert_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> None:
        del stored_events  # the library inserts them next, in this same transaction
        record: IdempotencyRecord | None = kwargs.get("idempotency")
        if record is not None:
            # Synced at once: a key used before must fail here as the conflict it is, not
            # later as an aborted pipeline that looks like a lost connection.
            with curs.connection.pipeline() as pipeline:
                curs.execute(self._insert_record, _record_row(record, record.aggregate_id))
                pipeline.sync()

    def find_idempotency_record(
        self, actor_id: str, idempotency_key: str
    ) -> IdempotencyRecord | None:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self._select_record, (actor_id, idempotency_key))
            row = curs.fetchone()
        return None if row is None else _record_from(row, row["aggregate_id"])

    def select_history(
        self, originator_id: UUID, gt: int = 0, lte: int | None = None
    ) -> list[Notification]:
        upper = lte if lte is not None else 2**62
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self._select_history, (originator_id, gt, upper))
            return [
                Notification(
                    id=row["notification_id"],
                    originator_id=row["originator_id"],
                    originator_version=row["originator_version"],
                    topic=row["topic"],
                    state=bytes(row["state"]),
                )
                for row in curs.fetchall()
            ]

    def check_writable(self) -> None:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute("SELECT pg_is_in_recovery() AS standby")
            row = curs.fetchone()
        if row is not None and row["standby"]:
            raise PermissionError("the event store's database is a read-only standby")

    def count_events(self) -> int:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self._count_events)
            row = curs.fetchone()
        assert row is not None  # noqa: S101 (COUNT always returns a row)
        return int(row["n"])

    def tombstone_idempotency_records(self, aggregate_id: UUID) -> None:
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(self._tombstone_records, (TOMBSTONE, aggregate_id))

    def read_ledger_id(self) -> UUID | None:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self._read_identity)
            row = curs.fetchone()
        return None if row is None else UUID(row["ledger_id"])

    def write_ledger_id(self, ledger_id: UUID) -> UUID:
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(self._write_identity, (str(ledger_id),))
            curs.execute(self._read_identity)
            row = curs.fetchone()
        assert row is not None  # noqa: S101 (written just before, in this transaction)
        return UUID(row["ledger_id"])

    def holds_sealed_events(self) -> bool:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self._any_sealed, (SEALED_MARK.encode(),))
            return curs.fetchone() is not None

    def migrated_through(self, migration: str) -> int:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self._migrated_through, (migration,))
            row = curs.fetchone()
        return 0 if row is None else int(row["position"])

    def record_migrated_through(self, migration: str, position: int) -> None:
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(self._record_migrated_through, (migration, position))

    def replace_event_state(self, stored: StoredEvent, state: bytes) -> bool:
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(
                self._replace_state,
                (state, stored.originator_id, stored.originator_version, stored.state),
            )
            return curs.rowcount == 1
