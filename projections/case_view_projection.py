"""Keeps the case view up to date: the referral fold, applied a batch at a time."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from aggregates.referral_evolution import evolve
from aggregates.referral_state import ReferralState
from events.registry import REFERRAL_EVENTS
from projections.case_view import CaseView, case_view
from projections.case_view_store import CaseViewStore
from projections.runner import Positioned


class CaseViewProjection:
    """Folds referral events into the case view with the same fold the aggregate uses."""

    name = "case_view"
    topics = tuple(event.TOPIC for event in REFERRAL_EVENTS)

    def __init__(self, store: CaseViewStore) -> None:
        self.store = store

    def position(self) -> int:
        return self.store.position()

    def apply(self, batch: Sequence[Positioned], after: int, up_to: int) -> bool:
        def fold(states: dict[UUID, ReferralState]) -> list[CaseView]:
            changed: dict[UUID, ReferralState] = {}
            for _, event in batch:
                state = evolve(states.get(event.originator_id), event)
                states[event.originator_id] = changed[event.originator_id] = state
            return [case_view(state) for state in changed.values()]

        referral_ids = {event.originator_id for _, event in batch}
        return self.store.advance(referral_ids, after, up_to, fold)
