"""The controller's reasoning (why a case is held, reviewed or erased) survives an erasure of
the people's data: it is sealed under a key of its own that no erasure can name.

Version 1 of those events sealed the reason under the subject's key, so erasing the subject
erased the justification of the erasure itself. The records already stored that way are
re-sealed under the controller's key at startup, where the subject's key still exists; where
it was already destroyed, the reason stays erased.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import StoredEvent
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.bootstrap import Runtime
from api.http.app import create_app
from api.logging import configure_logging
from api.settings import Settings
from commands.controller_reasoning import RESEAL_MIGRATION
from commands.erasure import RequestErasure
from events.personal import KeyGroup
from tests.api_client import Api
from tests.section8_support import erase_case, erasure, erasure_ok
from tests.support import SUBJECT_NAME, FixedClock, find_personal_data, referral_form

FIXTURES = Path(__file__).parent.parent / "fixtures"
# The version 1 records of a case, in order: (topic, fixture); each holds its reason in clear,
# and the test seals it under the subject's key as version 1 did.
STORED_V1 = (
    ("vtr.referral.LegalHoldPlaced", "legal_hold_placed_v1.json"),
    ("vtr.referral.LegalHoldLifted", "legal_hold_lifted_v1.json"),
    ("vtr.referral.RetentionReviewed", "retention_reviewed_v1.json"),
    ("vtr.referral.ErasureRequested", "erasure_requested_v1.json"),
)
REASONS = {
    "LegalHoldPlaced": "Claim issued by the family's solicitor",
    "LegalHoldLifted": "Claim settled out of court",
    "RetentionReviewed": "A related referral is still open",
    "ErasureRequested": "Objection upheld by the DPO panel",
}
GROUND = "uk_gdpr_art_17_1_a_no_longer_necessary"


def runtime_of(client: TestClient) -> Runtime:
    runtime: Runtime = client.app.state.runtime  # type: ignore[attr-defined]
    return runtime


def reasons(api: Api, referral_id: UUID) -> dict[str, Any]:
    return {
        event["event"]: event["data"]["reason"]
        for event in api.history(referral_id, reveal=True)
        if "reason" in event["data"] and event["event"] in REASONS
    }


def subject_key_id(runtime: Runtime, referral_id: UUID) -> str:
    return runtime.ledger.keyring.live_key_ids(referral_id)[KeyGroup.SUBJECT]


def store_v1_records(runtime: Runtime, referral_id: UUID, records: int = len(STORED_V1)) -> None:
    """Append the case's first `records` version 1 events, each reason sealed under the
    subject's key exactly as version 1 sealed it."""
    ring = runtime.ledger.keyring
    key_id = subject_key_id(runtime, referral_id)
    key = ring.key_for_opening(key_id)
    assert key is not None
    version = runtime.ledger.referral(referral_id).version
    stored = []
    for topic, fixture in STORED_V1[:records]:
        version += 1
        state = json.loads((FIXTURES / fixture).read_bytes())
        aad = f"{referral_id}|{version}|reason|{key_id}".encode()
        nonce = os.urandom(12)
        ciphertext = key.cipher.encrypt(nonce, json.dumps(state["reason"]).encode(), aad)
        state["reason"] = {"$sealed": key_id, "ct": base64.b64encode(nonce + ciphertext).decode()}
        stored.append(StoredEvent(referral_id, version, topic, json.dumps(state).encode()))
    runtime.ledger.recorder.insert_events(stored)


def sealed_under(runtime: Runtime, referral_id: UUID) -> dict[str, tuple[int, str]]:
    """Each stored reason's class version and the key id it is sealed under."""
    found = {}
    for stored in runtime.ledger.ledger_recorder.select_history(referral_id):
        state = json.loads(stored.state)
        if isinstance(state.get("reason"), dict):
            name = stored.topic.rsplit(".", 1)[-1]
            found[name] = (state.get("class_version", 1), state["reason"]["$sealed"])
    return found


def test_the_reasons_of_holds_reviews_and_erasures_survive_the_erasure(
    api: Api, clock: FixedClock, app: FastAPI
) -> None:
    referral_id = api.received(referral_form())
    api.ok(referral_id, "security-checks", by="triage-1")
    api.ok(referral_id, "screen-out", {"reasons": ["malicious"]}, by="triage-1")
    api.ok(referral_id, "legal-hold", {"ground": "litigation", "reason": "Claim"}, by="dpo-1")
    api.ok(referral_id, "legal-hold/lifted", {"reason": "Settled"}, by="dpo-1")
    review = {"reviewed_on": "2026-03-02", "decision": "erase", "reason": "Schedule reached."}
    assert clock.now().date().isoformat() == review["reviewed_on"]
    api.ok(referral_id, "retention-reviews", review, by="dpo-1")
    case = {"referral_id": str(referral_id)}
    erasure_ok(api, "/approval", {**case, "request_no": 1}, "dpo-2")
    executed = erasure_ok(api, "/execution", {**case, "request_no": 1}, "dpo-1")

    assert executed["events"] == ["ErasureExecuted"]
    assert reasons(api, referral_id) == {
        "LegalHoldPlaced": "Claim",
        "LegalHoldLifted": "Settled",
        "RetentionReviewed": "Schedule reached.",
        "ErasureRequested": "Schedule reached.",
    }
    revealed = api.history(referral_id, reveal=True)
    assert revealed[0]["data"]["subject"]["withheld"] == "erased"
    assert find_personal_data(str(revealed)) == []
    record = next(e for e in revealed if e["event"] == "ErasureExecuted")["data"]
    assert record["key_groups"] == ["subject", "third_party", "referrer"]
    # A hold can still be placed on the erased case: its reason is the controller's.
    api.ok(
        referral_id,
        "legal-hold",
        {"ground": "complaint_or_dispute", "reason": "Complaint"},
        by="dpo-1",
    )
    assert reasons(api, referral_id)["LegalHoldPlaced"] == "Complaint"
    # Not even a key store told to destroy it does.
    runtime: Runtime = app.state.runtime
    controller_key = runtime.ledger.keyring.live_key_ids(referral_id)[KeyGroup.CONTROLLER]
    runtime.ledger.keyring.destroy([controller_key], at=runtime.ledger.clock.now())
    assert runtime.ledger.keyring.live_key_ids(referral_id) == {KeyGroup.CONTROLLER: controller_key}


