"""The case view in an SQLite file of its own (the embedded default)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import Tracking
from eventsourcing.sqlite import SQLiteDatastore, SQLiteTrackingRecorder

from projections.case_view import CaseView
from projections.case_view_store import (
    CREATE_INDEX,
    CREATE_TABLE,
    TABLE,
    CaseViewQueries,
    row_values,
)


class SQLiteCaseViewStore(SQLiteTrackingRecorder, CaseViewQueries):
    MARK = "?"

    def __init__(self, path: str, application_name: str) -> None:
        super().__init__(SQLiteDatastore(db_name=path))
        self.application_name = application_name

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(), CREATE_TABLE, CREATE_INDEX]

    def _rows(self, statement: str, params: Sequence[object]) -> list[Any]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(statement, params)
            rows: list[Any] = c.fetchall()
            return rows

    def save(self, views: Sequence[CaseView], tracking: Tracking) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.executemany(self.upsert_statement(), [row_values(view) for view in views])
            self._insert_tracking(c, tracking)

    def position(self) -> int:
        return self.max_tracking_id(self.application_name) or 0

    def clear(self) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute(f"DELETE FROM {TABLE}")
            c.execute("DELETE FROM tracking WHERE application_name=?", (self.application_name,))

    def close(self) -> None:
        self.datastore.close()
