"""The access log: every consultation of case data and every refused attempt, append-only.

It lives beside the event store, not in it: a read is not a change to a referral, so it has
no place in the referral's version sequence and can never conflict with a write. The table
refuses updates and deletes (a trigger), so the log can only grow. An entry says what the
answer held: which case, which filters, whether sealed content was opened, in which format.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.postgres import PostgresDatastore
from psycopg import AsyncConnection
from psycopg.sql import Composed
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from events.datastores import RecoveringSQLiteDatastore
from events.integrity.entries import StoredConsultation
from events.statements import POSTGRES, SQLITE, Dialect, Statement, sqlite_text

TABLE = "vtr_access_log"
PAGE = 1000

# Column name → its SQL type. New columns are added to existing tables on start (never
# removed), so an older log keeps every entry it holds.
COLUMN_TYPES = {
    "recorded_at": "TEXT NOT NULL",
    "actor_id": "TEXT",
    "role": "TEXT",
    "agency": "TEXT",
    "actor_agency_id": "TEXT",
    "credential": "TEXT",
    "token_id": "TEXT",
    "route": "TEXT NOT NULL",
    "consulted": "TEXT",
    "referral_id": "TEXT",
    "agency_id": "TEXT",
    "purpose": "TEXT",
    "break_glass": "INTEGER NOT NULL",
    "break_glass_reason": "TEXT",
    "beyond_scope": "INTEGER NOT NULL DEFAULT 0",
    "revealed": "INTEGER NOT NULL",
    "filters": "TEXT",
    "output_format": "TEXT",
    "outcome": "TEXT NOT NULL",
    "reason": "TEXT",
    "status": "INTEGER",
    "request_id": "TEXT NOT NULL",
    "client_request_id": "TEXT",
}
COLUMNS = tuple(COLUMN_TYPES)
FLAGS = ("break_glass", "beyond_scope", "revealed")


class Consultation(BaseModel):
    """One read of case data, or one refused attempt at any route."""

    model_config = ConfigDict(frozen=True)

    recorded_at: AwareDatetime
    actor_id: str | None
    role: str | None
    agency: str | None = Field(description="The display name of the caller's agency.")
    actor_agency_id: UUID | None = Field(default=None, description="The caller's agency.")
    credential: str | None
    token_id: str | None = Field(
        default=None, description="Which API token was presented (never the token itself)."
    )
    route: str
    consulted: str | None
    referral_id: UUID | None = Field(
        description="The case read, named in the path or as the filter of an export."
    )
    agency_id: UUID | None = Field(description="The agency whose records were read.")
    purpose: str | None
    break_glass: bool = Field(description="The caller invoked break-glass (with a reason).")
    break_glass_reason: str | None = None
    beyond_scope: bool = Field(
        default=False,
        description="Break-glass opened what the caller's own scope does not reach: review it.",
    )
    revealed: bool = Field(description="Sealed personal data was opened in the answer.")
    filters: dict[str, Any] = Field(
        default_factory=dict, description="The filters that narrowed the answer, as validated."
    )
    output_format: str | None = None
    outcome: str  # "allowed" or "denied"
    reason: str | None  # why it was denied
    status: int | None = Field(default=None, description="The HTTP status answered.")
    request_id: str = Field(description="This service's id of the request; unique.")
    client_request_id: str | None = Field(
        default=None, description="The X-Request-ID the client sent, if any."
    )


class ConsultationQuery(BaseModel):
    model_config = ConfigDict(frozen=True)

    referral_id: UUID | None = None
    actor_id: str | None = None
    outcome: str | None = None
    break_glass: bool | None = None
    recorded_from: datetime | None = None
    recorded_to: datetime | None = None


class AccessLog(Protocol):
    def create_table(self) -> None: ...

    def append(self, consultation: Consultation) -> None: ...

    def consultations(self, query: ConsultationQuery) -> Iterator[Consultation]: ...

    def latest_position(self) -> int: ...

    def read(self, after: int, up_to: int, limit: int) -> list[tuple[int, StoredConsultation]]:
        """The log as stored, for its sealer: a `Feed` of entries."""
        ...

    def case_entries(self, referral_id: UUID) -> list[StoredConsultation]:
        """Every entry about one case, exactly as stored (for a dispute pack)."""
        ...

    def check_writable(self) -> None:
        """Raise unless an entry could be appended now (readiness)."""
        ...

    def close(self) -> None: ...


def _values(consultation: Consultation) -> tuple[object, ...]:
    row = consultation.model_dump(mode="json")
    for flag in FLAGS:
        row[flag] = int(row[flag])
    row["filters"] = json.dumps(row["filters"], sort_keys=True) if row["filters"] else None
    row["recorded_at"] = consultation.recorded_at.isoformat()
    return tuple(row[column] for column in COLUMNS)


def _consultation(row: Any) -> Consultation:
    values = {column: row[column] for column in COLUMNS}
    for flag in FLAGS:
        values[flag] = bool(values[flag])
    values["filters"] = json.loads(values["filters"]) if values["filters"] else {}
    return Consultation.model_validate(values)


def stored_consultation(row: Any) -> StoredConsultation:
    """An access log row as its seal covers it: every column, as the table holds it."""
    return StoredConsultation(int(row["entry_no"]), tuple(row[column] for column in COLUMNS))


def _where(query: ConsultationQuery, dialect: Dialect) -> tuple[Composed, list[object]]:
    clauses = [dialect.fragment("1=1")]
    params: list[object] = []
    for column, value in (
        ("referral_id", query.referral_id and str(query.referral_id)),
        ("actor_id", query.actor_id),
        ("outcome", query.outcome),
        ("break_glass", None if query.break_glass is None else int(query.break_glass)),
    ):
        if value is not None:
            clauses.append(dialect.fragment("{column} = {mark}", column=column))
            params.append(value)
    if query.recorded_from is not None:
        clauses.append(dialect.fragment("recorded_at >= {mark}"))
        params.append(query.recorded_from.isoformat())
    if query.recorded_to is not None:
        clauses.append(dialect.fragment("recorded_at < {mark}"))
        params.append(query.recorded_to.isoformat())
    return dialect.join(" AND ", clauses), params


class _AccessLogTable:
    """Appending and paging, the same on every store; subclasses say how to run a statement."""

    def __init__(self, dialect: Dialect) -> None:
        self._dialect = dialect
        self._append = dialect.statement(
            "INSERT INTO {table} ({columns}) VALUES ({marks})",
            table=TABLE,
            columns=COLUMNS,
            marks=dialect.marks(len(COLUMNS)),
        )
        self._latest = dialect.statement("SELECT MAX(entry_no) AS latest FROM {table}", table=TABLE)
        self._stored = dialect.statement(
            "SELECT entry_no, {columns} FROM {table} WHERE entry_no > {mark} "
            "AND entry_no <= {mark} ORDER BY entry_no LIMIT {mark}",
            table=TABLE,
            columns=COLUMNS,
        )
        self._case = dialect.statement(
            "SELECT entry_no, {columns} FROM {table} WHERE referral_id = {mark} ORDER BY entry_no",
            table=TABLE,
            columns=COLUMNS,
        )

    def append(self, consultation: Consultation) -> None:
        self.append_all([consultation])

    def append_all(self, consultations: Sequence[Consultation]) -> None:
        """Append in one transaction, in the order given: all of them or none."""
        self._insert([_values(consultation) for consultation in consultations])

    def latest_position(self) -> int:
        rows = self._read(self._latest, [])
        return int(rows[0]["latest"] or 0) if rows else 0

    def read(self, after: int, up_to: int, limit: int) -> list[tuple[int, StoredConsultation]]:
        """Entries after `after` up to `up_to`, exactly as stored (for the sealer and verify)."""
        rows = self._read(self._stored, [after, up_to, limit])
        return [(int(row["entry_no"]), stored_consultation(row)) for row in rows]

    def case_entries(self, referral_id: UUID) -> list[StoredConsultation]:
        return [stored_consultation(row) for row in self._read(self._case, [str(referral_id)])]

    def consultations(self, query: ConsultationQuery) -> Iterator[Consultation]:
        where, params = _where(query, self._dialect)
        page = self._dialect.statement(
            "SELECT entry_no, {columns} FROM {table} "
            "WHERE {where} AND entry_no > {mark} ORDER BY entry_no LIMIT {page}",
            table=TABLE,
            columns=COLUMNS,
            where=where,
            page=PAGE,
        )
        after = 0
        while True:
            rows = self._read(page, [*params, after])
            yield from (_consultation(row) for row in rows)
            if len(rows) < PAGE:
                return
            after = rows[-1]["entry_no"]

    def _insert(self, rows: Sequence[Sequence[object]]) -> None:
        raise NotImplementedError

    def _read(self, statement: Statement, params: Sequence[object]) -> list[Any]:
        raise NotImplementedError


def _column_definitions() -> str:
    return ", ".join(f"{name} {kind}" for name, kind in COLUMN_TYPES.items())


def _added_column(name: str) -> str:
    """A column added after the table was first made: existing rows take its default."""
    kind = COLUMN_TYPES[name].replace(" NOT NULL", "")
    if name in FLAGS:
        kind = "INTEGER NOT NULL DEFAULT 0"
    return f"ALTER TABLE {TABLE} ADD COLUMN {name} {kind}"


class SQLiteAccessLog(_AccessLogTable):
    def __init__(self, path: str) -> None:
        super().__init__(SQLITE)
        self._datastore = RecoveringSQLiteDatastore(db_name=path)
        self._touch = sqlite_text(
            SQLITE.statement("UPDATE {table} SET reason = reason WHERE 0", table=TABLE)
        )

    def create_table(self) -> None:
        with self._datastore.transaction(commit=True) as c:
            c.execute(
                f"CREATE TABLE IF NOT EXISTS {TABLE} "
                f"(entry_no INTEGER PRIMARY KEY AUTOINCREMENT, {_column_definitions()})"
            )
            c.execute(f"PRAGMA table_info({TABLE})")
            present = {row["name"] for row in c.fetchall()}
            for name in COLUMNS:
                if name not in present:
                    c.execute(_added_column(name))
            c.execute(f"CREATE INDEX IF NOT EXISTS {TABLE}_case ON {TABLE} (referral_id)")
            c.execute(f"CREATE INDEX IF NOT EXISTS {TABLE}_actor ON {TABLE} (actor_id)")
            for change in ("UPDATE", "DELETE"):
                c.execute(
                    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_no_{change.lower()} "
                    f"BEFORE {change} ON {TABLE} "
                    "BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END"
                )

    def _insert(self, rows: Sequence[Sequence[object]]) -> None:
        # The database's write lock makes entry numbers follow commit order.
        with self._datastore.transaction(commit=True) as c:
            c.executemany(sqlite_text(self._append), rows)

    def check_writable(self) -> None:
        # An UPDATE of no row still takes the write lock, which needs a writable file, journal
        # and folder; it is rolled back, and the append-only trigger never fires.
        with self._datastore.transaction(commit=False) as c:
            c.execute(self._touch)

    def _read(self, statement: Statement, params: Sequence[object]) -> list[Any]:
        with self._datastore.transaction(commit=False) as c:
            c.execute(sqlite_text(statement), params)
            rows: list[Any] = c.fetchall()
            return rows

    def close(self) -> None:
        self._datastore.close()


# Lock the table, then insert the batch's rows, handed over as one JSON array, in its order:
# one call, with one parameter, of a function whose plan the server keeps.
_LOCKED_INSERT = POSTGRES.fragment(
    "LOCK TABLE {table} IN EXCLUSIVE MODE; "
    "INSERT INTO {table} ({columns}) SELECT {columns} "
    "FROM json_populate_recordset(NULL::{table}, batch) WITH ORDINALITY AS handed "
    "ORDER BY handed.ordinality",
    table=TABLE,
    columns=COLUMNS,
).as_string()
_APPEND_FUNCTION = (
    "CREATE OR REPLACE FUNCTION vtr_access_log_append(batch json) RETURNS void "
    f"LANGUAGE plpgsql AS $$ BEGIN {_LOCKED_INSERT}; END $$"
)
_APPEND = "SELECT vtr_access_log_append(%s::json)"
# A connection unused for longer is checked before a batch is sent on it (as the pool checks
# every connection it lends): after a database restart, the first batch would otherwise fail
# on a connection the server closed while it sat idle.
IDLE_CHECK_SECONDS = 1.0


def _batch_json(rows: Sequence[Sequence[object]]) -> str:
    return json.dumps([dict(zip(COLUMNS, row, strict=True)) for row in rows])


class PostgresAccessLog(_AccessLogTable):
    def __init__(self, datastore: PostgresDatastore) -> None:
        super().__init__(POSTGRES)
        self._datastore = datastore
        self._async: AsyncConnection[Any] | None = None
        self._async_loop: asyncio.AbstractEventLoop | None = None
        self._used_at = 0.0

    def create_table(self) -> None:
        statements = (
            (
                f"CREATE TABLE IF NOT EXISTS {TABLE} "
                f"(entry_no BIGSERIAL PRIMARY KEY, {_column_definitions()})"
            ),
            *(
                _added_column(name).replace("ADD COLUMN", "ADD COLUMN IF NOT EXISTS")
                for name in COLUMNS
            ),
            f"CREATE INDEX IF NOT EXISTS {TABLE}_case ON {TABLE} (referral_id)",
            f"CREATE INDEX IF NOT EXISTS {TABLE}_actor ON {TABLE} (actor_id)",
            (
                "CREATE OR REPLACE FUNCTION vtr_access_log_append_only() RETURNS trigger "
                "LANGUAGE plpgsql AS $$ BEGIN "
                "RAISE EXCEPTION 'the access log is append-only'; END $$"
            ),
            _APPEND_FUNCTION,
            f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}",
            (
                f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE OR TRUNCATE "
                f"ON {TABLE} FOR EACH STATEMENT EXECUTE FUNCTION vtr_access_log_append_only()"
            ),
        )
        with self._datastore.transaction(commit=True) as curs:
            curs.execute("SELECT pg_advisory_xact_lock(7235001)")  # one creator at a time
            for statement in statements:
                curs.execute(statement)

    def _insert(self, rows: Sequence[Sequence[object]]) -> None:
        # Entry numbers are taken when a row is inserted, not when it commits: without the
        # lock, two writers (two processes, or two threads) could commit out of number order
        # and the sealer, following the log by number, pass a gap that fills in later. The
        # lock lets readers read; appenders take turns, which group commit makes cheap.
        # Lock and insert are one call: on the pool's autocommit connection, one implicit
        # transaction and one round trip.
        with self._datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(_APPEND, [_batch_json(rows)], prepare=True)

    async def append_all_async(self, consultations: Sequence[Consultation]) -> None:
        """`append_all` from the event loop, on a connection of the loop's own: no thread to
        hand the batch to and wake again, no pool to lend a connection. One event loop uses
        it at a time (the writer of `group_commit`)."""
        payload = _batch_json([_values(consultation) for consultation in consultations])
        conn = await self._loop_connection()
        try:
            await conn.execute(_APPEND, [payload], prepare=True)
        except BaseException:
            if conn.broken or conn.closed:
                self._forget_loop_connection()
            raise
        self._used_at = time.monotonic()

    async def _loop_connection(self) -> AsyncConnection[Any]:
        loop = asyncio.get_running_loop()
        conn = self._async
        if conn is not None and (self._async_loop is not loop or conn.closed):
            self._forget_loop_connection()
            conn = None
        if conn is not None and time.monotonic() - self._used_at > IDLE_CHECK_SECONDS:
            try:
                await conn.execute("SELECT 1")
            except Exception:  # noqa: BLE001 (closed while idle: connect again below)
                self._forget_loop_connection()
                conn = None
        if conn is None:
            conn = await AsyncConnection.connect(
                autocommit=True,
                connect_timeout=int(self._datastore.pool.timeout),
                **self._connection_arguments(),
            )
            self._async, self._async_loop = conn, loop
        return conn

    def _connection_arguments(self) -> dict[str, Any]:
        """The pool's own: the same database, credentials and statement timeout."""
        given = self._datastore.pool.kwargs
        arguments = given() if callable(given) else dict(given or {})
        arguments.pop("row_factory", None)
        return arguments

    def _forget_loop_connection(self) -> None:
        conn, self._async, self._async_loop = self._async, None, None
        if conn is not None and not conn.closed:
            conn.pgconn.finish()  # from any thread, with or without its loop

    def check_writable(self) -> None:
        with self._datastore.transaction(commit=False) as curs:
            curs.execute("SELECT pg_is_in_recovery() AS standby")
            row = curs.fetchone()
        if row is not None and row["standby"]:
            raise PermissionError("the access log's database is a read-only standby")

    def _read(self, statement: Statement, params: Sequence[object]) -> list[Any]:
        with self._datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(statement, params)
            return curs.fetchall()

    def close(self) -> None:
        self._forget_loop_connection()
        self._datastore.close()
