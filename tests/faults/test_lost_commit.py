"""A recorded command is never answered "refused, nothing stored": when PostgreSQL commits and
the acknowledgement is lost on the way back, the ledger finds its own command in the log and
answers with the stored outcome. A proxy between the service and PostgreSQL drops the
connection right after the server's COMMIT reply."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.http.app import create_app
from api.settings import Settings
from tests.api_client import Api
from tests.conftest import make_settings
from tests.faults.fault_tally import tally
from tests.faults.pg_proxy import PostgresProxy
from tests.group_commit_support import Batch
from tests.support import FixedClock, referral_form


@pytest.fixture
def proxy(postgres_server: dict[str, Any]) -> Iterator[PostgresProxy]:
    proxied = PostgresProxy(postgres_server["host"], postgres_server["port"])
    yield proxied
    proxied.close()


@pytest.fixture
def proxied_settings(
    proxy: PostgresProxy, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Settings]:
    yield from make_settings(
        "postgres", tmp_path, request, pg_port=proxy.port, projections="external"
    )


@pytest.fixture
def proxied_app(proxied_settings: Settings, clock: FixedClock) -> FastAPI:
    return create_app(proxied_settings, clock=clock)


@pytest.fixture
def proxied_api(proxied_app: FastAPI) -> Iterator[Api]:
    with TestClient(proxied_app) as client:
        yield Api(client)


def events_of(api: Api) -> int:
    return api.log_position()


def test_an_intake_whose_commit_acknowledgement_is_lost_is_answered_once(
    proxied_api: Api, proxy: PostgresProxy
) -> None:
    api = proxied_api
    proxy.drop_next_commit_acknowledgement()
    response = api.receive(referral_form())  # no Idempotency-Key: the client has no id yet
    assert proxy.commits_dropped == 1, "the fault was injected"
    tally.fault("lost COMMIT acknowledgement")
    assert response.status_code == 201, response.text
    referral_id = response.json()["referral_id"]
    history = api.history(referral_id)
    assert [(e["event"], e["version"]) for e in history] == [("ReferralReceived", 1)]
    assert response.json()["position"] == history[0]["position"]
    assert events_of(api) == 1  # one referral, not two
    tally.acknowledged(1)


def test_a_change_whose_commit_acknowledgement_is_lost_is_answered_with_its_outcome(
    proxied_api: Api, proxy: PostgresProxy
) -> None:
    api = proxied_api
    referral_id = api.received(referral_form())
    proxy.drop_next_commit_acknowledgement()
    response = api.send(referral_id, "security-checks", by="triage-1")
    assert proxy.commits_dropped == 1
    tally.fault("lost COMMIT acknowledgement")
    assert response.status_code == 200, response.text
    assert (response.json()["version"], response.json()["events"]) == (
        2,
        ["SecurityChecksRecorded"],
    )
    assert [e["event"] for e in api.history(referral_id)] == [
        "ReferralReceived",
        "SecurityChecksRecorded",
    ]
    tally.acknowledged(1)


def test_a_batch_whose_commit_acknowledgement_is_lost_answers_every_command_once(
    proxied_api: Api, proxy: PostgresProxy, proxied_app: FastAPI, proxied_settings: Settings
) -> None:
    api = proxied_api
    referrals = [api.received(referral_form()) for _ in range(3)]
    batch = Batch(proxied_app, proxied_settings)
    proxy.drop_next_commit_acknowledgement()
    transactions, futures = batch.run([batch.checks(r) for r in referrals])
    assert proxy.commits_dropped == 1
    tally.fault("lost COMMIT acknowledgement")
    assert transactions == 0  # the batch's own commit was never acknowledged
    outcomes = [future.result() for future in futures]  # each found its own command stored
    assert [(o.version, o.events) for o in outcomes] == [(2, ("SecurityChecksRecorded",))] * 3
    for referral_id, outcome in zip(referrals, outcomes, strict=True):
        assert [(e["event"], e["position"]) for e in api.history(referral_id)][1:] == [
            ("SecurityChecksRecorded", outcome.position)
        ]
    assert events_of(api) == 6  # three referrals, each changed once
    tally.acknowledged(3)
