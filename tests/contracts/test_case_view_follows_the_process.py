"""Property: the case view, folded from a referral's events by its own handlers, says what
the write side decided (stage, version, dates, open dispute, reviews due, closure), however the
events are cut into the batches a worker reads.

The view does not share the aggregate's fold, so this is what keeps the two in step: any
sequence of commands (sensible next steps mixed with arbitrary ones, as in the process
property) is recorded through the real ledger on SQLite, then folded.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.bootstrap import Runtime, open_runtime
from api.settings import Settings
from events.base import DomainEvent
from events.registry import REFERRAL_EVENTS
from projections.case_view import CaseView
from projections.case_view_projection import CaseViewProjection, case_view, fold
from scenarios.drivers import REFUSALS
from tests.integration.test_process_properties import (
    Choose,
    arbitrary,
    received,
    scenario_on,
    sensible,
)
from tests.support import FixedClock


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Runtime, FixedClock]]:
    root: Path = tmp_path_factory.mktemp("case-view-fold")
    clock = FixedClock()
    runtime = open_runtime(Settings(store="sqlite", data_dir=root), clock=clock)
    yield runtime, clock
    runtime.close()


def test_the_case_view_follows_every_referral_event() -> None:
    """Each referral event has its handler (if only to count it in the version), and the
    worker reads every one of them."""
    assert set(CaseViewProjection.topics) == {event.TOPIC for event in REFERRAL_EVENTS}


def in_batches(events: Sequence[DomainEvent], cuts: set[int]) -> CaseView:
    """Fold as a worker does: a batch at a time, the view stored as JSON in between."""
    view: CaseView | None = None
    for index, event in enumerate(events):
        view = fold(view, event)
        if index in cuts:
            view = CaseView.model_validate_json(view.model_dump_json())
    assert view is not None
    return view


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), age=st.sampled_from(["child", "adult", "unknown"]))
def test_the_case_view_says_what_the_write_side_decided(
    world: tuple[Runtime, FixedClock], data: st.DataObject, age: str
) -> None:
    runtime, clock = world
    ledger = runtime.ledger
    case = received(scenario_on(ledger, clock), age)
    referral_id = case.referral_id
    events = [event for _, event in ledger.history(referral_id)]
    view = case_view(events)
    for _ in range(data.draw(st.integers(5, 40), label="length")):
        state = ledger.referral(referral_id).state
        clock.advance(hours=data.draw(st.integers(0, 72)))
        if data.draw(st.integers(0, 9)) < 8:
            choose: Choose = lambda options: data.draw(st.sampled_from(options))  # noqa: E731
            step = sensible(state, choose, clock)
        else:
            step = arbitrary(data, clock)
        try:
            case.then(step.but(expected_version=state.version))
        except REFUSALS:
            continue

        events = [event for _, event in ledger.history(referral_id)]
        view, decided = case_view(events), ledger.referral(referral_id).state
        decided_stage = (decided.stage.value, decided.version)
        assert (view.stage.value, view.version) == decided_stage, step.command
        assert (view.received_at, view.last_changed_at) == (
            decided.received_at,
            decided.last_changed_at,
        )
        assert view.open_dispute == (decided.open_dispute is not None)
        assert view.next_review_on == decided.next_review_on
        assert (view.closure is None) == (decided.closure is None)

    cuts = data.draw(st.sets(st.integers(0, len(events) - 1)), label="batch ends")
    assert in_batches(events, cuts) == view
