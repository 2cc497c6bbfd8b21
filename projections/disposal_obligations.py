"""Section 8 obligations as rows: what each recipient must delete or return, by when.

Whether an open obligation is overdue depends on the day it is read, so the view stores due
dates and the status is decided by the query for the day it is asked about. Events of a
batch are written in log order, because a hold placed earlier in a batch must suspend an
obligation raised later in it.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from functools import partial
from typing import Any
from uuid import UUID

from psycopg.sql import Composed
from pydantic import BaseModel, ConfigDict

from events.disposal import (
    AgencyInvolvementEnded,
    AgencyInvolvementEndProposed,
    DisposalConfirmed,
    DisposalObligationRaised,
    LegalHoldLifted,
    LegalHoldPlaced,
)
from events.statements import Dialect
from projections.database import ProjectionDatabase, StatementProjection, Write
from projections.register_rows import utc_text

OBLIGATIONS = "vtr_disposal_obligations"
PROPOSALS = "vtr_involvement_end_proposals"
HOLDS = "vtr_legal_holds"
OBLIGATION_COLUMNS = (
    "referral_id",
    "obligation_no",
    "agency_id",
    "agency_name",
    "disclosure_no",
    "disclosing_agency_id",
    "disclosing_agency_name",
    "information_category",
    "disclosed_at",
    "raised_on",
    "due_on",
    "held",
    "discharged_on",
    "confirmations",
    "last_method",
    "last_disposed_on",
    "last_certified_by",
)
CREATE = (
    (
        "CREATE TABLE IF NOT EXISTS {obligations} (referral_id TEXT NOT NULL, "
        "obligation_no INTEGER NOT NULL, agency_id TEXT NOT NULL, agency_name TEXT NOT NULL, "
        "disclosure_no INTEGER NOT NULL, disclosing_agency_id TEXT NOT NULL, "
        "disclosing_agency_name TEXT NOT NULL, information_category TEXT NOT NULL, "
        "disclosed_at TEXT NOT NULL, raised_on TEXT NOT NULL, due_on TEXT NOT NULL, "
        "held INTEGER NOT NULL, discharged_on TEXT, confirmations INTEGER NOT NULL, "
        "last_method TEXT, last_disposed_on TEXT, last_certified_by TEXT, "
        "PRIMARY KEY (referral_id, obligation_no))"
    ),
    "CREATE INDEX IF NOT EXISTS {obligations_agency} ON {obligations} (agency_id, due_on)",
    (
        "CREATE TABLE IF NOT EXISTS {proposals} (referral_id TEXT NOT NULL, "
        "agency_id TEXT NOT NULL, agency_name TEXT NOT NULL, because TEXT NOT NULL, "
        "proposed_at TEXT NOT NULL, PRIMARY KEY (referral_id, agency_id))"
    ),
    (
        "CREATE TABLE IF NOT EXISTS {holds} (referral_id TEXT PRIMARY KEY, "
        "hold_no INTEGER NOT NULL, ground TEXT NOT NULL, placed_at TEXT NOT NULL)"
    ),
)


class ObligationStatus(StrEnum):
    OPEN = "open"
    OVERDUE = "overdue"
    SUSPENDED = "suspended"  # a legal hold is in force on the case
    DISCHARGED = "discharged"


class ObligationRow(BaseModel):
    model_config = ConfigDict(frozen=True)

    referral_id: UUID
    obligation_no: int
    agency_id: UUID
    agency_name: str
    disclosure_no: int
    disclosing_agency_id: UUID
    disclosing_agency_name: str
    information_category: str
    disclosed_at: str
    raised_on: date
    due_on: date
    status: ObligationStatus
    discharged_on: date | None
    confirmations: int
    last_method: str | None
    last_disposed_on: date | None
    last_certified_by: str | None


class InvolvementEndProposal(BaseModel):
    model_config = ConfigDict(frozen=True)

    referral_id: UUID
    agency_id: UUID
    agency_name: str
    because: str
    proposed_at: str


class ObligationQuery(BaseModel):
    """Which obligations to list, and the day whose status they are read for."""

    model_config = ConfigDict(frozen=True)

    today: date
    agency_id: UUID | None = None
    referral_id: UUID | None = None
    status: ObligationStatus | None = None


class DisposalObligations(StatementProjection):
    name = "disposal_obligations"
    topics = tuple(
        event.TOPIC
        for event in (
            AgencyInvolvementEndProposed,
            AgencyInvolvementEnded,
            DisposalObligationRaised,
            DisposalConfirmed,
            LegalHoldPlaced,
            LegalHoldLifted,
        )
    )
    tracking_key = "vtr:disposal_obligations"

    tables = (OBLIGATIONS, PROPOSALS, HOLDS)

    def __init__(self, db: ProjectionDatabase) -> None:
        super().__init__(db)
        sql = partial(
            db.dialect.statement,
            obligations=OBLIGATIONS,
            obligations_agency=f"{OBLIGATIONS}_agency",
            proposals=PROPOSALS,
            holds=HOLDS,
            columns=OBLIGATION_COLUMNS,
        )
        self.create_statements = [sql(statement) for statement in CREATE]
        self._propose = sql(
            "INSERT INTO {proposals} (referral_id, agency_id, agency_name, because, proposed_at) "
            "VALUES ({mark},{mark},{mark},{mark},{mark})"
        )
        self._settle = sql("DELETE FROM {proposals} WHERE referral_id={mark} AND agency_id={mark}")
        self._raise = sql(
            "INSERT INTO {obligations} ({columns}) SELECT {raised}, CASE WHEN EXISTS "
            "(SELECT 1 FROM {holds} WHERE referral_id={mark}) THEN 1 ELSE 0 END, "
            "NULL, 0, NULL, NULL, NULL",
            raised=db.dialect.marks(11),
        )
        self._confirm = sql(
            "UPDATE {obligations} SET confirmations = confirmations + 1, last_method={mark}, "
            "last_disposed_on={mark}, last_certified_by={mark}, "
            "discharged_on = CASE WHEN {mark} = 1 THEN {mark} ELSE discharged_on END "
            "WHERE referral_id={mark} AND obligation_no={mark}"
        )
        self._hold = sql(
            "INSERT INTO {holds} (referral_id, hold_no, ground, placed_at) "
            "VALUES ({mark},{mark},{mark},{mark})"
        )
        self._suspend = sql("UPDATE {obligations} SET held=1 WHERE referral_id={mark}")
        self._release = sql("DELETE FROM {holds} WHERE referral_id={mark}")
        self._resume = sql("UPDATE {obligations} SET held=0 WHERE referral_id={mark}")
        self._redate = sql(
            "UPDATE {obligations} SET due_on={mark} "
            "WHERE referral_id={mark} AND discharged_on IS NULL"
        )
        self._list = partial(
            sql,
            "SELECT {columns} FROM {obligations} WHERE {where} "
            "ORDER BY due_on, referral_id, obligation_no",
        )
        self._proposals = partial(
            sql,
            "SELECT referral_id, agency_id, agency_name, because, proposed_at FROM {proposals}"
            "{where} ORDER BY proposed_at, referral_id",
        )

    def _writes(self, event: Any) -> list[Write]:  # noqa: PLR0911 (one branch per event type)
        case = str(event.originator_id)
        if isinstance(event, AgencyInvolvementEndProposed):
            ref = event.agency
            proposed_at = utc_text(event.audit.occurred_at)
            proposal = (case, str(ref.agency_id), ref.name, event.because.value, proposed_at)
            return [(self._propose, [proposal])]
        if isinstance(event, AgencyInvolvementEnded):
            return [(self._settle, [(case, str(event.agency.agency_id))])]
        if isinstance(event, DisposalObligationRaised):
            return [(self._raise, [_raised_row(event)])]
        if isinstance(event, DisposalConfirmed):
            done = 1 if event.complete else 0
            day = event.disposed_on.isoformat()
            row = (
                event.method.value,
                day,
                event.certified_by,
                done,
                day,
                case,
                event.obligation_no,
            )
            return [(self._confirm, [row])]
        if isinstance(event, LegalHoldPlaced):
            placed_at = utc_text(event.audit.occurred_at)
            hold = (case, event.hold_no, event.ground.value, placed_at)
            return [(self._hold, [hold]), (self._suspend, [(case,)])]
        if isinstance(event, LegalHoldLifted):
            writes: list[Write] = [(self._release, [(case,)]), (self._resume, [(case,)])]
            if event.obligations_due_on is not None:
                writes.append((self._redate, [(event.obligations_due_on.isoformat(), case)]))
            return writes
        return []

    def obligations(self, query: ObligationQuery) -> list[ObligationRow]:
        """Obligations in due-date order, each with its status on `query.today`."""
        dialect = self.db.dialect
        clauses = [dialect.fragment("1=1")]
        params: list[object] = []
        if query.agency_id is not None:
            clauses.append(dialect.fragment("agency_id={mark}"))
            params.append(str(query.agency_id))
        if query.referral_id is not None:
            clauses.append(dialect.fragment("referral_id={mark}"))
            params.append(str(query.referral_id))
        if query.status is not None:
            clause, extra = _status_clause(query.status, query.today, dialect)
            clauses.append(clause)
            params.extend(extra)
        rows = self.db.rows(self._list(where=dialect.join(" AND ", clauses)), params)
        return [_obligation(row, query.today) for row in rows]

    def proposals(self, agency_id: UUID | None = None) -> list[InvolvementEndProposal]:
        """Ends of involvement the process proposed and nobody has confirmed yet."""
        where = " WHERE agency_id={mark}" if agency_id else ""
        params = [str(agency_id)] if agency_id else []
        rows = self.db.rows(self._proposals(where=self.db.dialect.fragment(where)), params)
        return [InvolvementEndProposal.model_validate(dict(row)) for row in rows]


def _raised_row(event: DisposalObligationRaised) -> tuple[object, ...]:
    case = str(event.originator_id)
    return (
        case,
        event.obligation_no,
        str(event.agency.agency_id),
        event.agency.name,
        event.disclosure_no,
        str(event.disclosing_agency.agency_id),
        event.disclosing_agency.name,
        event.information_category,
        utc_text(event.disclosed_at),
        event.raised_on.isoformat(),
        event.due_on.isoformat(),
        case,
    )


def _status_clause(
    status: ObligationStatus, today: date, dialect: Dialect
) -> tuple[Composed, list[object]]:
    if status is ObligationStatus.DISCHARGED:
        return dialect.fragment("discharged_on IS NOT NULL"), []
    if status is ObligationStatus.SUSPENDED:
        return dialect.fragment("discharged_on IS NULL AND held=1"), []
    if status is ObligationStatus.OVERDUE:
        return dialect.fragment("discharged_on IS NULL AND held=0 AND due_on < {mark}"), [
            today.isoformat()
        ]
    return dialect.fragment("discharged_on IS NULL AND held=0 AND due_on >= {mark}"), [
        today.isoformat()
    ]


def obligation_status(row: Any, today: date) -> ObligationStatus:
    if row["discharged_on"] is not None:
        return ObligationStatus.DISCHARGED
    if row["held"]:
        return ObligationStatus.SUSPENDED
    if date.fromisoformat(row["due_on"]) < today:
        return ObligationStatus.OVERDUE
    return ObligationStatus.OPEN


def _obligation(row: Any, today: date) -> ObligationRow:
    fields = {name: row[name] for name in OBLIGATION_COLUMNS if name != "held"}
    return ObligationRow.model_validate({**fields, "status": obligation_status(row, today)})
