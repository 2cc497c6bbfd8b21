"""Every client mistake gets a clear problem+json answer that names it and stores nothing."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import uuid4

import pytest

from tests.api_client import Api
from tests.support import SUBJECT_DOB, SUBJECT_NAME, find_personal_data, referral_form

pytestmark = pytest.mark.parametrize("backend", ["sqlite"])


def test_no_token_or_an_unknown_token_is_refused_with_a_bearer_challenge(api: Api) -> None:
    for headers in ({}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic x"}):
        response = api.client.get("/referrals", headers=headers)
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.headers["content-type"] == "application/problem+json"
    response = api.client.post("/referrals", json=referral_form())
    assert response.status_code == 401
    assert api.log_position() == 0


def test_an_unknown_referral_is_not_found_for_reads_and_commands(api: Api) -> None:
    unknown = uuid4()
    for response in (
        api.client.get(f"/referrals/{unknown}", headers=api.headers("triage-1")),
        api.client.get(f"/referrals/{unknown}/history", headers=api.headers("triage-1")),
        api.send(unknown, "security-checks", by="triage-1"),
    ):
        assert response.status_code == 404
        assert response.json()["type"] == "urn:vtr-ledger:problem:referral-not-found"


def test_unknown_routes_methods_and_malformed_ids_are_problems(api: Api) -> None:
    headers = api.headers("triage-1")
    assert api.client.get("/nowhere", headers=headers).json()["status"] == 404
    assert api.client.delete("/referrals", headers=headers).status_code == 405
    response = api.client.get("/referrals/not-a-uuid", headers=headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "path.referral_id"
    response = api.client.get("/referrals", params={"limit": 0}, headers=headers)
    assert response.json()["errors"][0]["field"] == "query.limit"


def test_invalid_fields_are_named_but_their_values_never_echoed(api: Api) -> None:
    form = referral_form(received_at=SUBJECT_NAME)
    form["subject"] = {**form["subject"], "date_of_birth": f"{SUBJECT_DOB} {SUBJECT_NAME}"}
    form[SUBJECT_NAME] = "unexpected"
    response = api.receive(form)
    assert response.status_code == 422
    fields = {error["field"] for error in response.json()["errors"]}
    assert {"body.received_at", "body.subject.date_of_birth"} <= fields
    assert f"body.{SUBJECT_NAME}" in fields  # a key is named, so the client can fix it
    assert response.text.count(SUBJECT_NAME) == 1  # ...but no submitted value is echoed
    assert find_personal_data(response.text.replace(f"body.{SUBJECT_NAME}", "")) == []
    assert api.log_position() == 0


def test_facts_that_contradict_the_form_are_refused_with_the_field(api: Api) -> None:
    cases = {
        "received_at": referral_form(received_at="2026-03-09T10:00:00Z"),  # after the clock
        "on_call_detective_inspector": referral_form(received_via="out_of_hours_101"),
        "subject.date_of_birth": referral_form(
            subject={**referral_form()["subject"], "date_of_birth": "2026-03-05"}
        ),
    }
    for field, form in cases.items():
        response = api.receive(form)
        assert response.status_code == 422, field
        assert response.json()["errors"] == [{"field": field, "message": response.json()["detail"]}]
    assert api.log_position() == 0


def test_a_body_over_one_mebibyte_is_refused_before_it_is_read(api: Api) -> None:
    huge = referral_form()
    huge["concern"] = {**huge["concern"], "background_and_risk": "x" * (1024 * 1024)}
    response = api.receive(huge)
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert api.log_position() == 0


def test_a_streamed_body_over_one_mebibyte_is_refused_too(api: Api) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"received_at": "'
        for _ in range(1100):
            yield b"x" * 1024
        yield b'"}'

    response = api.client.post(
        "/referrals",
        content=chunks(),
        headers={**api.headers("triage-1"), "content-type": "application/json"},
    )
    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    assert api.log_position() == 0


def test_our_request_id_is_always_new_and_the_clients_is_kept_beside_it(api: Api) -> None:
    """Two requests never share an id in the logs, whatever the client sends."""
    first = api.client.get("/healthz", headers={"X-Request-ID": "trace-123"})
    second = api.client.get("/healthz", headers={"X-Request-ID": "trace-123"})
    ours = {first.headers["x-request-id"], second.headers["x-request-id"]}
    assert len(ours) == 2
    assert all(len(request_id) == 32 for request_id in ours)
    assert first.headers["x-client-request-id"] == "trace-123"
    made_up = api.client.get("/healthz", headers={"X-Request-ID": "bad id with spaces"})
    assert "x-client-request-id" not in made_up.headers


def test_health_and_readiness_and_the_api_guide(api: Api) -> None:
    assert api.client.get("/healthz").json() == {"status": "ok"}
    ready = api.client.get("/readyz")
    assert ready.status_code == 200
    assert set(ready.json()["checks"].values()) == {"ok"}
    assert api.client.get("/docs").status_code == 200
    paths = api.client.get("/openapi.json").json()["paths"]
    assert "/referrals/{referral_id}/mash-decision/signatures" in paths
    schema = paths["/referrals/{referral_id}/screen-out"]["post"]["requestBody"]
    assert schema["content"]["application/json"]["schema"]["$ref"].endswith("ScreenOutReferral")
