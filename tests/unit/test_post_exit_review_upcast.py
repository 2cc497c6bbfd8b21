"""A post-exit review stored in version 1 (before early reviews needed a reason) still reads:
as a version 2 event with no early reason, from the bytes version 1 wrote; one held before it
was due shows in the case view as early, with no reason recorded."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from events.conclusion import PostExitReviewRecorded
from events.storage import EventMapper
from projections.case_view import CaseView
from projections.case_view_projection import fold
from tests.contracts.recording import DEMO_FILE

STORED_V1 = Path(__file__).parent.parent / "fixtures" / "post_exit_review_recorded_v1.json"
CASE = UUID("6a1f5c3e-0000-4000-8000-000000000009")


def stored_v1_review() -> PostExitReviewRecorded:
    stored = StoredEvent(CASE, 14, PostExitReviewRecorded.TOPIC, STORED_V1.read_bytes())
    event = EventMapper(keys=None).to_domain_event(stored)
    assert isinstance(event, PostExitReviewRecorded)
    return event


def test_a_version_1_review_reads_with_no_early_reason() -> None:
    event = stored_v1_review()
    assert (event.reviewed_on.isoformat(), event.early_reason) == ("2026-11-23", None)
    assert PostExitReviewRecorded.class_version == 2
    written = EventMapper(keys=None, sealing=False).to_stored_event(event)
    assert b'"class_version":2' in written.state.replace(b" ", b"")


def test_a_version_1_review_held_before_it_was_due_shows_as_early_without_a_reason() -> None:
    event = stored_v1_review()  # held on 23 November
    concluded = CaseView.model_validate_json(DEMO_FILE.read_text(encoding="utf-8"))
    assert concluded.closure is not None
    closure = concluded.closure.model_copy(
        update={"six_month_review_due_on": date(2026, 11, 30), "post_exit_reviews": ()}
    )
    view = fold(concluded.model_copy(update={"closure": closure}), event)

    assert view.closure is not None
    (review,) = view.closure.post_exit_reviews
    assert (review.early, review.early_reason_recorded) == (True, False)
