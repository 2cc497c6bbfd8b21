"""What every stage's case-view handlers share: how a handler is registered, and the changes
that more than one stage makes (an exit agreed, an action plan, an item of a list)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any, Literal, TypeVar

from events.base import DomainEvent
from events.forms import AgencyRef
from events.forms import PlannedAction as PlannedActionRecord
from events.vocabulary import Forum
from projections.case_view import Agency, CaseView, ExitAgreed, PlannedAction, Stage, ViewModel

E = TypeVar("E", bound=DomainEvent)
M = TypeVar("M", bound=ViewModel)
Handler = Callable[[CaseView, E], CaseView]
ExitKind = Literal["conclusion", "alternative_support"]


class Folds:
    """One stage's handlers, by event topic."""

    def __init__(self) -> None:
        self.handlers: dict[str, Handler[Any]] = {}

    def on(self, event_type: type[E]) -> Callable[[Handler[E]], Handler[E]]:
        """Register the handler of one event topic (only one: the view must not depend on
        which of two was registered last)."""

        def register(handler: Handler[E]) -> Handler[E]:
            if event_type.TOPIC in self.handlers:
                raise RuntimeError(f"{event_type.TOPIC} already has a case-view handler")
            self.handlers[event_type.TOPIC] = handler
            return handler

        return register

    def recorded_only(self, *event_types: type[DomainEvent]) -> None:
        """Events kept in the case's history and in registers of their own: the view only
        counts them in its version."""
        for event_type in event_types:
            self.on(event_type)(_unchanged)


def merged(*stages: Folds) -> dict[str, Handler[Any]]:
    handlers: dict[str, Handler[Any]] = {}
    for stage in stages:
        if twice := handlers.keys() & stage.handlers.keys():
            raise RuntimeError(f"{sorted(twice)} have two case-view handlers")
        handlers.update(stage.handlers)
    return handlers


def _unchanged(view: CaseView, _event: DomainEvent) -> CaseView:
    return view


def exit_agreed(
    view: CaseView, kind: ExitKind, forum: Forum, event: DomainEvent, on: date
) -> CaseView:
    """The exit agreed by `event`, on the day its forum sat (`aggregates.exit_day`)."""
    stage = Stage.EXIT_AGREED if kind == "conclusion" else Stage.ALTERNATIVE_SUPPORT_AGREED
    agreed = ExitAgreed(kind=kind, forum=forum, agreed_at=event.timestamp, agreed_on=on)
    return view.model_copy(update={"exit_agreed": agreed, "next_review_on": None, "stage": stage})


def action_plan(actions: Iterable[PlannedActionRecord]) -> tuple[PlannedAction, ...]:
    return tuple(
        PlannedAction(action_no=a.action_no, lead_agency=a.lead_agency, due_on=a.due_on)
        for a in actions
    )


def agency_of(agency: AgencyRef) -> Agency:
    return Agency(agency_id=agency.agency_id, name=agency.name, agency_type=agency.agency_type)


def changed(items: tuple[M, ...], matches: Callable[[M], bool], **changes: object) -> tuple[M, ...]:
    """`items` with the one that `matches` changed; an event naming an item never recorded
    does not belong to this history."""
    if not any(matches(item) for item in items):
        raise TypeError("event names an item the case never recorded")
    return tuple(item.model_copy(update=changes) if matches(item) else item for item in items)
