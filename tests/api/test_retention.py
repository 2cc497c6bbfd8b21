"""The retention schedule: when each record falls due for review, and what a review does."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from api.http.app import create_app
from tests import lifecycle
from tests.api_client import Api
from tests.conftest import make_settings
from tests.lifecycle import at
from tests.support import FixedClock, referral_form


def due(api: Api, on: str) -> list[dict[str, Any]]:
    response = api.client.get(
        "/retention/due",
        params={"on": on, "after_position": api.log_position()},
        headers=api.headers("dpo-1"),
    )
    assert response.status_code == 200, response.text
    records: list[dict[str, Any]] = response.json()["records"]
    return records


def screened_out(api: Api) -> UUID:
    referral_id = api.received(referral_form())
    api.ok(referral_id, "security-checks", by="triage-1")
    api.ok(referral_id, "screen-out", {"reasons": ["malicious"]}, by="triage-1")
    return referral_id


def test_records_fall_due_by_class_and_reviews_move_or_end_them(
    api: Api, clock: FixedClock
) -> None:
    rejected = screened_out(api)  # screened out on 2 March 2026: 24 months by default
    concluded = lifecycle.full_lifecycle(api, clock)  # concluded 22 May 2026: 72 months

    assert due(api, "2028-03-01") == []
    (record,) = due(api, "2028-03-02")
    assert (record["referral_id"], record["record_class"]) == (str(rejected), "screened_out")
    assert (record["outcome_on"], record["review_due_on"]) == ("2026-03-02", "2028-03-02")
    assert {r["referral_id"] for r in due(api, "2032-05-22")} == {str(rejected), str(concluded)}
    assert {r["referral_id"] for r in due(api, "2032-05-21")} == {str(rejected)}

    at(clock, "2028-03-02T09:00:00")
    retain = {
        "reviewed_on": "2028-03-02",
        "decision": "retain",
        "next_review_on": "2029-03-01",
        "reason": "A related referral is open.",
    }
    api.ok(rejected, "retention-reviews", retain, by="dpo-1")
    assert due(api, "2028-03-02") == []
    (kept,) = due(api, "2029-03-01")
    assert (kept["review_due_on"], kept["reviews"], kept["last_decision"]) == (
        "2029-03-01",
        1,
        "retain",
    )

    at(clock, "2029-03-01T09:00:00")
    erase = {"reviewed_on": "2029-03-01", "decision": "erase", "reason": "Schedule reached."}
    outcome = api.ok(rejected, "retention-reviews", erase, by="dpo-1")
    assert outcome["events"] == ["RetentionReviewed", "ErasureRequested"]
    request = next(e for e in api.history(rejected) if e["event"] == "ErasureRequested")
    assert request["data"]["ground"] == "retention_schedule_period_ended"
    assert request["data"]["key_groups"] == ["subject", "third_party", "referrer"]
    assert due(api, "2029-03-01") == [], "a record waiting for its erasure is not due again"


def test_the_schedule_is_configuration(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest, clock: FixedClock
) -> None:
    schedule = {"screened_out": 6, "concluded": 72, "alternative_support": 72}
    for settings in make_settings(backend, tmp_path, request, retention_months=schedule):
        with TestClient(create_app(settings, clock=clock)) as client:
            api = Api(client)
            rejected = screened_out(api)
            assert due(api, "2026-09-01") == []
            (record,) = due(api, "2026-09-02")
            assert (record["referral_id"], record["review_due_on"]) == (str(rejected), "2026-09-02")
