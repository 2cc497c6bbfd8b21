"""The database the projections keep their views in, one implementation per backend.

Every projection writes its rows and its tracking position in one transaction, so a view
never runs ahead of, or behind, the log position it records. Projections share one database
object (and in SQLite one writer lock); each has its own tracking key.

Any number of workers may follow the same view (a scaled or restarting worker, or the API's
own projections beside one): a batch first claims the move of the position from the one it
was read after, and writes nothing when another worker has moved it since. The claim comes
before the view is read or written, under the tracking row's lock (PostgreSQL) or the
database's write lock (SQLite), so the loser waits, then finds the position moved.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from eventsourcing.persistence import IntegrityError
from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from eventsourcing.sqlite import (
    SQLiteCursor,
    SQLiteTrackingRecorder,
    SQLiteTransaction,
)
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import Identifier

from events.datastores import RecoveringSQLiteDatastore
from events.statements import POSTGRES, SQLITE, Dialect, Statement, sqlite_text

Statements = tuple[Statement, Sequence[Sequence[object]]]


@dataclass(frozen=True)
class Append:
    """Rows appended to a table in one go: by COPY on PostgreSQL (one stream, not a
    statement a row), by executemany on SQLite."""

    table: str
    columns: Sequence[str]
    rows: Sequence[Sequence[object]]


Write = Statements | Append
Reader = Callable[[Statement, Sequence[object]], list[Any]]
# What a batch writes, worked out from the view as it stands once the batch holds it.
WritesFor = Callable[[Reader], Sequence[Write]]


class ProjectionDatabase(Protocol):
    dialect: Dialect  # how this backend's statements are rendered

    def create(self, statements: Sequence[Statement]) -> None: ...

    def rows(self, statement: Statement, params: Sequence[object]) -> list[Any]: ...

    def advance(self, key: str, after: int, up_to: int, writes: WritesFor) -> bool:
        """Move the view `key` from `after` to `up_to` and run `writes(read)`, in one
        transaction, if the view still stands at `after` (0: no position yet); otherwise
        write nothing and return False. `read` queries inside that transaction, after the
        claim, so it sees the view exactly as the batch follows on from it."""
        ...

    def run(self, writes: Sequence[Write]) -> None:
        """Run each statement over its rows in one transaction, the position untouched (for
        rows derived from what a view already holds)."""
        ...

    def position(self, key: str) -> int: ...

    def clear(self, tables: Sequence[str], key: str) -> None:
        """Empty the tables and forget the position, in one transaction."""
        ...

    def close(self) -> None: ...


# Both claim a move of the position, returning a row only when the claim holds.
_MOVE = (
    "UPDATE {table} SET notification_id={mark} "
    "WHERE application_name={mark} AND notification_id={mark} RETURNING notification_id"
)
_START = (
    "INSERT INTO {table} (application_name, notification_id) VALUES ({mark},{mark}) "
    "ON CONFLICT (application_name) DO NOTHING RETURNING notification_id"
)
_FORGET = "DELETE FROM {table} WHERE application_name={mark}"
_EMPTY = "DELETE FROM {table}"


class _Immediate(SQLiteTransaction):
    """A transaction that takes the database's write lock at once (waiting for another
    process to commit), so nothing it reads changes before it commits."""

    def __enter__(self) -> SQLiteCursor:
        cursor = self.connection.cursor()
        cursor.execute("BEGIN IMMEDIATE")
        return cursor


class SQLiteProjectionDatabase(SQLiteTrackingRecorder):
    dialect = SQLITE

    def __init__(self, path: str) -> None:
        super().__init__(RecoveringSQLiteDatastore(db_name=path))
        tracking = "tracking"  # the library's SQLite tracking table has this one name
        self._move = sqlite_text(SQLITE.statement(_MOVE, table=tracking))
        self._start = sqlite_text(SQLITE.statement(_START, table=tracking))
        self._forget = sqlite_text(SQLITE.statement(_FORGET, table=tracking))

    def create(self, statements: Sequence[Statement]) -> None:
        self.create_table()
        with self.datastore.transaction(commit=True) as c:
            for statement in statements:
                c.execute(sqlite_text(statement))

    def rows(self, statement: Statement, params: Sequence[object]) -> list[Any]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(sqlite_text(statement), params)
            found: list[Any] = c.fetchall()
            return found

    def advance(self, key: str, after: int, up_to: int, writes: WritesFor) -> bool:
        with self._writing() as c:
            if after:
                c.execute(self._move, (up_to, key, after))
            else:
                c.execute(self._start, (key, up_to))
            if c.fetchone() is None:
                return False

            def read(statement: Statement, params: Sequence[object]) -> list[Any]:
                c.execute(sqlite_text(statement), params)
                found: list[Any] = c.fetchall()
                return found

            _execute(c, writes(read))
            return True

    def run(self, writes: Sequence[Write]) -> None:
        with self._writing() as c:
            _execute(c, writes)

    def position(self, key: str) -> int:
        return self.max_tracking_id(key) or 0

    def clear(self, tables: Sequence[str], key: str) -> None:
        with self._writing() as c:
            c.execute(self._forget, (key,))
            for table in tables:
                c.execute(sqlite_text(SQLITE.statement(_EMPTY, table=table)))

    def close(self) -> None:
        self.datastore.close()

    @contextmanager
    def _writing(self) -> Iterator[SQLiteCursor]:
        with (
            self.datastore.get_connection(commit=True) as connection,
            _Immediate(connection, commit=True) as cursor,
            cursor,
        ):
            yield cursor


class PostgresProjectionDatabase(PostgresTrackingRecorder):
    dialect = POSTGRES

    def __init__(self, datastore: PostgresDatastore) -> None:
        super().__init__(datastore, tracking_table_name="vtr_projection_tracking")
        table = Identifier(self.datastore.schema, self.tracking_table_name)
        self._forget = POSTGRES.statement(_FORGET, table=table)
        self._move = POSTGRES.statement(_MOVE, table=table)
        self._start = POSTGRES.statement(_START, table=table)

    def create(self, statements: Sequence[Statement]) -> None:
        # Processes starting together (the API and its workers) create one at a time:
        # CREATE … IF NOT EXISTS is not safe against a concurrent creator.
        try:
            self.create_table()
        except IntegrityError:  # another process created the tracking table meanwhile
            self.create_table()
        with self.datastore.transaction(commit=True) as curs:
            curs.execute("SELECT pg_advisory_xact_lock(7235002)")
            for statement in statements:
                curs.execute(statement)

    def rows(self, statement: Statement, params: Sequence[object]) -> list[Any]:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(statement, params)
            return curs.fetchall()

    def advance(self, key: str, after: int, up_to: int, writes: WritesFor) -> bool:
        with self.datastore.transaction(commit=True) as curs:
            # The update waits on the row lock of a worker that claimed first, then finds
            # the position moved; the insert waits on its uncommitted insert likewise.
            if after:
                curs.execute(self._move, (up_to, key, after))
            else:
                curs.execute(self._start, (key, up_to))
            if curs.fetchone() is None:
                return False

            def read(statement: Statement, params: Sequence[object]) -> list[Any]:
                curs.execute(statement, params)
                return curs.fetchall()

            _execute(curs, writes(read))
            return True

    def run(self, writes: Sequence[Write]) -> None:
        with self.datastore.transaction(commit=True) as curs:
            _execute(curs, writes)

    def position(self, key: str) -> int:
        return self.max_tracking_id(key) or 0

    def clear(self, tables: Sequence[str], key: str) -> None:
        with self.datastore.transaction(commit=True) as curs:
            # The position first: a worker that claimed it finishes its batch before the
            # rows go, and one that claims it next finds no position and starts again.
            curs.execute(self._forget, (key,))
            for table in tables:
                curs.execute(POSTGRES.statement(_EMPTY, table=table))

    def close(self) -> None:
        self.datastore.close()


def _execute(cursor: SQLiteCursor | Cursor[DictRow], writes: Sequence[Write]) -> None:
    for write in writes:
        if isinstance(write, Append):
            _append(cursor, write)
            continue
        statement, params = write
        if not params:
            continue
        if isinstance(cursor, SQLiteCursor):
            cursor.executemany(sqlite_text(statement), params)
        else:
            cursor.executemany(statement, params)


def _append(cursor: SQLiteCursor | Cursor[DictRow], append: Append) -> None:
    if not append.rows:
        return
    if isinstance(cursor, SQLiteCursor):
        insert = SQLITE.statement(
            "INSERT INTO {table} ({columns}) VALUES ({marks})",
            table=append.table,
            columns=append.columns,
            marks=SQLITE.marks(len(append.columns)),
        )
        cursor.executemany(sqlite_text(insert), append.rows)
        return
    copy = POSTGRES.statement(
        "COPY {table} ({columns}) FROM STDIN", table=append.table, columns=append.columns
    )
    with cursor.copy(copy) as rows:
        for row in append.rows:
            rows.write_row(row)


class StatementProjection:
    """A projection that turns each event into SQL statements, run in log order with the
    tracking position in one transaction. Subclasses name their tables and say `_writes`."""

    tracking_key: str
    tables: Sequence[str]
    create_statements: Sequence[Statement]  # rendered for the database in `__init__`

    def __init__(self, db: ProjectionDatabase) -> None:
        self.db = db

    def create_table(self) -> None:
        self.db.create(self.create_statements)

    def position(self) -> int:
        return self.db.position(self.tracking_key)

    def apply(self, batch: Sequence[tuple[int, Any]], after: int, up_to: int) -> bool:
        writes = [write for _position, event in batch for write in self._writes(event)]
        return self.db.advance(self.tracking_key, after, up_to, lambda _read: writes)

    def clear(self) -> None:
        self.db.clear(self.tables, self.tracking_key)

    def _writes(self, event: Any) -> list[Write]:
        raise NotImplementedError
