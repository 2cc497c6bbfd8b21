"""Keeps the case view up to date: one small handler per referral event, folded a batch at a
time. The handlers live by stage in `projections/case_view_folds/`.

The view is folded from the events themselves, never from the aggregate's own state: what
the write side keeps in order to decide may change freely, what clients read may not. The
same fold answers a case recorded but not yet projected (`case_view`), so a read of one's
own change and the projected view can never differ.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID

from events.base import DomainEvent
from events.intake import ReferralReceived
from projections.case_view import CaseView
from projections.case_view_folds import (
    conclusion,
    consent,
    disposal,
    dispute,
    erasure,
    intake,
    meetings,
    review,
    sharing,
    strategy_discussion,
    strategy_meeting,
)
from projections.case_view_folds.folding import Handler, merged
from projections.case_view_next_step import next_step
from projections.case_view_store import CaseViewStore
from projections.runner import Positioned

HANDLERS: dict[str, Handler[Any]] = merged(
    intake.FOLDS,
    strategy_discussion.FOLDS,
    strategy_meeting.FOLDS,
    review.FOLDS,
    conclusion.FOLDS,
    dispute.FOLDS,
    meetings.FOLDS,
    consent.FOLDS,
    sharing.FOLDS,
    disposal.FOLDS,
    erasure.FOLDS,
)
TOPICS = (ReferralReceived.TOPIC, *HANDLERS)


def case_view(events: Iterable[DomainEvent]) -> CaseView:
    """The view of one referral from its own events, in order."""
    view: CaseView | None = None
    for event in events:
        view = fold(view, event)
    if view is None:
        raise ValueError("a case view is folded from at least the referral's receipt")
    return view


def fold(view: CaseView | None, event: DomainEvent) -> CaseView:
    """The view after `event`."""
    if view is None:
        if not isinstance(event, ReferralReceived):
            raise TypeError(
                f"a referral's history must start with ReferralReceived, not {event.TOPIC}"
            )
        changed = intake.received(event)
    else:
        handler = HANDLERS.get(event.TOPIC)
        if handler is None:
            raise TypeError(f"{event.TOPIC} does not apply to a referral")
        changed = handler(view, event)
    stamped = changed.model_copy(
        update={
            "version": event.originator_version,
            "last_changed_at": event.audit.occurred_at,
            "open_dispute": any(dispute.resolved_at is None for dispute in changed.disputes),
        }
    )
    return stamped.model_copy(update={"next_step": next_step(stamped)})


class CaseViewProjection:
    """Folds referral events into the case view, a batch per transaction."""

    name = "case_view"
    topics = TOPICS

    def __init__(self, store: CaseViewStore) -> None:
        self.store = store

    def position(self) -> int:
        return self.store.position()

    def apply(self, batch: Sequence[Positioned], after: int, up_to: int) -> bool:
        def fold_batch(views: dict[UUID, CaseView]) -> list[CaseView]:
            changed: dict[UUID, CaseView] = {}
            for _, event in batch:
                view = fold(views.get(event.originator_id), event)
                views[event.originator_id] = changed[event.originator_id] = view
            return list(changed.values())

        referral_ids = {event.originator_id for _, event in batch}
        return self.store.advance(referral_ids, after, up_to, fold_batch)
