"""kill -9 of the API under concurrent load, on both stores: every command the API
acknowledged is in the log afterwards with the version and position it was answered with,
and every command still in flight at the kill, sent again with its Idempotency-Key, is
recorded exactly once (answered as a replay if it had been recorded)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from uuid import uuid4

import httpx2 as httpx
import pytest

from api.settings import Settings
from tests.api.test_cli import ROOT, cli_env, free_port
from tests.faults.fault_tally import tally
from tests.support import ACTORS, referral_form, token_for

CLIENTS = 4
ROUNDS_BEFORE_KILL = 20  # every client has had this many commands acknowledged before the kill
TRIAGE = {"Authorization": f"Bearer {token_for(ACTORS['triage-1'])}"}


@dataclass
class Sent:
    key: str
    path: str
    body: dict[str, Any]
    answer: dict[str, Any] | None = None  # the acknowledgement, if one came


@dataclass
class Load:
    sent: list[Sent] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    acknowledged: threading.Semaphore = field(default_factory=lambda: threading.Semaphore(0))


class Server:
    def __init__(self, settings: Settings) -> None:
        self.port = free_port()
        self.env = cli_env(settings, VTR_PORT=str(self.port))
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[str] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "api", "serve"],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        deadline = time.monotonic() + 60
        while True:
            assert self.process.poll() is None, "the server exited"
            try:
                if httpx.get(f"{self.base}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the server did not become ready"
            time.sleep(0.2)

    def kill(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            self.process.wait(timeout=30)


@pytest.fixture
def server(settings: Settings) -> Iterator[Server]:
    running = Server(settings)
    running.start()
    yield running
    running.stop()


def client_loop(server: Server, load: Load, stop: threading.Event) -> None:
    """Each client records referrals and moves them on, every command with a key."""
    with httpx.Client(base_url=server.base, timeout=10) as client:
        while not stop.is_set():
            intake = Sent(f"in-{uuid4().hex}", "/referrals", referral_form())
            if not _send(client, load, intake):
                return
            assert intake.answer is not None
            referral_id = intake.answer["referral_id"]
            checks = Sent(
                f"sc-{uuid4().hex}",
                f"/referrals/{referral_id}/security-checks",
                {"expected_version": intake.answer["version"]},
            )
            if not _send(client, load, checks):
                return


def _send(client: httpx.Client, load: Load, sent: Sent) -> bool:
    with load.lock:
        load.sent.append(sent)
    try:
        response = client.post(
            sent.path, json=sent.body, headers={**TRIAGE, "Idempotency-Key": sent.key}
        )
    except httpx.HTTPError:
        return False  # the server died with this command in flight
    if response.status_code not in {200, 201}:
        return False
    sent.answer = response.json()
    load.acknowledged.release()
    return True


def test_every_acknowledged_command_survives_a_kill_and_in_flight_ones_replay_once(
    server: Server,
) -> None:
    load, stop = Load(), threading.Event()
    threads = [
        threading.Thread(target=client_loop, args=(server, load, stop), daemon=True)
        for _ in range(CLIENTS)
    ]
    for thread in threads:
        thread.start()
    for _ in range(CLIENTS * ROUNDS_BEFORE_KILL):
        assert load.acknowledged.acquire(timeout=60), "the load did not get going"
    server.kill()  # mid-load: commands are in flight
    tally.fault("kill -9 of the API under load")
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    server.start()
    acknowledged = [sent for sent in load.sent if sent.answer is not None]
    in_flight = [sent for sent in load.sent if sent.answer is None]
    with httpx.Client(base_url=server.base, timeout=30) as client:
        for sent in acknowledged:
            _assert_recorded_as_answered(client, sent)
        for sent in in_flight:
            _resend_once(client, sent)
    tally.acknowledged(len(acknowledged))
    assert len(acknowledged) >= CLIENTS * ROUNDS_BEFORE_KILL


def _assert_recorded_as_answered(client: httpx.Client, sent: Sent) -> None:
    assert sent.answer is not None
    referral_id = sent.answer["referral_id"]
    history = client.get(f"/referrals/{referral_id}/history", headers=TRIAGE).json()["events"]
    by_version = {event["version"]: event for event in history}
    event = by_version[sent.answer["version"]]
    assert (event["position"], event["event"]) == (
        sent.answer["position"],
        sent.answer["events"][-1],
    )


def _resend_once(client: httpx.Client, sent: Sent) -> None:
    again = client.post(sent.path, json=sent.body, headers={**TRIAGE, "Idempotency-Key": sent.key})
    assert again.status_code in {200, 201}, again.text
    twice = client.post(sent.path, json=sent.body, headers={**TRIAGE, "Idempotency-Key": sent.key})
    assert twice.json()["replayed"] is True
    assert (twice.json()["version"], twice.json()["position"]) == (
        again.json()["version"],
        again.json()["position"],
    )
    referral_id = again.json()["referral_id"]
    history = client.get(f"/referrals/{referral_id}/history", headers=TRIAGE).json()["events"]
    assert [event["version"] for event in history] == list(range(1, len(history) + 1))
    recorded = [e for e in history if e["event"] == again.json()["events"][-1]]
    assert len(recorded) == 1  # exactly once, whether it had been recorded before the kill
