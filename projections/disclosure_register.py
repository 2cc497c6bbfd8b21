"""The disclosure register: every disclosure and every refused attempt, as rows.

Live registers are read from this projection; the register as of a past moment is folded
from the log itself (`register_as_of`), with the same row function and the same filters.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from functools import partial
from typing import Any, Literal
from uuid import UUID

import structlog
from eventsourcing.persistence import ApplicationRecorder, StoredEvent
from psycopg.sql import Composed

from events.base import DomainEvent
from events.dispute import DisputePackDisclosed
from events.forms import AgencyRef
from events.sharing import InformationDisclosed, SharingRefused
from events.storage import EventMapper, logged_events
from projections.database import Append, ProjectionDatabase, Write
from projections.register_export import csv_text, entry_csv, entry_json, shaped
from projections.register_rows import (
    Direction,
    DisclosureEnvelope,
    RefusalRow,
    RegisterQuery,
    RegisterRow,
    refusal_row,
    register_rows,
    uk_day_ends,
    uk_day_starts,
    utc_text,
)
from projections.runner import Positioned

log = structlog.get_logger("vtr.projections")

ROWS = "vtr_disclosure_register"
REFUSALS = "vtr_sharing_refusals"
SCHEMAS = "vtr_view_schemas"  # shared with the case view: one row per view
SCHEMA_KEY = "disclosure_register"
# 2: each row is stored shaped for export (each party's JSON, the CSV cells).
SCHEMA_VERSION = 2
PAGE = 1000
# Stored by an event whose class has changed since (it is then upcast, so decoded in full).
CLASS_VERSION = b'"class_version"'
EXPORT_PAGE = 5000
ROW_COLUMNS = (
    "position",
    "recipient_no",
    "referral_id",
    "disclosed_at",
    "recorded_at",
    "disclosing_agency_id",
    "recipient_agency_id",
    "row",
    "disclosing_agency",
    "recipient_agency",
    "cells",
)
ROW_TABLE = (
    "position BIGINT NOT NULL, recipient_no INTEGER NOT NULL, referral_id TEXT NOT NULL, "
    "disclosed_at TEXT NOT NULL, recorded_at TEXT NOT NULL, disclosing_agency_id TEXT NOT NULL, "
    "recipient_agency_id TEXT NOT NULL, row TEXT NOT NULL, disclosing_agency TEXT NOT NULL, "
    "recipient_agency TEXT NOT NULL, cells TEXT NOT NULL, PRIMARY KEY (position, recipient_no)"
)
CREATE = (
    (
        "CREATE TABLE IF NOT EXISTS {schemas} "
        "(projection TEXT PRIMARY KEY, schema_version INTEGER NOT NULL)"
    ),
    "CREATE TABLE IF NOT EXISTS {rows} (" + ROW_TABLE + ")",
    (
        "CREATE INDEX IF NOT EXISTS {rows_discloser} "
        "ON {rows} (disclosing_agency_id, position, recipient_no)"
    ),
    (
        "CREATE INDEX IF NOT EXISTS {rows_recipient} "
        "ON {rows} (recipient_agency_id, position, recipient_no)"
    ),
    "CREATE INDEX IF NOT EXISTS {rows_disclosed_at} ON {rows} (disclosed_at)",
    (
        "CREATE TABLE IF NOT EXISTS {refusals} "
        "(position BIGINT PRIMARY KEY, referral_id TEXT NOT NULL, row TEXT NOT NULL)"
    ),
    "CREATE INDEX IF NOT EXISTS {refusals_referral} ON {refusals} (referral_id, position)",
)
# After the last row of the page before: rows are read in (position, recipient_no) order.
AFTER = "(position > {mark} OR (position = {mark} AND recipient_no > {mark}))"
# One side of an agency's register, a page after the last row read: each side is read along
# its own index, and the two pages merged (an OR of the two would read every row each page).
SIDE = (
    "SELECT * FROM (SELECT position, recipient_no, {shape} FROM {rows} "
    "WHERE {party} = {mark} AND {unless} position >= {mark} "
    "AND (position > {mark} OR recipient_no > {mark}){narrowed} "
    "ORDER BY position, recipient_no LIMIT {page}) AS {side}"
)
BOTH_SIDES = (
    "SELECT * FROM ({disclosed} UNION ALL {received}) AS found "
    "ORDER BY position, recipient_no LIMIT {page}"
)
# What each side reads: the entry's text is finished in Python (`entry_json`, `entry_csv`).
SHAPES = {
    ("json", "disclosed"): "row, recipient_agency AS counterpart",
    ("json", "received"): "row, disclosing_agency AS counterpart",
    ("csv", "disclosed"): "cells",
    ("csv", "received"): "cells",
}
Output = Literal["json", "csv"]


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
            schemas=SCHEMAS,
            columns=ROW_COLUMNS,
            after=db.dialect.fragment(AFTER),
            page=PAGE,
        )
        self._create = [self._sql(statement) for statement in CREATE]
        self._drop = [
            self._sql("DROP TABLE IF EXISTS {rows}"),
            self._sql("DROP TABLE IF EXISTS {refusals}"),
        ]
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
        self._mark_schema = self._sql(
            "INSERT INTO {schemas} (projection, schema_version) VALUES ({mark},{mark}) "
            "ON CONFLICT (projection) DO UPDATE SET schema_version=excluded.schema_version"
        )
        self._schema_version = self._sql(
            "SELECT schema_version FROM {schemas} WHERE projection={mark}"
        )

    def create_table(self) -> None:
        """Create the tables; a register stored in an older shape is dropped with its
        position first, so the worker folds the log into this one (the version is recorded
        only after, so a crash in between drops it again at the next start)."""
        self.db.create(self._create[:1])
        found = self.schema_version()
        if found != SCHEMA_VERSION:
            if found is not None or self.position():
                log.warning(
                    "disclosure_register_rebuilding",
                    stored_schema_version=found,
                    schema_version=SCHEMA_VERSION,
                    from_position=self.position(),
                )
            self.db.create(self._drop)
            self.db.clear([], self.tracking_key)
        self.db.create(self._create[1:])
        if found != SCHEMA_VERSION:
            self.db.run([(self._mark_schema, [(SCHEMA_KEY, SCHEMA_VERSION)])])

    def schema_version(self) -> int | None:
        """The shape the stored rows were written in (None: not recorded, so version 1)."""
        rows = self.db.rows(self._schema_version, [SCHEMA_KEY])
        return int(rows[0]["schema_version"]) if rows else None

    def position(self) -> int:
        return self.db.position(self.tracking_key)

    def apply(self, batch: Sequence[Positioned], after: int, up_to: int) -> bool:
        """The batch's rows appended (COPY on PostgreSQL) with the position, in one
        transaction."""
        rows: list[tuple[object, ...]] = []
        refusals: list[tuple[object, ...]] = []
        for position, event in batch:
            if isinstance(event, InformationDisclosed | DisputePackDisclosed):
                rows.extend(_row_values(row) for row in register_rows(position, event))
            elif isinstance(event, SharingRefused):
                refused = refusal_row(position, event)
                refusals.append((position, str(refused.referral_id), refused.model_dump_json()))
        writes: list[Write] = [Append(ROWS, ROW_COLUMNS, rows), (self._insert_refusal, refusals)]
        return self.db.advance(self.tracking_key, after, up_to, lambda _read: writes)

    def clear(self) -> None:
        self.db.clear([ROWS, REFUSALS], self.tracking_key)

    def exported(self, query: RegisterQuery, output: Output) -> Iterator[str]:
        """The agency's register in log order as its entries' texts (JSON or CSV lines),
        read a page at a time from the rows stored shaped for export."""
        sides, params = self._sides(query, output)
        statement = self._sql(BOTH_SIDES, disclosed=sides[0], received=sides[1], page=EXPORT_PAGE)
        after: tuple[int, int] = (0, 0)
        while True:
            page = self.db.rows(statement, params(*after))
            if output == "json":
                yield from (
                    entry_json(found["row"], found["direction"], found["counterpart"])
                    for found in page
                )
            else:
                yield from (entry_csv(found["direction"], found["cells"]) for found in page)
            if len(page) < EXPORT_PAGE:
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

    def _sides(
        self, query: RegisterQuery, output: Output
    ) -> tuple[tuple[Composed, Composed], Callable[[int, int], list[object]]]:
        """Each side's statement, and the parameters of a page after a given row."""
        clause = self.db.dialect.fragment
        agency = str(query.agency_id)
        narrowed: list[Composed] = []
        narrowing: list[object] = []
        if query.period_from is not None:
            narrowed.append(clause(" AND disclosed_at >= {mark}"))
            narrowing.append(uk_day_starts(query.period_from))
        if query.period_to is not None:
            narrowed.append(clause(" AND disclosed_at < {mark}"))
            narrowing.append(uk_day_ends(query.period_to))
        if query.referral_id is not None:
            narrowed.append(clause(" AND referral_id = {mark}"))
            narrowing.append(str(query.referral_id))
        if query.counterpart_id is not None:
            narrowing.append(str(query.counterpart_id))

        def side(direction: Direction, party: str, other: str, unless: str) -> Composed:
            by_counterpart = (
                [clause(" AND {other} = {mark}", other=other)] if query.counterpart_id else []
            )
            return clause(
                SIDE,
                shape=clause(f"'{direction}' AS direction, {SHAPES[output, direction]}"),
                rows=ROWS,
                party=party,
                unless=clause(unless),
                narrowed=self.db.dialect.join("", [*narrowed, *by_counterpart]),
                page=EXPORT_PAGE,
                side=f"{direction}_side",
            )

        sides = (
            side("disclosed", "disclosing_agency_id", "recipient_agency_id", ""),
            # A row the agency disclosed to itself is read once, on the disclosing side.
            side(
                "received",
                "recipient_agency_id",
                "disclosing_agency_id",
                "disclosing_agency_id <> {mark} AND",
            ),
        )

        def params(position: int, recipient_no: int) -> list[object]:
            marks = [position, position, recipient_no]
            return [agency, *marks, *narrowing, agency, agency, *marks, *narrowing]

        return sides, params


