"""A post-exit review stored in version 1 (before early reviews needed a reason) still reads:
as a version 2 event with no early reason, from the bytes version 1 wrote."""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from events.conclusion import PostExitReviewRecorded
from events.storage import EventMapper

STORED_V1 = Path(__file__).parent.parent / "fixtures" / "post_exit_review_recorded_v1.json"
CASE = UUID("6a1f5c3e-0000-4000-8000-000000000009")


def test_a_version_1_review_reads_with_no_early_reason() -> None:
    stored = StoredEvent(CASE, 14, PostExitReviewRecorded.TOPIC, STORED_V1.read_bytes())
    event = EventMapper(keys=None).to_domain_event(stored)
    assert isinstance(event, PostExitReviewRecorded)
    assert (event.reviewed_on.isoformat(), event.early_reason) == ("2026-11-23", None)
    assert PostExitReviewRecorded.class_version == 2
    written = EventMapper(keys=None, sealing=False).to_stored_event(event)
    assert b'"class_version":2' in written.state.replace(b" ", b"")
