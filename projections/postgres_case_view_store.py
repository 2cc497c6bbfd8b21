"""The case view in PostgreSQL, beside the event store."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from psycopg.sql import SQL, Identifier

from projections.case_view import CaseView
from projections.case_view_store import (
    CREATE_INDEX,
    CREATE_TABLE,
    TABLE,
    CaseViewQueries,
    row_values,
)


class PostgresCaseViewStore(PostgresTrackingRecorder, CaseViewQueries):
    MARK = "%s"

    def __init__(self, datastore: PostgresDatastore, application_name: str) -> None:
        super().__init__(datastore, tracking_table_name=f"{TABLE}_tracking")
        self.application_name = application_name
        self.sql_create_statements.extend([SQL(CREATE_TABLE).format(), SQL(CREATE_INDEX).format()])
        self._clear_tracking = SQL("DELETE FROM {0} WHERE application_name=%s").format(
            Identifier(self.tracking_table_name)
        )

    def _rows(self, statement: str, params: Sequence[object]) -> list[Any]:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(statement, params)
            return curs.fetchall()

    def save(self, views: Sequence[CaseView], tracking: Tracking) -> None:
        with self.datastore.transaction(commit=True) as curs:
            curs.executemany(self.upsert_statement(), [row_values(view) for view in views])
            self._insert_tracking(curs, tracking)

    def position(self) -> int:
        return self.max_tracking_id(self.application_name) or 0

    def clear(self) -> None:
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(f"DELETE FROM {TABLE}")
            curs.execute(self._clear_tracking, (self.application_name,))

    def close(self) -> None:
        self.datastore.close()
