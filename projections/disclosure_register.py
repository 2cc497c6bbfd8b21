"""The disclosure register: every disclosure and every refused attempt, as rows.

Live registers are read from this projection; the register as of a past moment is folded
from the log itself (`register_as_of`), with the same row function and the same filters.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from functools import partial
from typing import Any
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder
from psycopg.sql import Composed

from events.dispute import DisputePackDisclosed
from events.sharing import InformationDisclosed, SharingRefused
from events.storage import logged_events
from projections.database import ProjectionDatabase
from projections.register_rows import (
    RefusalRow,
    RegisterEntry,
    RegisterQuery,
    RegisterRow,
    refusal_row,
    register_rows,
    uk_day_ends,
    uk_day_starts,
    utc_text,
)
from projections.runner import Positioned

ROWS = "vtr_disclosure_register"
REFUSALS = "vtr_sharing_refusals"
PAGE = 1000
ROW_COLUMNS = (
    "position",
    "recipient_no",
    "referral_id",
    "disclosed_at",
    "recorded_at",
    "disclosing_agency_id",
    "recipient_agency_id",
    "row",
)
ROW_TABLE = (
    "position BIGINT NOT NULL, recipient_no INTEGER NOT NULL, referral_id TEXT NOT NULL, "
    "disclosed_at TEXT NOT NULL, recorded_at TEXT NOT NULL, disclosing_agency_id TEXT NOT NULL, "
    "recipient_agency_id TEXT NOT NULL, row TEXT NOT NULL, PRIMARY KEY (position, recipient_no)"
)
CREATE = (
    "CREATE TABLE IF NOT EXISTS {rows} (" + ROW_TABLE + ")",
    "CREATE INDEX IF NOT EXISTS {rows_discloser} ON {rows} (disclosing_agency_id, position)",
    "CREATE INDEX IF NOT EXISTS {rows_recipient} ON {rows} (recipient_agency_id, position)",
    "CREATE INDEX IF NOT EXISTS {rows_disclosed_at} ON {rows} (disclosed_at)",
    (
        "CREATE TABLE IF NOT EXISTS {refusals} "
        "(position BIGINT PRIMARY KEY, referral_id TEXT NOT NULL, row TEXT NOT NULL)"
    ),
    "CREATE INDEX IF NOT EXISTS {refusals_referral} ON {refusals} (referral_id, position)",
)
# After the last row of the page before: rows are read in (position, recipient_no) order.
AFTER = "(position > {mark} OR (position = {mark} AND recipient_no > {mark}))"


class DisclosureRegister:
    name = "disclosure_register"
    topics = (InformationDisclosed.TOPIC, DisputePackDisclosed.TOPIC, SharingRefused.TOPIC)
    tracking_key = "vtr:disclosure_register"

    def __init__(self, db: ProjectionDatabase) -> None:
        self.db = db
        self._sql = partial(
            db.dialect.statement,
            rows=ROWS,
            rows_discloser=f"{ROWS}_discloser",
            rows_recipient=f"{ROWS}_recipient",
            rows_disclosed_at=f"{ROWS}_disclosed_at",
            refusals=REFUSALS,
            refusals_referral=f"{REFUSALS}_referral",
            columns=ROW_COLUMNS,
            after=db.dialect.fragment(AFTER),
            page=PAGE,
        )
        self._create = [self._sql(statement) for statement in CREATE]
        self._insert_row = self._sql(
            "INSERT INTO {rows} ({columns}) VALUES ({marks})", marks=db.dialect.marks(8)
        )
        self._insert_refusal = self._sql(
            "INSERT INTO {refusals} (position, referral_id, row) VALUES ({mark},{mark},{mark})"
        )
        self._between = self._sql(
            "SELECT position, recipient_no, row FROM {rows} "
            "WHERE disclosed_at >= {mark} AND disclosed_at < {mark} AND {after} "
            "ORDER BY position, recipient_no LIMIT {page}"
        )
        self._refusals = self._sql(
            "SELECT row FROM {refusals} WHERE referral_id={mark} ORDER BY position"
        )

    def create_table(self) -> None:
        self.db.create(self._create)

    def position(self) -> int:
        return self.db.position(self.tracking_key)

    def apply(self, batch: Sequence[Positioned], after: int, up_to: int) -> bool:
        rows: list[tuple[object, ...]] = []
        refusals: list[tuple[object, ...]] = []
        for position, event in batch:
            if isinstance(event, InformationDisclosed | DisputePackDisclosed):
                rows.extend(_row_values(row) for row in register_rows(position, event))
            elif isinstance(event, SharingRefused):
                refused = refusal_row(position, event)
                refusals.append((position, str(refused.referral_id), refused.model_dump_json()))
        writes = [(self._insert_row, rows), (self._insert_refusal, refusals)]
        return self.db.advance(self.tracking_key, after, up_to, lambda _read: writes)

    def clear(self) -> None:
        self.db.clear([ROWS, REFUSALS], self.tracking_key)

    def entries(self, query: RegisterQuery) -> Iterator[RegisterEntry]:
        """The agency's register in log order, read a page at a time."""
        where, params = self._where(query)
        statement = self._sql(
            "SELECT position, recipient_no, row FROM {rows} WHERE {where} AND {after} "
            "ORDER BY position, recipient_no LIMIT {page}",
            where=where,
        )
        after: tuple[int, int] = (0, 0)
        while True:
            page = self.db.rows(statement, [*params, after[0], after[0], after[1]])
            for found in page:
                entry = query.entry(RegisterRow.model_validate_json(found["row"]))
                if entry is not None:
                    yield entry
            if len(page) < PAGE:
                return
            after = (page[-1]["position"], page[-1]["recipient_no"])

    def rows_between(self, period_from: str, period_to: str) -> Iterator[RegisterRow]:
        """Every row disclosed in [from, to), as UTC texts (for records of processing)."""
        after = (0, 0)
        while True:
            page = self.db.rows(
                self._between, [period_from, period_to, after[0], after[0], after[1]]
            )
            yield from (RegisterRow.model_validate_json(found["row"]) for found in page)
            if len(page) < PAGE:
                return
            after = (page[-1]["position"], page[-1]["recipient_no"])

    def refusals(self, referral_id: UUID) -> list[RefusalRow]:
        rows = self.db.rows(self._refusals, [str(referral_id)])
        return [RefusalRow.model_validate_json(row["row"]) for row in rows]

    def _where(self, query: RegisterQuery) -> tuple[Composed, list[object]]:
        clause = self.db.dialect.fragment
        agency = str(query.agency_id)
        clauses = [clause("(disclosing_agency_id = {mark} OR recipient_agency_id = {mark})")]
        params: list[object] = [agency, agency]
        if query.period_from is not None:
            clauses.append(clause("disclosed_at >= {mark}"))
            params.append(uk_day_starts(query.period_from))
        if query.period_to is not None:
            clauses.append(clause("disclosed_at < {mark}"))
            params.append(uk_day_ends(query.period_to))
        if query.referral_id is not None:
            clauses.append(clause("referral_id = {mark}"))
            params.append(str(query.referral_id))
        if query.counterpart_id is not None:
            other = str(query.counterpart_id)
            clauses.append(
                clause(
                    "((disclosing_agency_id = {mark} AND recipient_agency_id = {mark}) OR "
                    "(recipient_agency_id = {mark} AND disclosing_agency_id = {mark}))"
                )
            )
            params.extend([agency, other, agency, other])
        return self.db.dialect.join(" AND ", clauses), params


def register_as_of(
    recorder: ApplicationRecorder, as_of: datetime, query: RegisterQuery
) -> Iterator[RegisterEntry]:
    """The agency's register exactly as it stood at `as_of`: folded from the log itself, a
    page at a time (memory stays flat however long the log)."""
    topics = [InformationDisclosed.TOPIC, DisputePackDisclosed.TOPIC]
    for position, event in logged_events(recorder, topics, PAGE):
        if isinstance(event, InformationDisclosed | DisputePackDisclosed) and (
            event.audit.occurred_at <= as_of
        ):
            for row in register_rows(position, event):
                if (entry := query.entry(row)) is not None:
                    yield entry


def _row_values(row: RegisterRow) -> tuple[Any, ...]:
    return (
        row.position,
        row.recipient_no,
        str(row.referral_id),
        utc_text(row.disclosed_at),
        utc_text(row.recorded_at),
        str(row.disclosing_agency.agency_id),
        str(row.recipient_agency.agency_id),
        row.model_dump_json(),
    )
