"""The case view can be dropped and rebuilt from the log, and comes back identical."""

from __future__ import annotations

from fastapi import FastAPI

from api.bootstrap import Runtime
from projections.case_view_projection import CaseViewProjection
from projections.runner import ProjectionWorker, RecorderFeed
from tests import lifecycle
from tests.api_client import Api
from tests.support import FixedClock, referral_form


def test_rebuilt_case_view_equals_the_live_one(api: Api, clock: FixedClock, app: FastAPI) -> None:
    concluded = lifecycle.full_lifecycle(api, clock)
    screened_out = api.received(referral_form(subject_age_group="adult"))
    api.ok(screened_out, "security-checks", by="triage-1")
    api.ok(screened_out, "screen-out", {"reasons": ["malicious"]}, by="triage-1")
    in_triage = api.received(referral_form())
    api.ok(in_triage, "disputes", {"disputed_decision": "other", "grounds": "x"}, by="police-1")

    runtime: Runtime = app.state.runtime
    store = runtime.projections.case_view
    api.case(in_triage, after=api.log_position())  # the live view has caught up
    live = store.all_cases()
    live_position = store.position()
    assert live_position == api.log_position()
    assert {case.referral_id for case in live} == {concluded, screened_out, in_triage}
    assert {case.stage for case in live} == {"concluded", "screened_out", "triage"}

    runtime.projections.stop()  # no live updates while the view is rebuilt
    for batch_size in (500, 3):  # one big batch, then many small ones
        store.clear()
        assert store.all_cases() == []
        assert store.position() == 0
        worker = ProjectionWorker(
            RecorderFeed(runtime.ledger.recorder, CaseViewProjection.topics),
            CaseViewProjection(store),
            batch_size=batch_size,
        )
        assert worker.catch_up() == len(api.history(concluded)) + 5
        assert store.all_cases() == live
        assert store.position() == live_position
