"""kill -9 of the API under concurrent reads, on both stores: every read answered 200 before
the kill is in the access log afterwards (DPA 2018 s.62). Reads share their log commits
(group commit), so this is what holds them to "committed before the answer leaves"."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from uuid import UUID

import httpx2 as httpx
import pytest

from api.access.log import ConsultationQuery
from api.bootstrap import open_access_log
from api.settings import Settings
from tests.faults.fault_tally import tally
from tests.faults.test_kill_the_api import TRIAGE, Server
from tests.support import referral_form

READERS = 8
READS_BEFORE_KILL = 25  # every reader has had this many reads answered before the kill


@dataclass
class Reads:
    answered: list[str] = field(default_factory=list)  # the service's request id of each 200
    lock: threading.Lock = field(default_factory=threading.Lock)
    counted: threading.Semaphore = field(default_factory=lambda: threading.Semaphore(0))


@pytest.fixture(name="server")
def _server(settings: Settings) -> Iterator[Server]:
    running = Server(settings)
    running.start()
    yield running
    running.stop()


def reader(server: Server, referral_id: str, reads: Reads, stop: threading.Event) -> None:
    with httpx.Client(base_url=server.base, timeout=10) as client:
        while not stop.is_set():
            try:
                response = client.get(f"/referrals/{referral_id}", headers=TRIAGE)
            except httpx.HTTPError:
                return  # the server died with this read in flight: no answer left
            if response.status_code != 200:
                return
            with reads.lock:
                reads.answered.append(response.headers["X-Request-ID"])
            reads.counted.release()


def test_every_answered_read_is_in_the_access_log_after_a_kill(
    server: Server, settings: Settings
) -> None:
    recorded = httpx.post(
        f"{server.base}/referrals", json=referral_form(), headers=TRIAGE, timeout=10
    )
    referral_id = recorded.json()["referral_id"]
    reads, stop = Reads(), threading.Event()
    threads = [
        threading.Thread(target=reader, args=(server, referral_id, reads, stop), daemon=True)
        for _ in range(READERS)
    ]
    for thread in threads:
        thread.start()
    for _ in range(READERS * READS_BEFORE_KILL):
        assert reads.counted.acquire(timeout=30), "the reads did not get going"
    server.kill()  # mid-load: reads are waiting for their commit
    tally.fault("kill -9 of the API under concurrent reads")
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    access_log = open_access_log(settings)
    try:
        logged = {
            entry.request_id
            for entry in access_log.consultations(ConsultationQuery(referral_id=UUID(referral_id)))
            if entry.outcome == "allowed" and entry.route == "get_case"
        }
    finally:
        access_log.close()
    tally.acknowledged(len(reads.answered))
    assert len(reads.answered) >= READERS * READS_BEFORE_KILL
    assert set(reads.answered) <= logged
