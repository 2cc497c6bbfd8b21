"""Concurrent reads through the real HTTP stack (uvicorn in its own process, PostgreSQL):
every read is in the access log exactly once, and the reads shared their commits."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from uuid import uuid4

import httpx2 as httpx
import psycopg
import pytest
from fastapi.testclient import TestClient

from api.access import log as access_log
from api.http.app import create_app
from api.settings import Settings
from tests.api_client import Api
from tests.faults.test_kill_the_api import TRIAGE, Server
from tests.support import FixedClock, referral_form

pytestmark = pytest.mark.parametrize("backend", ["postgres"])  # transactions seen by xmin

READERS = 8
READS = 20  # each


@pytest.fixture(name="server")
def _server(settings: Settings) -> Iterator[Server]:
    running = Server(settings)
    running.start()
    yield running
    running.stop()


def read(server: Server, referral_id: str, sent: list[str]) -> None:
    with httpx.Client(base_url=server.base, timeout=10) as client:
        for _ in range(READS):
            request_id = uuid4().hex
            response = client.get(
                f"/referrals/{referral_id}", headers={**TRIAGE, "X-Request-ID": request_id}
            )
            assert response.status_code == 200, response.text
            sent.append(request_id)


def test_concurrent_reads_are_each_logged_once_in_shared_commits(
    server: Server, settings: Settings
) -> None:
    recorded = httpx.post(
        f"{server.base}/referrals", json=referral_form(), headers=TRIAGE, timeout=10
    )
    referral_id = recorded.json()["referral_id"]
    sent: list[str] = []
    readers = [
        threading.Thread(target=read, args=(server, referral_id, sent)) for _ in range(READERS)
    ]
    for thread in readers:
        thread.start()
    for thread in readers:
        thread.join(timeout=60)
    assert len(sent) == READERS * READS

    with psycopg.connect(**settings.postgres_connection(settings.pg_database)) as conn:  # type: ignore[arg-type]
        rows = conn.execute(
            "SELECT client_request_id, xmin::text FROM vtr_access_log "
            "WHERE referral_id = %s AND route = 'get_case' ORDER BY entry_no",
            (referral_id,),
        ).fetchall()
    logged = [client_request_id for client_request_id, _ in rows]
    assert sorted(logged) == sorted(sent)  # every read, once
    transactions = {transaction for _, transaction in rows}
    assert len(transactions) < len(sent)  # concurrent reads shared their commits


def test_a_read_after_the_database_closed_the_logs_idle_connection_is_logged(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The access log writes from the server's event loop on a connection of its own; one
    the database closed while it sat idle (a restart, an administrator) is replaced before
    the next read is logged, rather than failing that read."""
    monkeypatch.setattr(access_log, "IDLE_CHECK_SECONDS", 0.1)
    with TestClient(create_app(settings, clock=FixedClock())) as client:
        api = Api(client)
        referral_id = api.received(referral_form())
        api.case(referral_id)
        with psycopg.connect(autocommit=True, **settings.postgres_connection("postgres")) as conn:  # type: ignore[arg-type]
            closed = conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND query LIKE %s",
                [settings.pg_database, "%vtr_access_log_append%"],
            ).fetchall()
        assert closed == [(True,)], "the log's connection was found and closed"
        time.sleep(0.3)
        answered = client.get(f"/referrals/{referral_id}", headers=api.headers("triage-1"))
        assert answered.status_code == 200, answered.text
        request_id = answered.headers["x-request-id"]
    with psycopg.connect(**settings.postgres_connection(settings.pg_database)) as conn:  # type: ignore[arg-type]
        logged = conn.execute(
            "SELECT count(*) FROM vtr_access_log WHERE request_id = %s", [request_id]
        ).fetchone()
    assert logged == (1,)