def register_as_of(
    recorder: ApplicationRecorder, as_of: datetime, query: RegisterQuery, output: Output
) -> Iterator[str]:
    """The agency's register exactly as it stood at `as_of`, as its entries' texts: folded
    from the log itself, a page at a time (memory stays flat however long the log)."""
    topics = [InformationDisclosed.TOPIC, DisputePackDisclosed.TOPIC]
    for position, event in logged_events(recorder, topics, PAGE, RegisterMapper(keys=None)):
        if isinstance(event, InformationDisclosed | DisputePackDisclosed) and (
            event.audit.occurred_at <= as_of
        ):
            for row in register_rows(position, event):
                if (side := query.side(row)) is not None:
                    yield _entry_text(row, *side, output)


class RegisterMapper(EventMapper):
    """Decodes what the register reads, personal data left sealed. A disclosure stored in
    its class's current version is validated from the stored JSON as its envelope alone
    (the sealed content and reasoning never parsed) and given as an event holding only
    those fields; any other event is decoded in full."""

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEvent:
        if stored_event.topic != InformationDisclosed.TOPIC or CLASS_VERSION in stored_event.state:
            return super().to_domain_event(stored_event)
        envelope = DisclosureEnvelope.model_validate_json(stored_event.state)
        return InformationDisclosed.model_construct(
            originator_id=_uuid(stored_event.originator_id),
            originator_version=stored_event.originator_version,
            **envelope.__dict__,
        )


def _uuid(value: UUID | str) -> UUID:
    return value if isinstance(value, UUID) else UUID(value)


def _entry_text(row: RegisterRow, direction: str, counterpart: AgencyRef, output: Output) -> str:
    if output == "json":
        return entry_json(row.model_dump_json(), direction, counterpart.model_dump_json())
    return entry_csv(direction, csv_text(row))


def _row_values(row: RegisterRow) -> tuple[Any, ...]:
    shape = shaped(row)
    return (
        row.position,
        row.recipient_no,
        str(row.referral_id),
        utc_text(row.disclosed_at),
        utc_text(row.recorded_at),
        str(row.disclosing_agency.agency_id),
        str(row.recipient_agency.agency_id),
        shape.row,
        shape.disclosing_agency,
        shape.recipient_agency,
        shape.cells,
    )
