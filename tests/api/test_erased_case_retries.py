"""A late retry of a command on a case whose personal data was erased records nothing again.

Erasure drops the keyed digests of the case's commands (they digest personal data), but keeps
who used which idempotency key for which command on which case, so a retry that arrives
after the erasure is answered with the erased case instead of recording the data again.
"""

from __future__ import annotations

from uuid import UUID

from fastapi import FastAPI

from api.bootstrap import Runtime
from tests.api_client import Api
from tests.section8_support import erase_case
from tests.support import SUBJECT_NAME, find_personal_data, referral_form

ERASED_CASE = "urn:vtr-ledger:problem:erased-case"


def stored_events(app: FastAPI) -> int:
    runtime: Runtime = app.state.runtime
    return runtime.ledger.ledger_recorder.count_events()


def test_a_retried_intake_after_the_erasure_is_refused_naming_the_erased_case(
    api: Api, app: FastAPI
) -> None:
    first = api.receive(referral_form(), key="intake-2026-0042")
    assert first.status_code == 201, first.text
    referral_id = UUID(first.json()["referral_id"])
    erase_case(api, referral_id)
    before = stored_events(app)

    retry = api.receive(referral_form(), key="intake-2026-0042")

    assert retry.status_code == 409, retry.text
    assert retry.headers["content-type"] == "application/problem+json"
    problem = retry.json()
    assert problem["type"] == ERASED_CASE
    assert problem["referral_id"] == str(referral_id)
    assert str(referral_id) in problem["detail"]
    assert find_personal_data(retry.text) == []
    assert stored_events(app) == before
    listed = api.client.get("/referrals", headers=api.headers("triage-1")).json()
    assert SUBJECT_NAME not in str(listed)


def test_a_retried_change_after_the_erasure_is_refused_naming_the_erased_case(
    api: Api, app: FastAPI
) -> None:
    referral_id = api.received(referral_form())
    first = api.send(referral_id, "security-checks", by="triage-1", key="checks-7", version=1)
    assert first.status_code == 200, first.text
    erase_case(api, referral_id)
    before = stored_events(app)

    retry = api.send(referral_id, "security-checks", by="triage-1", key="checks-7", version=1)

    assert retry.status_code == 409, retry.text
    assert retry.json()["type"] == ERASED_CASE
    assert retry.json()["referral_id"] == str(referral_id)
    assert stored_events(app) == before
    kinds = [event["event"] for event in api.history(referral_id)]
    assert kinds.count("SecurityChecksRecorded") == 1


def test_the_key_of_an_erased_case_stays_used_for_any_other_command(api: Api, app: FastAPI) -> None:
    first = api.receive(referral_form(), key="intake-2026-0043")
    referral_id = UUID(first.json()["referral_id"])
    erase_case(api, referral_id)
    other = api.received(referral_form())
    before = stored_events(app)

    # Same person, same key, another command (on another case, at its current version).
    reused = api.send(other, "security-checks", by="triage-1", key="intake-2026-0043")

    assert reused.status_code == 422, reused.text
    assert reused.json()["type"] == "urn:vtr-ledger:problem:idempotency-key-reused"
    assert stored_events(app) == before
    # Keys belong to the person who sent them: another person's same key is a new command.
    fresh = api.receive(referral_form(), by="triage-2", key="intake-2026-0043")
    assert fresh.status_code == 201, fresh.text
    assert fresh.json()["replayed"] is False
