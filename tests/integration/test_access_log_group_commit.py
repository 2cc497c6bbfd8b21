"""Concurrent reads through the real HTTP stack (uvicorn in its own process, PostgreSQL):
every read is in the access log exactly once, and the reads shared their commits."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from uuid import uuid4

import httpx2 as httpx
import psycopg
import pytest

from api.settings import Settings
from tests.faults.test_kill_the_api import TRIAGE, Server
from tests.support import referral_form

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
