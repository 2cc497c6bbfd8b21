"""The case view in PostgreSQL, beside the event store."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from uuid import UUID

from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from psycopg.sql import SQL, Identifier

from aggregates.referral_state import ReferralState, Stage
from projections.case_view import CaseSummary, CaseView
from projections.case_view_store import (
    COLUMNS,
    CREATE_INDEX,
    CREATE_TABLE,
    TABLE,
    UPSERT_SET,
    row_values,
    summary_from,
    view_from,
)

SUMMARY_COLUMNS = ", ".join(COLUMNS[:-1])


class PostgresCaseViewStore(PostgresTrackingRecorder):
    def __init__(self, datastore: PostgresDatastore, application_name: str) -> None:
        super().__init__(datastore, tracking_table_name=f"{TABLE}_tracking")
        self.application_name = application_name
        self.sql_create_statements.extend([SQL(CREATE_TABLE).format(), SQL(CREATE_INDEX).format()])
        marks = ",".join(["%s"] * len(COLUMNS))
        self._upsert = (
            f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) VALUES ({marks}) "
            f"ON CONFLICT (referral_id) DO UPDATE SET {UPSERT_SET}"
        )
        self._clear_tracking = SQL("DELETE FROM {0} WHERE application_name=%s").format(
            Identifier(self.tracking_table_name)
        )

    def load_states(self, referral_ids: Collection[UUID]) -> dict[UUID, ReferralState]:
        if not referral_ids:
            return {}
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(
                f"SELECT view FROM {TABLE} WHERE referral_id = ANY(%s)",
                ([str(referral_id) for referral_id in referral_ids],),
            )
            views = [view_from(row) for row in curs.fetchall()]
        return {view.referral_id: view.state for view in views}

    def save(self, views: Sequence[CaseView], tracking: Tracking) -> None:
        with self.datastore.transaction(commit=True) as curs:
            curs.executemany(self._upsert, [row_values(view) for view in views])
            self._insert_tracking(curs, tracking)

    def position(self) -> int:
        return self.max_tracking_id(self.application_name) or 0

    def case(self, referral_id: UUID) -> CaseView | None:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(f"SELECT view FROM {TABLE} WHERE referral_id=%s", (str(referral_id),))
            row = curs.fetchone()
        return None if row is None else view_from(row)

    def cases(self, stage: Stage | None, limit: int, offset: int) -> tuple[list[CaseSummary], int]:
        where, params = ("WHERE stage=%s", [stage.value]) if stage else ("", [])
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(
                f"SELECT {SUMMARY_COLUMNS} FROM {TABLE} {where} "
                "ORDER BY received_at DESC, referral_id LIMIT %s OFFSET %s",
                [*params, limit, offset],
            )
            page = [summary_from(row) for row in curs.fetchall()]
            curs.execute(f"SELECT COUNT(*) AS n FROM {TABLE} {where}", params)
            counted = curs.fetchone()
        assert counted is not None  # noqa: S101 (COUNT always returns a row)
        return page, int(counted["n"])

    def all_cases(self) -> list[CaseView]:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(f"SELECT view FROM {TABLE} ORDER BY referral_id")
            return [view_from(row) for row in curs.fetchall()]

    def clear(self) -> None:
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(f"DELETE FROM {TABLE}")
            curs.execute(self._clear_tracking, (self.application_name,))

    def close(self) -> None:
        self.datastore.close()
