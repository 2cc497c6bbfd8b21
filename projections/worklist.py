"""What the deadlines mean to the people they fall on: a worklist of what is due and overdue,
and a timeliness report of how each agency kept its deadlines over a period."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from aggregates.process_clock import DeadlineKind, DeadlineStatus, ProcessClock
from events.vocabulary import Role
from projections.deadline_book import Deadline

DUE = frozenset({DeadlineStatus.OPEN, DeadlineStatus.OVERDUE})


class WorkItem(Deadline):
    status: DeadlineStatus


def due_and_overdue(
    deadlines: Iterable[Deadline], on: date, agency_id: UUID | None, role: Role | None
) -> list[WorkItem]:
    """What is due and overdue on `on` for the agency and the role (either, both or neither
    given), soonest first."""
    items = [
        WorkItem(**deadline.model_dump(), status=deadline.status_on(on))
        for deadline in deadlines
        if (agency_id is None or deadline.agency_id == agency_id)
        and (role is None or deadline.role is role)
    ]
    due = [item for item in items if item.status in DUE]
    return sorted(due, key=lambda item: (item.due_on, str(item.referral_id), item.code, item.about))


def overdue_cases(deadlines: Iterable[Deadline], on: date, agency_id: UUID | None) -> set[UUID]:
    """The cases with at least one deadline overdue on `on` (falling on the agency, if one is
    given)."""
    return {
        item.referral_id
        for item in due_and_overdue(deadlines, on, agency_id, None)
        if item.status is DeadlineStatus.OVERDUE
    }


class KindTally(BaseModel):
    """How many deadlines of one kind, due in the period, stand where on the day."""

    model_config = ConfigDict(frozen=True)

    code: DeadlineKind
    rule: str
    met: int
    late: int
    open: int
    overdue: int
    suspended: int


class AgencyTimeliness(BaseModel):
    model_config = ConfigDict(frozen=True)

    agency_id: UUID | None
    agency: str
    kinds: list[KindTally]


def timeliness_by_agency(
    deadlines: Iterable[Deadline], period: tuple[date, date], on: date, clock: ProcessClock
) -> list[AgencyTimeliness]:
    """Per agency, per kind, the deadlines due in `period` (both ends included): how many
    were met, met late, or are still open (not yet due, overdue, or suspended) on `on`."""
    start, end = period
    tallies: dict[tuple[UUID | None, str], Counter[tuple[DeadlineKind, DeadlineStatus]]] = {}
    for deadline in deadlines:
        if start <= deadline.due_on <= end:
            agency = (deadline.agency_id, deadline.agency)
            tallies.setdefault(agency, Counter())[deadline.code, deadline.status_on(on)] += 1
    return [
        AgencyTimeliness(
            agency_id=agency_id, agency=name, kinds=_kinds(tallies[agency_id, name], clock)
        )
        for agency_id, name in sorted(tallies, key=lambda agency: (agency[1], str(agency[0])))
    ]


def _kinds(
    tally: Counter[tuple[DeadlineKind, DeadlineStatus]], clock: ProcessClock
) -> list[KindTally]:
    return [
        KindTally(
            code=kind,
            rule=clock.rule(kind),
            **{status.value: tally[kind, status] for status in DeadlineStatus},
        )
        for kind in DeadlineKind
        if any(tally[kind, status] for status in DeadlineStatus)
    ]
