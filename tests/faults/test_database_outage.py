"""A PostgreSQL outage is answered with fast 503s that say what is known, readiness says so
within its budget, and the service recovers on its own when the database is back: no 500,
no hang, no restart. The outage is a proxy that cuts every connection and refuses new ones."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.http.app import create_app
from api.settings import Settings
from tests.api_client import Api
from tests.conftest import make_settings
from tests.faults.fault_tally import tally
from tests.faults.pg_proxy import PostgresProxy
from tests.support import FixedClock, referral_form

# Readiness answers within 2 s whatever the database does; generous here for a busy machine,
# but far below the minute a hanging connection would take.
READINESS_BOUND_SECONDS = 5


@pytest.fixture
def proxy(postgres_server: dict[str, Any]) -> Iterator[PostgresProxy]:
    proxied = PostgresProxy(postgres_server["host"], postgres_server["port"])
    yield proxied
    proxied.close()


@pytest.fixture
def proxied_api(
    proxy: PostgresProxy, tmp_path: Path, request: pytest.FixtureRequest, clock: FixedClock
) -> Iterator[Api]:
    settings: Settings
    for settings in make_settings("postgres", tmp_path, request, pg_port=proxy.port):
        with TestClient(create_app(settings, clock=clock)) as client:
            yield Api(client)


def test_an_outage_is_a_fast_honest_503_and_the_service_recovers_by_itself(
    proxied_api: Api, proxy: PostgresProxy
) -> None:
    api = proxied_api
    referral_id = api.received(referral_form())
    with proxy.outage():
        tally.fault("database outage")
        started = time.monotonic()
        ready = api.client.get("/readyz")
        assert time.monotonic() - started < READINESS_BOUND_SECONDS
        assert ready.status_code == 503
        assert ready.json()["checks"]["event_store"].startswith("unavailable")
        read = api.client.get(f"/referrals/{referral_id}", headers=api.headers("triage-1"))
        command = api.send(referral_id, "security-checks", by="triage-1")
        intake = api.receive(referral_form())
        for answer in (read, command, intake):
            assert answer.status_code == 503, answer.text
            assert answer.headers["content-type"] == "application/problem+json"
            assert int(answer.headers["retry-after"]) > 0
        # A change that failed with the store is never claimed as "nothing stored".
        assert "may or may not have been recorded" in command.json()["detail"]
        assert "Retry shortly" in read.json()["detail"]
    # Back: the service reconnects by itself (no restart) and is ready again within seconds...
    deadline = time.monotonic() + 15
    while api.client.get("/readyz").status_code != 200:
        assert time.monotonic() < deadline, "the service did not recover"
        time.sleep(0.2)
    # ...and then no request fails on a connection that died in the outage.
    recorded = api.send(referral_id, "security-checks", by="triage-1")
    assert recorded.status_code == 200, recorded.text
    for _ in range(10):
        after = api.client.get(f"/referrals/{referral_id}", headers=api.headers("triage-1"))
        assert after.status_code == 200, after.text
    assert [e["event"] for e in api.history(referral_id)] == [
        "ReferralReceived",
        "SecurityChecksRecorded",
    ]
    tally.acknowledged(2)
