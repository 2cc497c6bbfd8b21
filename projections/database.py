"""The database the projections keep their views in, one implementation per backend.

Every projection writes its rows and its tracking position in one transaction, so a view
never runs ahead of, or behind, the log position it records. Projections share one database
object (and in SQLite one writer lock); each has its own tracking key.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from eventsourcing.sqlite import SQLiteDatastore, SQLiteTrackingRecorder
from psycopg.sql import SQL, Identifier

Write = tuple[str, Sequence[Sequence[object]]]


class ProjectionDatabase(Protocol):
    MARK: str  # the driver's parameter placeholder

    def create(self, statements: Sequence[str]) -> None: ...

    def rows(self, statement: str, params: Sequence[object]) -> list[Any]: ...

    def write(self, writes: Sequence[Write], tracking: Tracking) -> None:
        """Run each statement over its rows and record `tracking`, in one transaction."""
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


class SQLiteProjectionDatabase(SQLiteTrackingRecorder):
    MARK = "?"

    def __init__(self, path: str) -> None:
        super().__init__(SQLiteDatastore(db_name=path))

    def create(self, statements: Sequence[str]) -> None:
        self.create_table()
        with self.datastore.transaction(commit=True) as c:
            for statement in statements:
                c.execute(statement)

    def rows(self, statement: str, params: Sequence[object]) -> list[Any]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(statement, params)
            found: list[Any] = c.fetchall()
            return found

    def write(self, writes: Sequence[Write], tracking: Tracking) -> None:
        with self.datastore.transaction(commit=True) as c:
            for statement, params in writes:
                if params:
                    c.executemany(statement, params)
            self._insert_tracking(c, tracking)

    def run(self, writes: Sequence[Write]) -> None:
        with self.datastore.transaction(commit=True) as c:
            for statement, params in writes:
                if params:
                    c.executemany(statement, params)

    def position(self, key: str) -> int:
        return self.max_tracking_id(key) or 0

    def clear(self, tables: Sequence[str], key: str) -> None:
        with self.datastore.transaction(commit=True) as c:
            for table in tables:
                c.execute(f"DELETE FROM {table}")
            c.execute("DELETE FROM tracking WHERE application_name=?", (key,))

    def close(self) -> None:
        self.datastore.close()


class PostgresProjectionDatabase(PostgresTrackingRecorder):
    MARK = "%s"

    def __init__(self, datastore: PostgresDatastore) -> None:
        super().__init__(datastore, tracking_table_name="vtr_projection_tracking")
        self._forget = SQL("DELETE FROM {0} WHERE application_name=%s").format(
            Identifier(self.tracking_table_name)
        )

    def create(self, statements: Sequence[str]) -> None:
        self.create_table()
        with self.datastore.transaction(commit=True) as curs:
            for statement in statements:
                curs.execute(statement)

    def rows(self, statement: str, params: Sequence[object]) -> list[Any]:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(statement, params)
            return curs.fetchall()

    def write(self, writes: Sequence[Write], tracking: Tracking) -> None:
        with self.datastore.transaction(commit=True) as curs:
            for statement, params in writes:
                if params:
                    curs.executemany(statement, params)
            self._insert_tracking(curs, tracking)

    def run(self, writes: Sequence[Write]) -> None:
        with self.datastore.transaction(commit=True) as curs:
            for statement, params in writes:
                if params:
                    curs.executemany(statement, params)

    def position(self, key: str) -> int:
        return self.max_tracking_id(key) or 0

    def clear(self, tables: Sequence[str], key: str) -> None:
        with self.datastore.transaction(commit=True) as curs:
            for table in tables:
                curs.execute(f"DELETE FROM {table}")
            curs.execute(self._forget, (key,))

    def close(self) -> None:
        self.datastore.close()


class StatementProjection:
    """A projection that turns each event into SQL statements, run in log order with the
    tracking position in one transaction. Subclasses name their tables and say `_writes`."""

    tracking_key: str
    create_statements: Sequence[str]
    tables: Sequence[str]

    def __init__(self, db: ProjectionDatabase) -> None:
        self.db = db

    def create_table(self) -> None:
        self.db.create(self.create_statements)

    def position(self) -> int:
        return self.db.position(self.tracking_key)

    def apply(self, batch: Sequence[tuple[int, Any]], up_to: int) -> None:
        writes: list[Write] = []
        for _position, event in batch:
            writes.extend(self._writes(event))
        self.db.write(writes, Tracking(self.tracking_key, up_to))

    def clear(self) -> None:
        self.db.clear(self.tables, self.tracking_key)

    def _writes(self, event: Any) -> list[Write]:
        raise NotImplementedError