def test_the_controllers_reasoning_cannot_be_named_for_erasure(api: Api) -> None:
    referral_id = api.received(referral_form())
    position = api.log_position()
    body = {"referral_id": str(referral_id), "ground": GROUND, "reason": "x"}

    refused = erasure(api, "", {**body, "key_groups": ["subject", "controller"]}, "dpo-1")

    assert refused.status_code == 422, refused.text
    problem = refused.json()
    assert problem["type"] == "urn:vtr-ledger:problem:invalid-request"
    assert [error["field"] for error in problem["errors"]] == ["body.key_groups"]
    assert "controller" in problem["errors"][0]["message"]
    assert api.log_position() == position
    defaults = RequestErasure.model_validate({**body, "expected_version": 1}).key_groups
    assert KeyGroup.CONTROLLER not in defaults


def test_stored_version_1_reasons_move_to_the_controllers_key_and_survive_the_erasure(
    settings: Settings, clock: FixedClock, capfd: pytest.CaptureFixture[str]
) -> None:
    configure_logging("json", "INFO")
    with TestClient(create_app(settings, clock=clock)) as client:
        api, runtime = Api(client), runtime_of(client)
        moved = api.received(referral_form())
        store_v1_records(runtime, moved)
        already_erased = api.received(referral_form())
        store_v1_records(runtime, already_erased, records=1)
        erased_key = subject_key_id(runtime, already_erased)
        runtime.ledger.keyring.destroy(  # erased before the upgrade
            [erased_key], at=runtime.ledger.clock.now()
        )
        subject_key = subject_key_id(runtime, moved)
        assert set(sealed_under(runtime, moved).values()) == {(1, subject_key)}
        untouched = runtime.ledger.ledger_recorder.select_history(already_erased)

    # The next start moves them, once, and says how many (never what).
    capfd.readouterr()
    with TestClient(create_app(settings, clock=clock)) as client:
        logged = capfd.readouterr().err
        (line,) = [json.loads(x) for x in logged.splitlines() if "controller_reasoning" in x]
        assert (line["moved"], line["left_erased"]) == (len(STORED_V1), 1)
        assert not any(reason in logged for reason in REASONS.values())
        api, runtime = Api(client), runtime_of(client)
        controller_key = runtime.ledger.keyring.live_key_ids(moved)[KeyGroup.CONTROLLER]
        assert set(sealed_under(runtime, moved).values()) == {(2, controller_key)}
        assert runtime.ledger.ledger_recorder.select_history(already_erased) == untouched
        assert reasons(api, moved) == REASONS
        assert reasons(api, already_erased) == {
            "LegalHoldPlaced": {"withheld": "erased", "key_id": erased_key}
        }
        rewritten = runtime.ledger.ledger_recorder.select_history(moved)
        assert runtime.ledger.reseal_controller_reasoning().moved == 0
        # Even over the whole log again, nothing moves twice.
        runtime.ledger.ledger_recorder.record_migrated_through(RESEAL_MIGRATION, 0)
        again = runtime.ledger.reseal_controller_reasoning()
        assert (again.moved, again.left_erased) == (0, 1)
        assert runtime.ledger.ledger_recorder.select_history(moved) == rewritten

        # The version 1 request (subject only) is approved and executed as it stands.
        api.versions[moved] = runtime.ledger.referral(moved).version
        case = {"referral_id": str(moved)}
        erasure_ok(api, "/approval", {**case, "request_no": 1}, "dpo-2")
        erasure_ok(api, "/execution", {**case, "request_no": 1}, "dpo-1")

        assert reasons(api, moved) == REASONS
        revealed = api.history(moved, reveal=True)
        assert revealed[0]["data"]["subject"] == {"withheld": "erased", "key_id": subject_key}
        assert SUBJECT_NAME not in str(revealed)
        assert "withheld" not in revealed[0]["data"]["referrer"]  # not requested

    with TestClient(create_app(settings, clock=clock)) as client:
        runtime = runtime_of(client)
        history = runtime.ledger.ledger_recorder.select_history(moved)
        assert history[: len(rewritten)] == rewritten, "a later start rewrites nothing"


def test_a_record_erased_of_every_group_is_not_due_for_review(api: Api) -> None:
    """Its controller key lives on, but that is not personal data left to review."""
    referral_id = api.received(referral_form())
    api.ok(referral_id, "security-checks", by="triage-1")
    api.ok(referral_id, "screen-out", {"reasons": ["malicious"]}, by="triage-1")
    erase_case(api, referral_id)

    response = api.client.get(
        "/retention/due",
        params={"on": "2028-03-02", "after_position": api.log_position()},
        headers=api.headers("dpo-1"),
    )

    assert response.status_code == 200, response.text
    assert response.json()["records"] == []
