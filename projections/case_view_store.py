"""Where the case view is kept: the contract and the row format shared by both backends."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

from aggregates.referral_state import ReferralState, Stage
from projections.case_view import CaseSummary, CaseView, NextStep
from projections.database import ProjectionDatabase, Reader, Write

TABLE = "vtr_case_view"
COLUMNS = (
    "referral_id",
    "reference",
    "stage",
    "received_at",
    "last_changed_at",
    "version",
    "next_step",
    "next_step_due",
    "open_dispute",
    "view",
)
UPSERT_SET = ", ".join(f"{column}=excluded.{column}" for column in COLUMNS[1:])
CREATE_TABLE = (
    f"CREATE TABLE IF NOT EXISTS {TABLE} ("
    "referral_id TEXT PRIMARY KEY, reference TEXT NOT NULL, stage TEXT NOT NULL, "
    "received_at TEXT NOT NULL, last_changed_at TEXT NOT NULL, version INTEGER NOT NULL, "
    "next_step TEXT, next_step_due TEXT, open_dispute INTEGER NOT NULL, view TEXT NOT NULL)"
)
CREATE_INDEX = f"CREATE INDEX IF NOT EXISTS {TABLE}_stage ON {TABLE} (stage, received_at)"
# Which agencies each case involves (invited, disclosing or receiving): an agency
# practitioner's case list holds only these cases, as their single-case reads do.
INVOLVED = "vtr_case_view_agencies"
CREATE_INVOLVED = (
    f"CREATE TABLE IF NOT EXISTS {INVOLVED} ("
    "referral_id TEXT NOT NULL, agency_id TEXT NOT NULL, PRIMARY KEY (agency_id, referral_id))"
)


SUMMARY_COLUMNS = ", ".join(COLUMNS[:-1])


class CaseViewStore:
    """The case view and the log position it reflects, always changed together."""

    tracking_key = "vtr:case_view"

    def __init__(self, db: ProjectionDatabase) -> None:
        self.db = db
        marks = ",".join([db.MARK] * len(COLUMNS))
        self._upsert = (
            f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) VALUES ({marks}) "
            f"ON CONFLICT (referral_id) DO UPDATE SET {UPSERT_SET}"
        )
        self._forget_involved = f"DELETE FROM {INVOLVED} WHERE referral_id={db.MARK}"
        # Nothing to conflict with in a batch (its rows were just deleted); but two
        # processes starting together may both backfill, and the second adds nothing.
        self._involve = (
            f"INSERT INTO {INVOLVED} (referral_id, agency_id) VALUES ({db.MARK},{db.MARK}) "
            "ON CONFLICT DO NOTHING"
        )

    def create_table(self) -> None:
        self.db.create([CREATE_TABLE, CREATE_INDEX, CREATE_INVOLVED])
        self._backfill_involved()

    def advance(
        self,
        referral_ids: Collection[UUID],
        after: int,
        up_to: int,
        fold: Callable[[dict[UUID, ReferralState]], Sequence[CaseView]],
    ) -> bool:
        """Fold a batch into the states of `referral_ids` as the view holds them at `after`,
        write the views and move the position to `up_to`, in one transaction; False, with
        nothing written, if the view no longer stands at `after`."""

        def writes(read: Reader) -> list[Write]:
            return self._writes(fold(self._states(referral_ids, read)))

        return self.db.advance(self.tracking_key, after, up_to, writes)

    def _writes(self, views: Sequence[CaseView]) -> list[Write]:
        return [
            (self._upsert, [row_values(view) for view in views]),
            (self._forget_involved, [(str(view.referral_id),) for view in views]),
            (
                self._involve,
                [
                    (str(view.referral_id), str(agency_id))
                    for view in views
                    for agency_id in sorted(view.state.involved_agencies())
                ],
            ),
        ]

    def _backfill_involved(self) -> None:
        """Views written before the involvement table existed get their rows now, at the
        position they already reflect."""
        counted = self.db.rows(f"SELECT COUNT(*) AS n FROM {INVOLVED}", [])
        if int(counted[0]["n"]) or not self.db.rows(f"SELECT 1 FROM {TABLE} LIMIT 1", []):
            return
        views = self.all_cases()
        involved = self._writes(views)[1:]
        self.db.run(involved)

    def position(self) -> int:
        """The last log position reflected in the view (0 before the first)."""
        return self.db.position(self.tracking_key)

    def clear(self) -> None:
        """Forget every view and the position, so the view can be rebuilt from the log."""
        self.db.clear([TABLE, INVOLVED], self.tracking_key)

    def _states(self, referral_ids: Collection[UUID], read: Reader) -> dict[UUID, ReferralState]:
        if not referral_ids:
            return {}
        marks = ",".join([self.db.MARK] * len(referral_ids))
        rows = read(
            f"SELECT view FROM {TABLE} WHERE referral_id IN ({marks})",
            [str(referral_id) for referral_id in referral_ids],
        )
        return {view.referral_id: view.state for view in map(view_from, rows)}

    def case(self, referral_id: UUID) -> CaseView | None:
        rows = self.db.rows(
            f"SELECT view FROM {TABLE} WHERE referral_id={self.db.MARK}", [str(referral_id)]
        )
        return view_from(rows[0]) if rows else None

    def cases(
        self, stage: Stage | None, limit: int, offset: int, involving: UUID | None = None
    ) -> tuple[list[CaseSummary], int]:
        """A page of cases, newest referral first, and how many there are in all; with
        `involving`, only the cases that agency is involved in."""
        mark = self.db.MARK
        clauses: list[str] = []
        params: list[object] = []
        if stage is not None:
            clauses.append(f"stage={mark}")
            params.append(stage.value)
        if involving is not None:
            clauses.append(
                f"referral_id IN (SELECT referral_id FROM {INVOLVED} WHERE agency_id={mark})"
            )
            params.append(str(involving))
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        page = self.db.rows(
            f"SELECT {SUMMARY_COLUMNS} FROM {TABLE} {where} "
            f"ORDER BY received_at DESC, referral_id LIMIT {mark} OFFSET {mark}",
            [*params, limit, offset],
        )
        counted = self.db.rows(f"SELECT COUNT(*) AS n FROM {TABLE} {where}", params)
        return [summary_from(row) for row in page], int(counted[0]["n"])

    def all_cases(self) -> list[CaseView]:
        rows = self.db.rows(f"SELECT view FROM {TABLE} ORDER BY referral_id", [])
        return [view_from(row) for row in rows]


def row_values(view: CaseView) -> tuple[object, ...]:
    step = view.next_step
    return (
        str(view.referral_id),
        view.reference,
        view.stage.value,
        view.received_at.isoformat(),
        view.last_changed_at.isoformat(),
        view.version,
        step.description if step else None,
        step.due_on.isoformat() if step and step.due_on else None,
        int(view.open_dispute),
        view.model_dump_json(),
    )


def summary_from(row: Any) -> CaseSummary:
    due = row["next_step_due"]
    description = row["next_step"]
    return CaseSummary(
        referral_id=UUID(row["referral_id"]),
        reference=row["reference"],
        stage=Stage(row["stage"]),
        received_at=datetime.fromisoformat(row["received_at"]),
        last_changed_at=datetime.fromisoformat(row["last_changed_at"]),
        version=row["version"],
        next_step=(
            NextStep(description=description, due_on=date.fromisoformat(due) if due else None)
            if description
            else None
        ),
        open_dispute=bool(row["open_dispute"]),
    )


def view_from(row: Any) -> CaseView:
    return CaseView.model_validate_json(row["view"])
