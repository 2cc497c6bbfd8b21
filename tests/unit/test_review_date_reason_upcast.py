"""A strategy meeting's conclusion and a review stored in version 1 (before a review date
outside 4-6 weeks kept its reason) still read: as version 2 events with no reason, from the
bytes version 1 wrote; the worklist then warns that no reason was recorded."""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

import pytest
from eventsourcing.persistence import StoredEvent

from events.base import DomainEvent
from events.review import ReviewHeld
from events.storage import EventMapper
from events.strategy_meeting import StrategyMeetingConcluded

FIXTURES = Path(__file__).parent.parent / "fixtures"
CASE = UUID("6a1f5c3e-0000-4000-8000-000000000010")


@pytest.mark.parametrize(
    ("event_class", "fixture", "version"),
    [
        (StrategyMeetingConcluded, "strategy_meeting_concluded_v1.json", 11),
        (ReviewHeld, "review_held_v1.json", 12),
    ],
)
def test_a_version_1_record_reads_with_no_reason(
    event_class: type[DomainEvent], fixture: str, version: int
) -> None:
    stored = StoredEvent(CASE, version, event_class.TOPIC, (FIXTURES / fixture).read_bytes())
    assert b"review_date_reason" not in stored.state, "the bytes version 1 wrote"
    event = EventMapper(keys=None).to_domain_event(stored)
    assert isinstance(event, event_class)
    assert event.review_date_reason is None  # type: ignore[attr-defined]
    assert event_class.class_version == 2
    written = EventMapper(keys=None, sealing=False).to_stored_event(event)
    assert b'"class_version":2' in written.state.replace(b" ", b"")
