"""The access log: every consultation of case data and every refused attempt, append-only.

It lives beside the event store, not in it: a read is not a change to a referral, so it has
no place in the referral's version sequence and can never conflict with a write. The table
refuses updates and deletes (a trigger), so the log can only grow.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteDatastore
from pydantic import AwareDatetime, BaseModel, ConfigDict

TABLE = "vtr_access_log"
COLUMNS = (
    "recorded_at",
    "actor_id",
    "role",
    "agency",
    "credential",
    "route",
    "consulted",
    "referral_id",
    "agency_id",
    "purpose",
    "break_glass",
    "revealed",
    "outcome",
    "reason",
    "request_id",
)
PAGE = 1000


class Consultation(BaseModel):
    """One read of case data, or one refused attempt at any route."""

    model_config = ConfigDict(frozen=True)

    recorded_at: AwareDatetime
    actor_id: str | None
    role: str | None
    agency: str | None
    credential: str | None
    route: str
    consulted: str | None
    referral_id: UUID | None
    agency_id: UUID | None
    purpose: str | None
    break_glass: bool
    revealed: bool
    outcome: str  # "allowed" or "denied"
    reason: str | None  # why it was denied
    request_id: str


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

    def close(self) -> None: ...


def _values(consultation: Consultation) -> tuple[object, ...]:
    row = consultation.model_dump(mode="json")
    row["break_glass"] = int(consultation.break_glass)
    row["revealed"] = int(consultation.revealed)
    row["recorded_at"] = consultation.recorded_at.isoformat()
    return tuple(row[column] for column in COLUMNS)


def _consultation(row: Any) -> Consultation:
    return Consultation.model_validate(
        {
            **{column: row[column] for column in COLUMNS},
            "break_glass": bool(row["break_glass"]),
            "revealed": bool(row["revealed"]),
        }
    )


def _where(query: ConsultationQuery, mark: str) -> tuple[str, list[object]]:
    clauses: list[str] = ["1=1"]
    params: list[object] = []
    for column, value in (
        ("referral_id", query.referral_id and str(query.referral_id)),
        ("actor_id", query.actor_id),
        ("outcome", query.outcome),
    ):
        if value is not None:
            clauses.append(f"{column} = {mark}")
            params.append(value)
    if query.break_glass is not None:
        clauses.append(f"break_glass = {mark}")
        params.append(int(query.break_glass))
    if query.recorded_from is not None:
        clauses.append(f"recorded_at >= {mark}")
        params.append(query.recorded_from.isoformat())
    if query.recorded_to is not None:
        clauses.append(f"recorded_at < {mark}")
        params.append(query.recorded_to.isoformat())
    return " AND ".join(clauses), params


CREATE_COLUMNS = (
    "recorded_at TEXT NOT NULL, actor_id TEXT, role TEXT, agency TEXT, credential TEXT, "
    "route TEXT NOT NULL, consulted TEXT, referral_id TEXT, agency_id TEXT, purpose TEXT, "
    "break_glass INTEGER NOT NULL, revealed INTEGER NOT NULL, outcome TEXT NOT NULL, "
    "reason TEXT, request_id TEXT NOT NULL"
)


class _AccessLogTable:
    """Appending and paging, the same on every store; subclasses say how to run a statement."""

    MARK = "?"

    def append(self, consultation: Consultation) -> None:
        marks = ",".join([self.MARK] * len(COLUMNS))
        self._write(
            f"INSERT INTO {TABLE} ({','.join(COLUMNS)}) VALUES ({marks})", _values(consultation)
        )

    def consultations(self, query: ConsultationQuery) -> Iterator[Consultation]:
        where, params = _where(query, self.MARK)
        after = 0
        while True:
            rows = self._read(
                f"SELECT entry_no, {','.join(COLUMNS)} FROM {TABLE} "
                f"WHERE {where} AND entry_no > {self.MARK} ORDER BY entry_no LIMIT {PAGE}",
                [*params, after],
            )
            yield from (_consultation(row) for row in rows)
            if len(rows) < PAGE:
                return
            after = rows[-1]["entry_no"]

    def _write(self, statement: str, params: Sequence[object]) -> None:
        raise NotImplementedError

    def _read(self, statement: str, params: Sequence[object]) -> list[Any]:
        raise NotImplementedError


class SQLiteAccessLog(_AccessLogTable):
    def __init__(self, path: str) -> None:
        self._datastore = SQLiteDatastore(db_name=path)

    def create_table(self) -> None:
        with self._datastore.transaction(commit=True) as c:
            c.execute(
                f"CREATE TABLE IF NOT EXISTS {TABLE} "
                f"(entry_no INTEGER PRIMARY KEY AUTOINCREMENT, {CREATE_COLUMNS})"
            )
            c.execute(f"CREATE INDEX IF NOT EXISTS {TABLE}_case ON {TABLE} (referral_id)")
            c.execute(f"CREATE INDEX IF NOT EXISTS {TABLE}_actor ON {TABLE} (actor_id)")
            for change in ("UPDATE", "DELETE"):
                c.execute(
                    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_no_{change.lower()} "
                    f"BEFORE {change} ON {TABLE} "
                    "BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END"
                )

    def _write(self, statement: str, params: Sequence[object]) -> None:
        with self._datastore.transaction(commit=True) as c:
            c.execute(statement, params)

    def _read(self, statement: str, params: Sequence[object]) -> list[Any]:
        with self._datastore.transaction(commit=False) as c:
            c.execute(statement, params)
            rows: list[Any] = c.fetchall()
            return rows

    def close(self) -> None:
        self._datastore.close()


class PostgresAccessLog(_AccessLogTable):
    MARK = "%s"

    def __init__(self, datastore: PostgresDatastore) -> None:
        self._datastore = datastore

    def create_table(self) -> None:
        statements = (
            (
                f"CREATE TABLE IF NOT EXISTS {TABLE} "
                f"(entry_no BIGSERIAL PRIMARY KEY, {CREATE_COLUMNS})"
            ),
            f"CREATE INDEX IF NOT EXISTS {TABLE}_case ON {TABLE} (referral_id)",
            f"CREATE INDEX IF NOT EXISTS {TABLE}_actor ON {TABLE} (actor_id)",
            (
                "CREATE OR REPLACE FUNCTION vtr_access_log_append_only() RETURNS trigger "
                "LANGUAGE plpgsql AS $$ BEGIN "
                "RAISE EXCEPTION 'the access log is append-only'; END $$"
            ),
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

    def _write(self, statement: str, params: Sequence[object]) -> None:
        with self._datastore.transaction(commit=True) as curs:
            curs.execute(statement, params)

    def _read(self, statement: str, params: Sequence[object]) -> list[Any]:
        with self._datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(statement, params)
            return curs.fetchall()

    def close(self) -> None:
        self._datastore.close()
