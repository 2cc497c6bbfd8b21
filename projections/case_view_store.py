"""Where the case view is kept: the rows for the list, each case's view as JSON, and the
agencies each case involves, in the same format on both backends.

The store records the schema version its views were written in. Views of another version
(or written before versions were recorded) are never read as if they were current: at start
they are dropped with their position, and the worker folds the whole log into the current
schema again.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import date, datetime
from functools import partial
from typing import Any
from uuid import UUID

import structlog
from psycopg.sql import SQL, Composable, Identifier

from projections.case_view import SCHEMA_VERSION, CaseSummary, CaseView, NextStep, Stage
from projections.database import ProjectionDatabase, Reader, Write

log = structlog.get_logger("vtr.projections")

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
SUMMARY_COLUMNS = COLUMNS[:-1]
# Which agencies each case involves (invited, disclosing or receiving): an agency
# practitioner's case list holds only these cases, as their single-case reads do.
INVOLVED = "vtr_case_view_agencies"
# The schema version each view's stored rows were written in, one row per view.
SCHEMAS = "vtr_view_schemas"
SCHEMA_KEY = "case_view"

CREATE_TABLE = (
    "CREATE TABLE IF NOT EXISTS {table} ("
    "referral_id TEXT PRIMARY KEY, reference TEXT NOT NULL, stage TEXT NOT NULL, "
    "received_at TEXT NOT NULL, last_changed_at TEXT NOT NULL, version INTEGER NOT NULL, "
    "next_step TEXT, next_step_due TEXT, open_dispute INTEGER NOT NULL, view TEXT NOT NULL)"
)
CREATE_INDEX = "CREATE INDEX IF NOT EXISTS {index} ON {table} (stage, received_at)"
CREATE_INVOLVED = (
    "CREATE TABLE IF NOT EXISTS {involved} ("
    "referral_id TEXT NOT NULL, agency_id TEXT NOT NULL, PRIMARY KEY (agency_id, referral_id))"
)
CREATE_SCHEMAS = (
    "CREATE TABLE IF NOT EXISTS {schemas} ("
    "projection TEXT PRIMARY KEY, schema_version INTEGER NOT NULL)"
)


class CaseViewStore:
    """The case view and the log position it reflects, always changed together."""

    tracking_key = "vtr:case_view"

    def __init__(self, db: ProjectionDatabase) -> None:
        self.db = db
        self._sql = partial(
            db.dialect.statement,
            table=TABLE,
            involved=INVOLVED,
            schemas=SCHEMAS,
            index=f"{TABLE}_stage",
            columns=COLUMNS,
            summary_columns=SUMMARY_COLUMNS,
        )
        updates = SQL(", ").join(
            SQL("{0}=excluded.{0}").format(Identifier(column)) for column in COLUMNS[1:]
        )
        self._create = [
            self._sql(statement)
            for statement in (CREATE_TABLE, CREATE_INDEX, CREATE_INVOLVED, CREATE_SCHEMAS)
        ]
        self._upsert = self._sql(
            "INSERT INTO {table} ({columns}) VALUES ({marks}) "
            "ON CONFLICT (referral_id) DO UPDATE SET {updates}",
            marks=db.dialect.marks(len(COLUMNS)),
            updates=updates,
        )
        self._forget_involved = self._sql("DELETE FROM {involved} WHERE referral_id={mark}")
        self._involve = self._sql(
            "INSERT INTO {involved} (referral_id, agency_id) VALUES ({mark},{mark})"
        )
        self._mark_schema = self._sql(
            "INSERT INTO {schemas} (projection, schema_version) VALUES ({mark},{mark}) "
            "ON CONFLICT (projection) DO UPDATE SET schema_version=excluded.schema_version"
        )
        self._schema_version = self._sql(
            "SELECT schema_version FROM {schemas} WHERE projection={mark}"
        )
        self._any_view = self._sql("SELECT 1 FROM {table} LIMIT 1")
        self._case = self._sql("SELECT view FROM {table} WHERE referral_id={mark}")
        self._all_cases = self._sql("SELECT view FROM {table} ORDER BY referral_id")

    def create_table(self) -> None:
        self.db.create(self._create)
        self._rebuild_other_schema()

    def schema_version(self) -> int | None:
        """The schema version the stored views were written in (None: not recorded)."""
        rows = self.db.rows(self._schema_version, [SCHEMA_KEY])
        return int(rows[0]["schema_version"]) if rows else None

    def _rebuild_other_schema(self) -> None:
        """Views written in another schema are dropped with their position, so the worker
        folds the log into this one; the version is recorded only once they are gone (a
        crash in between drops them again at the next start, losing nothing)."""
        found = self.schema_version()
        if found == SCHEMA_VERSION:
            return
        if found is not None or self.position() or self._holds_views():
            log.warning(
                "case_view_rebuilding",
                stored_schema_version=found,
                schema_version=SCHEMA_VERSION,
                from_position=self.position(),
            )
            self.clear()
        self.db.run([(self._mark_schema, [(SCHEMA_KEY, SCHEMA_VERSION)])])

    def _holds_views(self) -> bool:
        return bool(self.db.rows(self._any_view, []))

    def advance(
        self,
        referral_ids: Collection[UUID],
        after: int,
        up_to: int,
        fold: Callable[[dict[UUID, CaseView]], Sequence[CaseView]],
    ) -> bool:
        """Fold a batch into the views of `referral_ids` as they stand at `after`, write
        them and move the position to `up_to`, in one transaction; False, with nothing
        written, if the view no longer stands at `after`."""

        def writes(read: Reader) -> list[Write]:
            return self._writes(fold(self._views(referral_ids, read)))

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
                    for agency_id in sorted(view.involved_agencies())
                ],
            ),
        ]

    def position(self) -> int:
        """The last log position reflected in the view (0 before the first)."""
        return self.db.position(self.tracking_key)

    def clear(self) -> None:
        """Forget every view and the position, so the view can be rebuilt from the log."""
        self.db.clear([TABLE, INVOLVED], self.tracking_key)

    def _views(self, referral_ids: Collection[UUID], read: Reader) -> dict[UUID, CaseView]:
        if not referral_ids:
            return {}
        rows = read(
            self._sql(
                "SELECT view FROM {table} WHERE referral_id IN ({marks})",
                marks=self.db.dialect.marks(len(referral_ids)),
            ),
            [str(referral_id) for referral_id in referral_ids],
        )
        return {view.referral_id: view for view in map(view_from, rows)}

    def case(self, referral_id: UUID) -> CaseView | None:
        rows = self.db.rows(self._case, [str(referral_id)])
        return view_from(rows[0]) if rows else None

    def cases(
        self,
        stage: Stage | None,
        limit: int,
        offset: int,
        involving: UUID | None = None,
        *,
        among: Collection[UUID] | None = None,
        excluding: Collection[UUID] = (),
    ) -> tuple[list[CaseSummary], int]:
        """A page of cases, newest referral first, and how many there are in all; with
        `involving`, only the cases that agency is involved in; with `among`, only those
        cases; none of those `excluding`."""
        if among is not None and not among:
            return [], 0
        where, params = self._where(stage, involving, among, excluding)
        page = self.db.rows(
            self._sql(
                "SELECT {summary_columns} FROM {table}{where} "
                "ORDER BY received_at DESC, referral_id LIMIT {mark} OFFSET {mark}",
                where=where,
            ),
            [*params, limit, offset],
        )
        counted = self.db.rows(
            self._sql("SELECT COUNT(*) AS n FROM {table}{where}", where=where), params
        )
        return [summary_from(row) for row in page], int(counted[0]["n"])

    def _where(
        self,
        stage: Stage | None,
        involving: UUID | None,
        among: Collection[UUID] | None,
        excluding: Collection[UUID],
    ) -> tuple[Composable, list[object]]:
        """The list's WHERE clause (empty when nothing narrows it) and its parameters."""
        clause, marks = self.db.dialect.fragment, self.db.dialect.marks
        clauses: list[Composable] = []
        params: list[object] = []
        if stage is not None:
            clauses.append(clause("stage={mark}"))
            params.append(stage.value)
        if involving is not None:
            clauses.append(
                clause(
                    "referral_id IN (SELECT referral_id FROM {involved} WHERE agency_id={mark})",
                    involved=INVOLVED,
                )
            )
            params.append(str(involving))
        if among:
            clauses.append(clause("referral_id IN ({marks})", marks=marks(len(among))))
            params.extend(str(referral_id) for referral_id in among)
        if excluding:
            clauses.append(clause("referral_id NOT IN ({marks})", marks=marks(len(excluding))))
            params.extend(str(referral_id) for referral_id in excluding)
        if not clauses:
            return SQL(""), params
        return clause(" WHERE {clauses}", clauses=SQL(" AND ").join(clauses)), params

    def all_cases(self) -> list[CaseView]:
        rows = self.db.rows(self._all_cases, [])
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
