"""HTTP commands per second: the real server in its own process, clients in another."""

from __future__ import annotations

import http.client
import json
import multiprocessing
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from uuid import UUID, uuid4

from api.access.identity import issue_tokens
from api.bootstrap import open_runtime
from api.http.app import api_routes
from api.settings import Settings
from bench.workload import POLICE, STEPS, TRIAGE, Measured, commands, receive_referrals
from commands.context import Actor

ROOT = Path(__file__).resolve().parents[1]
PATHS = {route.name: route.path for route in api_routes()}  # a route is named as its command


class HttpBench:
    """The same commands over HTTP: uvicorn in its own process, clients in another."""

    def __init__(self, settings: Settings, per_round: int, rounds: int, clients: int) -> None:
        runtime = open_runtime(settings)
        try:
            self.batches = [
                [str(i) for i in receive_referrals(runtime.ledger, per_round)]
                for _ in range(rounds)
            ]
        finally:
            runtime.close()
        self.clients = clients
        self.server = LiveServer(settings, [TRIAGE, POLICE])
        self.pool = multiprocessing.get_context("spawn").Pool(1)

    def round(self, index: int) -> Measured:
        seconds: float = self.pool.apply(
            _run_clients,
            (self.server.port, self.server.tokens, self.batches[index], self.clients),
        )
        return Measured(len(self.batches[index]) * len(STEPS), seconds)

    def close(self) -> None:
        self.pool.close()
        self.server.close()


class LiveServer:
    """`python -m api serve` (or another server module) in its own process, with bearer tokens
    for the given actors."""

    def __init__(
        self, settings: Settings, actors: list[Actor], module: tuple[str, ...] = ("api", "serve")
    ) -> None:
        self.scratch = tempfile.TemporaryDirectory()
        tokens_file = Path(self.scratch.name) / "tokens.json"
        self.tokens = issue_tokens(tokens_file, actors, datetime.now(UTC))
        self.port = _free_port()
        # What the server writes, both streams: its last words when it fails to start.
        self.output = (Path(self.scratch.name) / "server.out").open("w+b")
        self.process = subprocess.Popen(
            [sys.executable, "-m", *module],
            cwd=ROOT,
            env=_server_env(settings, tokens_file, self.port),
            stdout=self.output,
            stderr=subprocess.STDOUT,
        )
        if not _ready(self.port, self.process):
            last_words = self._last_words()
            self.close()
            raise RuntimeError(f"the API server did not become ready:\n{last_words}")

    def _last_words(self) -> str:
        return self.written()[-2000:]

    def written(self) -> str:
        self.output.flush()
        self.output.seek(0)
        return self.output.read().decode(errors="replace")

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
        self.output.close()
        self.scratch.cleanup()


def _server_env(settings: Settings, tokens_file: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VTR_")}
    env.update(settings.as_environment())
    env.update(VTR_TOKENS_FILE=str(tokens_file), VTR_PORT=str(port), VTR_LOG_LEVEL="WARNING")
    return env


def _run_clients(port: int, tokens: dict[str, str], ids: list[str], clients: int) -> float:
    shares = [ids[n::clients] for n in range(clients)]
    return clients_together([partial(_client, port, tokens, share) for share in shares])


def clients_together(clients: Sequence[Callable[[], None]]) -> float:
    """Seconds for every client, each in a thread of its own, all started at once; raises
    when any failed (after all have finished, so none is left running)."""
    start = threading.Barrier(len(clients) + 1)
    failures: list[BaseException] = []

    def run(client: Callable[[], None]) -> None:
        start.wait()  # whatever happens next, so the round never waits for a failed client
        try:
            client()
        except Exception as error:  # noqa: BLE001 (reported by the round, which fails)
            failures.append(error)

    threads = [threading.Thread(target=run, args=(client,), daemon=True) for client in clients]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    if failures:
        raise RuntimeError(f"{len(failures)} of {len(clients)} clients failed") from failures[0]
    return elapsed


def _client(port: int, tokens: dict[str, str], share: list[str]) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        for referral_id in share:
            for version, (command, actor, body) in enumerate(commands(), start=1):
                payload = json.dumps({"expected_version": version, **body})
                path = PATHS[command].format(referral_id=UUID(referral_id))
                connection.request(
                    "POST",
                    path,
                    body=payload,
                    headers={
                        "Authorization": f"Bearer {tokens[actor.actor_id]}",
                        "Content-Type": "application/json",
                        "Idempotency-Key": uuid4().hex,
                    },
                )
                response = connection.getresponse()
                answer = response.read()
                if response.status != 200:
                    raise RuntimeError(f"{path}: {response.status} {answer[:200]!r}")
    finally:
        connection.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _ready(port: int, process: subprocess.Popen[bytes]) -> bool:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/readyz")
            if connection.getresponse().status == 200:
                return True
        except OSError:
            time.sleep(0.2)
    return False
