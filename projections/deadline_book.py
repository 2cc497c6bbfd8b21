"""Deadlines as a book kept from the log: each deadline opened by the event that anchors it,
met by the event that discharges it. Folded on demand, in log order, from envelopes, numbers
and dates only (personal data stays sealed)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from aggregates.calendar import uk_date
from aggregates.process_clock import DeadlineKind, DeadlineStatus, ProcessClock, status_on
from events.base import AuditEnvelope, DomainEvent
from events.forms import AgencyRef
from events.vocabulary import Role

E = TypeVar("E", bound=DomainEvent)
Key = tuple[UUID, DeadlineKind, int]  # (referral, kind, number of what it is about)


@dataclass(frozen=True)
class Responsible:
    """Who a deadline falls on: an agency (by directory id), a role, or both."""

    agency_id: UUID | None
    agency: str
    role: Role | None

    @classmethod
    def actor(cls, audit: AuditEnvelope, role: Role | None = None) -> Responsible:
        return cls(audit.actor_agency_id, audit.actor_agency, role or audit.actor_role)

    @classmethod
    def agency_only(cls, agency: AgencyRef) -> Responsible:
        return cls(agency.agency_id, agency.name, None)


class Deadline(BaseModel):
    """One deadline of one case: its rule, who it falls on, and its dates."""

    model_config = ConfigDict(frozen=True)

    referral_id: UUID
    code: DeadlineKind
    rule: str
    about: str
    agency_id: UUID | None
    agency: str
    role: Role | None
    anchor_on: date
    due_on: date
    met_on: date | None = None
    suspended: bool = False
    warning: str | None = None

    def status_on(self, day: date) -> DeadlineStatus:
        return status_on(self.due_on, self.met_on, day, suspended=self.suspended)


class DeadlineBook:
    """The deadlines so far, and what the folds remember to open the next ones."""

    def __init__(self, clock: ProcessClock) -> None:
        self.clock = clock
        self.deadlines: dict[Key, Deadline] = {}
        self.mash: dict[UUID, Responsible] = {}  # the triage that screened each referral
        self.meeting_days: dict[tuple[UUID, int], date] = {}
        self.strategy_meetings_at: dict[UUID, datetime] = {}
        self.signatures: Counter[UUID] = Counter()
        self.reviews: Counter[UUID] = Counter()  # review deadlines opened per case
        self.held: set[UUID] = set()  # cases under a legal hold

    def open(
        self,
        event: DomainEvent,
        key: tuple[DeadlineKind, int, str],
        anchor_on: date,
        by: Responsible,
        **stated: Any,
    ) -> None:
        """Open the deadline `key` (kind, number, what it is about) anchored on `anchor_on`;
        its due date is counted by the clock unless the process stated it (`due_on`)."""
        kind, number, about = key
        due_on = stated.pop("due_on", None) or self.clock.due_on(kind, anchor_on)
        self.deadlines[(event.originator_id, kind, number)] = Deadline(
            referral_id=event.originator_id,
            code=kind,
            rule=self.clock.rule(kind),
            about=about,
            agency_id=by.agency_id,
            agency=by.agency,
            role=by.role,
            anchor_on=anchor_on,
            due_on=due_on,
            **stated,
        )

    def meet(self, referral_id: UUID, kind: DeadlineKind, number: int, on: date) -> None:
        """The first event that discharges a deadline meets it; later ones change nothing."""
        key = (referral_id, kind, number)
        found = self.deadlines.get(key)
        if found is not None and found.met_on is None:
            self.change(key, met_on=on)

    def re_anchor(self, key: Key, on: date) -> None:
        if key in self.deadlines:
            self.change(key, anchor_on=on, due_on=self.clock.due_on(key[1], on))

    def unmet(self, referral_id: UUID, kind: DeadlineKind) -> list[Key]:
        return [
            key
            for key, deadline in self.deadlines.items()
            if key[:2] == (referral_id, kind) and deadline.met_on is None
        ]

    def change(self, key: Key, **changes: Any) -> None:
        self.deadlines[key] = self.deadlines[key].model_copy(update=changes)


def day_of(event: DomainEvent) -> date:
    """The day the step took place: the date it states, else the day it was recorded."""
    return event.effective_on() or uk_date(event.audit.occurred_at)


Fold = Callable[[DeadlineBook, Any], None]


class DeadlineFolds:
    """One part of the process's deadline folds, by event topic."""

    def __init__(self) -> None:
        self.folds: dict[str, Fold] = {}

    def on(self, event_type: type[E]) -> Callable[[Callable[[DeadlineBook, E], None]], Fold]:
        def register(fold: Callable[[DeadlineBook, E], None]) -> Fold:
            if event_type.TOPIC in self.folds:
                raise RuntimeError(f"{event_type.TOPIC} already has a deadline fold")
            self.folds[event_type.TOPIC] = fold
            return fold

        return register
