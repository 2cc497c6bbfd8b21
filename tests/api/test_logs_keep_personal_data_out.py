"""The logs of a whole lifecycle, refusals and failures included, hold no personal data."""

from __future__ import annotations

import json
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from aggregates.referral import Referral
from api.http.app import create_app
from api.logging import configure_logging
from api.settings import Settings
from tests import lifecycle
from tests.api_client import TOKENS, Api
from tests.support import NARRATIVE, SUBJECT_NAME, FixedClock, find_personal_data, referral_form


def test_logs_of_a_full_lifecycle_hold_no_personal_data(
    settings: Settings,
    clock: FixedClock,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    configure_logging("json", "DEBUG")
    with TestClient(create_app(settings, clock=clock), raise_server_exceptions=False) as client:
        api = Api(client)
        referral_id = lifecycle.full_lifecycle(api, clock)
        api.history(referral_id, reveal=True)

        # Refusals whose bodies carry personal data in the wrong places.
        bad_form = referral_form(received_at=SUBJECT_NAME)
        assert api.receive(bad_form).status_code == 422
        extra_field = {**referral_form(), SUBJECT_NAME: NARRATIVE}
        assert api.receive(extra_field).status_code == 422
        assert (
            api.send(referral_id, "disputes", {"grounds": NARRATIVE}, by="police-1").status_code
            == 422
        )

        # A failure deep inside, whose exception message quotes personal data.
        def fail(*_: object) -> None:
            raise RuntimeError(f"could not process {SUBJECT_NAME}: {NARRATIVE}")

        monkeypatch.setattr(Referral, "raise_dispute", fail)
        response = api.send(
            referral_id,
            "disputes",
            {"disputed_decision": "other", "grounds": NARRATIVE},
            by="police-1",
        )
        assert response.status_code == 500
        assert find_personal_data(response.text) == []
        request_id = response.headers["x-request-id"]
        assert request_id in response.json()["detail"]

    lines = [
        json.loads(line) for line in capfd.readouterr().err.splitlines() if line.startswith("{")
    ]
    requests = [line for line in lines if line["event"] == "request"]
    # 20 lifecycle steps, one revealed history, three refusals and one failure: 25 requests.
    assert len(requests) == 25, "every request leaves exactly one line"
    assert {line["status"] for line in requests} >= {200, 201, 422, 500}
    assert any(
        line["event"] == "unhandled_error" and line["request_id"] == request_id for line in lines
    )
    commands = {line["command"] for line in requests}
    assert {"receive_referral", "sign_mash_decision", "conclude_process"} <= commands
    assert all(line.get("actor_id") for line in requests)
    assert str(UUID(str(referral_id))) in {line["referral_id"] for line in requests}
    assert find_personal_data(json.dumps(lines)) == []
    logged = json.dumps(lines)
    assert not [token for token in TOKENS.values() if token in logged], "no bearer token is logged"
