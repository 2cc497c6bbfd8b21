"""Retries append nothing and get the first outcome; concurrent changes never overwrite."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from uuid import UUID, uuid4

import pytest
from fastapi import FastAPI

from api.bootstrap import Runtime
from commands.application import ReferralLedger
from commands.context import Issued, Outcome
from commands.errors import ConcurrentChangeError
from commands.intake import ReceiveReferral, RecordSecurityChecks, ScreenInReferral
from commands.recorders import LedgerRecorder
from tests.api_client import Api
from tests.support import ACTORS, referral_form


def test_a_retried_referral_is_recorded_once(api: Api) -> None:
    first = api.receive(referral_form(), key="intake-0001")
    retry = api.receive(referral_form(), key="intake-0001")
    assert first.status_code == retry.status_code == 201
    assert retry.json() == {**first.json(), "replayed": True}
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert api.log_position() == first.json()["position"]


def test_a_retried_change_returns_its_first_outcome_even_once_stale(api: Api) -> None:
    referral_id = api.received(referral_form())
    first = api.send(referral_id, "security-checks", by="triage-1", key="checks-1", version=1)
    api.ok(referral_id, "screen-in", by="triage-1")
    position = api.log_position()

    retry = api.send(referral_id, "security-checks", by="triage-1", key="checks-1", version=1)
    assert retry.status_code == 200
    assert retry.json() == {**first.json(), "replayed": True}
    assert api.log_position() == position
    assert [e["event"] for e in api.history(referral_id)].count("SecurityChecksRecorded") == 1


def test_a_key_reused_for_another_command_is_refused_and_stores_nothing(api: Api) -> None:
    referral_id = api.received(referral_form())
    api.send(referral_id, "security-checks", by="triage-1", key="k-42")
    position = api.log_position()
    reused = api.send(referral_id, "screen-in", {"rationale": "x"}, by="triage-1", key="k-42")
    assert reused.status_code == 422
    assert reused.json()["type"] == "urn:vtr-ledger:problem:idempotency-key-reused"
    assert api.log_position() == position
    # Keys belong to the person who sent them: another person's same key is a new command.
    other = api.send(referral_id, "screen-in", by="triage-2", key="k-42")
    assert other.status_code == 200
    assert other.json()["replayed"] is False


def test_an_invalid_idempotency_key_is_refused(api: Api) -> None:
    response = api.receive(referral_form(), key="not a key!")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "header.Idempotency-Key"


class RacingLedger(ReferralLedger):
    """Lets two commands pass the load (or the replay check) before either saves."""

    def __init__(self, *args: Any, gate: threading.Barrier, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.gate = gate

    def save(self, *objs: Any, **kwargs: Any) -> Any:
        self.gate.wait(timeout=10)
        return super().save(*objs, **kwargs)


def racing_ledger(app: FastAPI) -> RacingLedger:
    runtime: Runtime = app.state.runtime
    return RacingLedger(
        runtime.settings.eventsourcing_env(),
        keyring=runtime.ledger.keyring,
        gate=threading.Barrier(2),
    )


def by(actor_id: str, key: str | None = None) -> Issued:
    return Issued(ACTORS[actor_id], uuid4(), key)


def test_two_changes_decided_on_the_same_version_cannot_both_land(api: Api, app: FastAPI) -> None:
    referral_id = api.received(referral_form())
    ledger = racing_ledger(app)

    def change(command: Any) -> Outcome | Exception:
        handle = (
            ledger.record_security_checks
            if isinstance(command, RecordSecurityChecks)
            else ledger.screen_in
        )
        try:
            return handle(referral_id, command, by("triage-1"))
        except Exception as error:  # collected for the assertions below  # noqa: BLE001
            return error

    with ThreadPoolExecutor(2) as pool:
        results = list(
            pool.map(
                change,
                [
                    RecordSecurityChecks(expected_version=1),
                    RecordSecurityChecks(expected_version=1),
                ],
            )
        )
    ledger.close()
    assert sum(isinstance(result, Outcome) for result in results) == 1
    assert sum(isinstance(result, ConcurrentChangeError) for result in results) == 1
    assert [e["event"] for e in api.history(referral_id)] == [
        "ReferralReceived",
        "SecurityChecksRecorded",
    ]


def test_a_duplicate_sent_twice_at_once_is_recorded_once(api: Api, app: FastAPI) -> None:
    ledger = racing_ledger(app)
    command = ReceiveReferral.model_validate(referral_form())

    with ThreadPoolExecutor(2) as pool:
        outcomes = list(
            pool.map(lambda _: ledger.receive_referral(command, by("triage-1", "dup-1")), range(2))
        )
    ledger.close()
    assert outcomes[0].aggregate_id == outcomes[1].aggregate_id
    assert sorted(outcome.replayed for outcome in outcomes) == [False, True]
    recorder = app.state.runtime.ledger.recorder
    assert isinstance(recorder, LedgerRecorder)
    assert recorder.count_events() == 1


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_stale_version_through_the_application_names_both_versions(
    api: Api, app: FastAPI
) -> None:
    referral_id: UUID = api.received(referral_form())
    ledger: ReferralLedger = app.state.runtime.ledger
    ledger.record_security_checks(
        referral_id, RecordSecurityChecks(expected_version=1), by("triage-1")
    )
    with pytest.raises(Exception, match="at version 2, not 1") as refusal:
        ledger.screen_in(referral_id, ScreenInReferral(expected_version=1), by("triage-1"))
    assert type(refusal.value).__name__ == "StaleVersionError"
