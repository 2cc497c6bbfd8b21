"""Section 8 obligations as rows: what each recipient must delete or return, by when.

Whether an open obligation is overdue depends on the day it is read, so the view stores due
dates and the status is decided by the query for the day it is asked about. Events of a
batch are written in log order, because a hold placed earlier in a batch must suspend an
obligation raised later in it.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from events.disposal import (
    AgencyInvolvementEnded,
    AgencyInvolvementEndProposed,
    DisposalConfirmed,
    DisposalObligationRaised,
    LegalHoldLifted,
    LegalHoldPlaced,
)
from projections.database import ProjectionDatabase, StatementProjection, Write
from projections.register_rows import utc_text

OBLIGATIONS = "vtr_disposal_obligations"
PROPOSALS = "vtr_involvement_end_proposals"
HOLDS = "vtr_legal_holds"
OBLIGATION_COLUMNS = (
    "referral_id, obligation_no, agency_id, agency_name, disclosure_no, disclosing_agency_id, "
    "disclosing_agency_name, information_category, disclosed_at, raised_on, due_on, held, "
    "discharged_on, confirmations, last_method, last_disposed_on, last_certified_by"
)
CREATE = (
    (
        f"CREATE TABLE IF NOT EXISTS {OBLIGATIONS} (referral_id TEXT NOT NULL, "
        "obligation_no INTEGER NOT NULL, agency_id TEXT NOT NULL, agency_name TEXT NOT NULL, "
        "disclosure_no INTEGER NOT NULL, disclosing_agency_id TEXT NOT NULL, "
        "disclosing_agency_name TEXT NOT NULL, information_category TEXT NOT NULL, "
        "disclosed_at TEXT NOT NULL, raised_on TEXT NOT NULL, due_on TEXT NOT NULL, "
        "held INTEGER NOT NULL, discharged_on TEXT, confirmations INTEGER NOT NULL, "
        "last_method TEXT, last_disposed_on TEXT, last_certified_by TEXT, "
        "PRIMARY KEY (referral_id, obligation_no))"
    ),
    f"CREATE INDEX IF NOT EXISTS {OBLIGATIONS}_agency ON {OBLIGATIONS} (agency_id, due_on)",
    (
        f"CREATE TABLE IF NOT EXISTS {PROPOSALS} (referral_id TEXT NOT NULL, "
        "agency_id TEXT NOT NULL, agency_name TEXT NOT NULL, because TEXT NOT NULL, "
        "proposed_at TEXT NOT NULL, PRIMARY KEY (referral_id, agency_id))"
    ),
    (
        f"CREATE TABLE IF NOT EXISTS {HOLDS} (referral_id TEXT PRIMARY KEY, "
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

    create_statements = CREATE
    tables = (OBLIGATIONS, PROPOSALS, HOLDS)

    def __init__(self, db: ProjectionDatabase) -> None:
        super().__init__(db)
        m = db.MARK
        self._propose = (
            f"INSERT INTO {PROPOSALS} (referral_id, agency_id, agency_name, because, proposed_at) "
            f"VALUES ({m},{m},{m},{m},{m})"
        )
        self._settle = f"DELETE FROM {PROPOSALS} WHERE referral_id={m} AND agency_id={m}"
        self._raise = (
            f"INSERT INTO {OBLIGATIONS} ({OBLIGATION_COLUMNS}) "
            f"SELECT {','.join([m] * 11)}, "
            f"CASE WHEN EXISTS (SELECT 1 FROM {HOLDS} WHERE referral_id={m}) THEN 1 ELSE 0 END, "
            "NULL, 0, NULL, NULL, NULL"
        )
        self._confirm = (
            f"UPDATE {OBLIGATIONS} SET confirmations = confirmations + 1, last_method={m}, "
            f"last_disposed_on={m}, last_certified_by={m}, "
            f"discharged_on = CASE WHEN {m} = 1 THEN {m} ELSE discharged_on END "
            f"WHERE referral_id={m} AND obligation_no={m}"
        )
        self._hold = (
            f"INSERT INTO {HOLDS} (referral_id, hold_no, ground, placed_at) "
            f"VALUES ({m},{m},{m},{m})"
        )
        self._suspend = f"UPDATE {OBLIGATIONS} SET held=1 WHERE referral_id={m}"
        self._release = f"DELETE FROM {HOLDS} WHERE referral_id={m}"
        self._resume = f"UPDATE {OBLIGATIONS} SET held=0 WHERE referral_id={m}"
        self._redate = (
            f"UPDATE {OBLIGATIONS} SET due_on={m} WHERE referral_id={m} AND discharged_on IS NULL"
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
        m = self.db.MARK
        clauses: list[str] = ["1=1"]
        params: list[object] = []
        if query.agency_id is not None:
            clauses.append(f"agency_id={m}")
            params.append(str(query.agency_id))
        if query.referral_id is not None:
            clauses.append(f"referral_id={m}")
            params.append(str(query.referral_id))
        if query.status is not None:
            clause, extra = _status_clause(query.status, query.today, m)
            clauses.append(clause)
            params.extend(extra)
        rows = self.db.rows(
            f"SELECT {OBLIGATION_COLUMNS} FROM {OBLIGATIONS} WHERE {' AND '.join(clauses)} "
            "ORDER BY due_on, referral_id, obligation_no",
            params,
        )
        return [_obligation(row, query.today) for row in rows]

    def proposals(self, agency_id: UUID | None = None) -> list[InvolvementEndProposal]:
        """Ends of involvement the process proposed and nobody has confirmed yet."""
        m = self.db.MARK
        where, params = ("WHERE agency_id=" + m, [str(agency_id)]) if agency_id else ("", [])
        rows = self.db.rows(
            f"SELECT referral_id, agency_id, agency_name, because, proposed_at FROM {PROPOSALS} "
            f"{where} ORDER BY proposed_at, referral_id",
            params,
        )
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


def _status_clause(status: ObligationStatus, today: date, mark: str) -> tuple[str, list[object]]:
    if status is ObligationStatus.DISCHARGED:
        return "discharged_on IS NOT NULL", []
    if status is ObligationStatus.SUSPENDED:
        return "discharged_on IS NULL AND held=1", []
    comparison = "<" if status is ObligationStatus.OVERDUE else ">="
    return f"discharged_on IS NULL AND held=0 AND due_on {comparison} {mark}", [today.isoformat()]


def obligation_status(row: Any, today: date) -> ObligationStatus:
    if row["discharged_on"] is not None:
        return ObligationStatus.DISCHARGED
    if row["held"]:
        return ObligationStatus.SUSPENDED
    if date.fromisoformat(row["due_on"]) < today:
        return ObligationStatus.OVERDUE
    return ObligationStatus.OPEN


def _obligation(row: Any, today: date) -> ObligationRow:
    fields = {name: row[name] for name in OBLIGATION_COLUMNS.split(", ") if name != "held"}
    return ObligationRow.model_validate({**fields, "status": obligation_status(row, today)})
