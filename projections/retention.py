"""Records under the retention schedule: each referral's outcome, and when it is next due for
review.

The view keeps the outcome and the last review; the schedule (months per record class) is
configuration applied when the view is read, so a changed schedule applies to every record
at once, without a rebuild, as a retention policy should.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from functools import partial
from typing import Any
from uuid import UUID

from dateutil.relativedelta import relativedelta
from pydantic import BaseModel, ConfigDict

from aggregates.calendar import uk_date
from events.conclusion import ProcessConcluded, ReferredToAlternativeSupport
from events.disposal import LegalHoldLifted, LegalHoldPlaced
from events.erasure import ErasureExecuted, RetentionReviewed
from events.intake import ReferralScreenedOut
from events.personal import ERASABLE_GROUPS, KeyGroup
from events.vocabulary import RecordClass, RetentionDecision
from projections.database import ProjectionDatabase, StatementProjection, Write

RECORDS = "vtr_retention"
COLUMNS = (
    "referral_id",
    "record_class",
    "outcome_on",
    "next_review_on",
    "reviews",
    "last_decision",
    "erased_groups",
    "erased_count",
    "legal_hold",
)
CREATE = (
    (
        "CREATE TABLE IF NOT EXISTS {records} (referral_id TEXT PRIMARY KEY, "
        "record_class TEXT NOT NULL, outcome_on TEXT NOT NULL, next_review_on TEXT, "
        "reviews INTEGER NOT NULL, last_decision TEXT, erased_groups TEXT NOT NULL, "
        "erased_count INTEGER NOT NULL, legal_hold INTEGER NOT NULL)"
    ),
)
EVERY_GROUP = len(ERASABLE_GROUPS)


class RetentionRecord(BaseModel):
    model_config = ConfigDict(frozen=True)

    referral_id: UUID
    record_class: RecordClass
    outcome_on: date
    review_due_on: date
    reviews: int
    last_decision: RetentionDecision | None
    legal_hold: bool
    erased_groups: list[KeyGroup]


class RetentionRecords(StatementProjection):
    name = "retention"
    topics = tuple(
        event.TOPIC
        for event in (
            ReferralScreenedOut,
            ProcessConcluded,
            ReferredToAlternativeSupport,
            RetentionReviewed,
            ErasureExecuted,
            LegalHoldPlaced,
            LegalHoldLifted,
        )
    )
    tracking_key = "vtr:retention"

    tables = (RECORDS,)

    def __init__(self, db: ProjectionDatabase) -> None:
        super().__init__(db)
        sql = partial(db.dialect.statement, records=RECORDS, columns=COLUMNS)
        self.create_statements = [sql(statement) for statement in CREATE]
        # An outcome replaces an earlier one: screened out, then referred to alternative support.
        self._outcome = sql(
            "INSERT INTO {records} ({columns}) VALUES ({mark},{mark},{mark},NULL,0,NULL,'',0,0) "
            "ON CONFLICT (referral_id) DO UPDATE SET record_class=excluded.record_class, "
            "outcome_on=excluded.outcome_on"
        )
        self._reviewed = sql(
            "UPDATE {records} SET reviews={mark}, last_decision={mark}, next_review_on={mark} "
            "WHERE referral_id={mark}"
        )
        self._erased = sql(
            "UPDATE {records} SET erased_count = erased_count + {mark}, erased_groups = "
            "CASE WHEN erased_groups = '' THEN {mark} ELSE erased_groups || ',' || {mark} END "
            "WHERE referral_id={mark}"
        )
        self._hold = sql("UPDATE {records} SET legal_hold={mark} WHERE referral_id={mark}")
        self._due = partial(
            sql,
            "SELECT {columns} FROM {records} WHERE erased_count < {mark} "
            "AND (last_decision IS NULL OR last_decision <> 'erase') "
            "AND ((next_review_on IS NOT NULL AND next_review_on <= {mark}) OR "
            "(next_review_on IS NULL AND ({by_class}))) ORDER BY outcome_on, referral_id",
        )

    def _writes(self, event: Any) -> list[Write]:
        case = str(event.originator_id)
        outcome = _outcome(event)
        if outcome is not None:
            record_class, outcome_on = outcome
            return [(self._outcome, [(case, record_class.value, outcome_on.isoformat())])]
        if isinstance(event, RetentionReviewed):
            next_on = event.next_review_on.isoformat() if event.next_review_on else None
            row = (event.review_no, event.decision.value, next_on, case)
            return [(self._reviewed, [row])]
        if isinstance(event, ErasureExecuted):
            # The aggregate never erases a group twice, so the groups add up without repeats.
            groups = ",".join(event.key_groups)
            return [(self._erased, [(len(event.key_groups), groups, groups, case)])]
        if isinstance(event, LegalHoldPlaced | LegalHoldLifted):
            held = 1 if isinstance(event, LegalHoldPlaced) else 0
            return [(self._hold, [(held, case)])]
        return []

    def due_for_review(
        self, on: date, schedule: Mapping[RecordClass, int]
    ) -> list[RetentionRecord]:
        """Records due for review on `on`: past their next review date, or, never reviewed,
        past the schedule's period since their outcome. Erased and to-be-erased records are
        not listed."""
        dialect = self.db.dialect
        cutoffs = {cls: (on - relativedelta(months=months)) for cls, months in schedule.items()}
        one_class = dialect.fragment("(record_class={mark} AND outcome_on <= {mark})")
        by_class = dialect.join(" OR ", [one_class] * len(cutoffs))
        params: list[object] = [on.isoformat()]
        for record_class, cutoff in cutoffs.items():
            params.extend([record_class.value, cutoff.isoformat()])
        rows = self.db.rows(self._due(by_class=by_class), [EVERY_GROUP, *params])
        return [_record(row, schedule) for row in rows]


def _outcome(event: Any) -> tuple[RecordClass, date] | None:
    if isinstance(event, ReferralScreenedOut):
        return RecordClass.SCREENED_OUT, uk_date(event.audit.occurred_at)
    if isinstance(event, ProcessConcluded):
        return RecordClass.CONCLUDED, event.concluded_on
    if isinstance(event, ReferredToAlternativeSupport):
        return RecordClass.ALTERNATIVE_SUPPORT, event.referred_on
    return None


def _record(row: Any, schedule: Mapping[RecordClass, int]) -> RetentionRecord:
    record_class = RecordClass(row["record_class"])
    outcome_on = date.fromisoformat(row["outcome_on"])
    next_on = row["next_review_on"]
    due = (
        date.fromisoformat(next_on)
        if next_on
        else outcome_on + relativedelta(months=schedule[record_class])
    )
    return RetentionRecord(
        referral_id=row["referral_id"],
        record_class=record_class,
        outcome_on=outcome_on,
        review_due_on=due,
        reviews=row["reviews"],
        last_decision=row["last_decision"],
        legal_hold=bool(row["legal_hold"]),
        erased_groups=[KeyGroup(g) for g in row["erased_groups"].split(",") if g],
    )
