"""The case view can be dropped and rebuilt from the log, and comes back identical; views
written in another schema (or before schemas were versioned) are rebuilt at start."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from psycopg.sql import SQL, Identifier

from api.bootstrap import Runtime, open_runtime
from api.settings import Settings
from projections.case_view import SCHEMA_VERSION, CaseView
from projections.case_view_projection import CaseViewProjection
from projections.case_view_store import COLUMNS, INVOLVED, SCHEMA_KEY, SCHEMAS, TABLE
from projections.runner import ProjectionWorker, RecorderFeed
from scenarios import steps
from scenarios.demo import DEMO_START, ScriptedClock, load_demo
from tests import lifecycle
from tests.api_client import Api
from tests.contracts.recording import DEMO_FILE, demo_ids
from tests.support import FixedClock, referral_form

# The case view table as the code before schema versions left it after loading the demo
# (recorded at commit c5b254c): its rows, its agencies and its position.
BEFORE_VERSIONS = (
    Path(__file__).parents[1] / "contracts" / "case_view_rows_before_schema_versions.json"
)


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
        assert rebuild(runtime, batch_size) == len(api.history(concluded)) + 5
        assert store.all_cases() == live
        assert store.position() == live_position


def test_a_back_dated_exit_and_early_review_rebuild_as_they_read_live(
    api: Api, clock: FixedClock, app: FastAPI
) -> None:
    """Both clocks of an exit agreed at a meeting entered late, and a post-exit review held
    early, come back the same from the log."""
    referral_id = lifecycle.exit_agreed_at_a_back_dated_meeting(api, clock)
    lifecycle.at(clock, "2026-04-01T09:00:00")
    early = steps.post_exit_reviewed("six_months").but(early_reason="The family moves abroad.")
    lifecycle.case_of(api, referral_id).then(early)
    live = api.case(referral_id, after=api.log_position())
    assert live["exit_agreed"]["agreed_on"] == "2026-03-12"
    assert live["closure"]["post_exit_reviews"][0]["early"] is True

    runtime: Runtime = app.state.runtime
    runtime.projections.stop()
    rebuild(runtime, batch_size=500)
    rebuilt = runtime.projections.case_view.case(referral_id)
    assert rebuilt is not None
    assert rebuilt.model_dump(mode="json") == live


def rebuild(runtime: Runtime, batch_size: int) -> int:
    """Drop the case view and fold the whole log into it again; the events folded."""
    store = runtime.projections.case_view
    store.clear()
    assert (store.all_cases(), store.position()) == ([], 0)
    worker = ProjectionWorker(
        RecorderFeed(runtime.ledger.recorder, CaseViewProjection.topics),
        CaseViewProjection(store),
        batch_size=batch_size,
    )
    return worker.catch_up()


@contextmanager
def demo_runtime(settings: Settings) -> Iterator[tuple[Runtime, ScriptedClock]]:
    clock = ScriptedClock(DEMO_START)
    runtime = open_runtime(settings, clock=clock, new_id=demo_ids())
    try:
        yield runtime, clock
    finally:
        runtime.close()


def leave_as_before_schema_versions(runtime: Runtime, before: dict[str, Any]) -> None:
    """Put the case view back as the earlier code wrote it: its rows and position, and no
    schema version recorded."""
    db = runtime.projections.db
    store = runtime.projections.case_view
    db.clear([TABLE, INVOLVED, SCHEMAS], store.tracking_key)

    def insert(table: str, columns: tuple[str, ...]) -> str:
        return (
            SQL("INSERT INTO {0} ({1}) VALUES ({2})")
            .format(
                Identifier(table),
                SQL(", ").join(map(Identifier, columns)),
                SQL(", ").join([db.dialect.mark] * len(columns)),
            )
            .as_string()
        )

    db.run(
        [
            (
                insert(TABLE, COLUMNS),
                [tuple(row[column] for column in COLUMNS) for row in before[TABLE]],
            ),
            (
                insert(INVOLVED, ("referral_id", "agency_id")),
                [(row["referral_id"], row["agency_id"]) for row in before[INVOLVED]],
            ),
        ]
    )
    assert db.advance(store.tracking_key, 0, before["position"], lambda _read: [])


def test_a_case_view_written_before_schema_versions_is_rebuilt_at_start(
    settings: Settings,
) -> None:
    before = json.loads(BEFORE_VERSIONS.read_text(encoding="utf-8"))
    with demo_runtime(settings) as (runtime, clock):
        ids = load_demo(runtime.ledger, clock)
        assert [str(referral_id) for referral_id in ids] == before["demo_ids"]
        assert runtime.ledger.recorder.max_notification_id() == before["position"]
        leave_as_before_schema_versions(runtime, before)
        assert runtime.projections.case_view.position() == before["position"]

    with demo_runtime(settings) as (runtime, _clock):
        store = runtime.projections.case_view
        assert store.schema_version() == SCHEMA_VERSION
        assert (store.position(), store.all_cases()) == (0, [])  # dropped, with its position
        assert store.cases(None, 10, 0, involving=ids[0])[1] == 0

        runtime.projections.catch_up()
        assert store.position() == before["position"]
        recorded = CaseView.model_validate_json(DEMO_FILE.read_text(encoding="utf-8"))
        assert store.case(ids[0]) == recorded
        assert [case.referral_id for case in store.all_cases()] == sorted(ids, key=str)
        involved = {(row["referral_id"], row["agency_id"]) for row in before[INVOLVED]}
        assert {
            (str(case.referral_id), str(agency_id))
            for case in store.all_cases()
            for agency_id in case.involved_agencies()
        } == involved


@pytest.mark.parametrize(
    ("stored_version", "rebuilt"), [(0, True), (SCHEMA_VERSION + 1, True), (SCHEMA_VERSION, False)]
)
def test_views_of_another_schema_version_are_rebuilt_and_current_ones_kept(
    settings: Settings, stored_version: int, rebuilt: bool
) -> None:
    with demo_runtime(settings) as (runtime, clock):
        load_demo(runtime.ledger, clock)
        runtime.projections.catch_up()
        position = runtime.projections.case_view.position()
        cases = runtime.projections.case_view.all_cases()
        db = runtime.projections.db
        mark = db.dialect.mark
        db.run(
            [
                (
                    SQL("UPDATE {0} SET schema_version={1} WHERE projection={1}")
                    .format(Identifier(SCHEMAS), mark)
                    .as_string(),
                    [(stored_version, SCHEMA_KEY)],
                )
            ]
        )

    with demo_runtime(settings) as (runtime, _clock):
        store = runtime.projections.case_view
        assert store.schema_version() == SCHEMA_VERSION
        if rebuilt:
            assert (store.position(), store.all_cases()) == (0, [])
            runtime.projections.catch_up()
        assert (store.position(), store.all_cases()) == (position, cases)
