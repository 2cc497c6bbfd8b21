"""The case view in an SQLite file of its own (the embedded default)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from uuid import UUID

from eventsourcing.persistence import Tracking
from eventsourcing.sqlite import SQLiteDatastore, SQLiteTrackingRecorder

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


class SQLiteCaseViewStore(SQLiteTrackingRecorder):
    def __init__(self, path: str, application_name: str) -> None:
        super().__init__(SQLiteDatastore(db_name=path))
        self.application_name = application_name

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(), CREATE_TABLE, CREATE_INDEX]

    def load_states(self, referral_ids: Collection[UUID]) -> dict[UUID, ReferralState]:
        if not referral_ids:
            return {}
        marks = ",".join("?" * len(referral_ids))
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT view FROM {TABLE} WHERE referral_id IN ({marks})",
                [str(referral_id) for referral_id in referral_ids],
            )
            views = [view_from(row) for row in c.fetchall()]
        return {view.referral_id: view.state for view in views}

    def save(self, views: Sequence[CaseView], tracking: Tracking) -> None:
        marks = ",".join("?" * len(COLUMNS))
        with self.datastore.transaction(commit=True) as c:
            c.executemany(
                f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) VALUES ({marks}) "
                f"ON CONFLICT (referral_id) DO UPDATE SET {UPSERT_SET}",
                [row_values(view) for view in views],
            )
            self._insert_tracking(c, tracking)

    def position(self) -> int:
        return self.max_tracking_id(self.application_name) or 0

    def case(self, referral_id: UUID) -> CaseView | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT view FROM {TABLE} WHERE referral_id=?", (str(referral_id),))
            row = c.fetchone()
        return None if row is None else view_from(row)

    def cases(self, stage: Stage | None, limit: int, offset: int) -> tuple[list[CaseSummary], int]:
        where, params = ("WHERE stage=?", [stage.value]) if stage else ("", [])
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT {SUMMARY_COLUMNS} FROM {TABLE} {where} "
                "ORDER BY received_at DESC, referral_id LIMIT ? OFFSET ?",
                [*params, limit, offset],
            )
            page = [summary_from(row) for row in c.fetchall()]
            c.execute(f"SELECT COUNT(*) FROM {TABLE} {where}", params)
            total = int(c.fetchone()[0])
        return page, total

    def all_cases(self) -> list[CaseView]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT view FROM {TABLE} ORDER BY referral_id")
            return [view_from(row) for row in c.fetchall()]

    def clear(self) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute(f"DELETE FROM {TABLE}")
            c.execute("DELETE FROM tracking WHERE application_name=?", (self.application_name,))

    def close(self) -> None:
        self.datastore.close()
