"""What access control costs a read: `GET /referrals/{id}` by a MASH police lead, through the
full gate (token, permission matrix, case scope, a consultation appended to the access log)
against the same read from a server whose gate is switched off (bench/open_server.py).

A third server keeps its gate but writes nothing to the access log (`python -m
bench.open_server unlogged`): against the open one it shows what the gate itself costs, apart
from the durable commit every served read waits for (DPA 2018 s.62).

The servers run as their own processes on the same database, with the default pool size (three
with larger pools would not fit PostgreSQL's default 100 connections). Each round reads from
each, alternately: first with concurrent clients (threads, each on its own connection, sharing
the round's reads), then with one client reading sequentially; the best round of each is
compared. Concurrent reads are what the access log's group commit serves: their entries
share a commit. A sequential reader waits for a commit of its own on every read.
"""

from __future__ import annotations

import http.client
import time
from dataclasses import dataclass
from functools import partial
from uuid import UUID

from api.bootstrap import open_runtime
from api.settings import Settings
from bench.http_load import LiveServer, clients_together
from bench.workload import POLICE, receive_referrals


@dataclass(frozen=True)
class AuthzFigures:
    reads: int
    clients: int
    guarded_ms: float  # wall time per read with `clients` concurrent readers
    open_ms: float
    unlogged_ms: float  # the gate, and no access-log entry written
    sequential_guarded_ms: float  # one reader
    sequential_open_ms: float
    sequential_unlogged_ms: float


SERVERS = {
    "guarded": ("api", "serve"),
    "open": ("bench.open_server",),
    "unlogged": ("bench.open_server", "unlogged"),
}
SERVER_POOL_SIZE = 5  # the setting's default


def measure_authz(settings: Settings, reads: int, rounds: int, clients: int) -> AuthzFigures:
    runtime = open_runtime(settings)
    try:
        (referral_id,) = receive_referrals(runtime.ledger, 1)
        runtime.projections.catch_up()
    finally:
        runtime.close()
    served = settings.model_copy(update={"pg_pool_size": SERVER_POOL_SIZE})
    servers: dict[str, LiveServer] = {}
    best: dict[str, float] = {}
    try:
        for label, module in SERVERS.items():
            servers[label] = LiveServer(served, [POLICE], module=module)
        readers = {
            label: _Reader(server.tokens[POLICE.actor_id], referral_id)
            for label, server in servers.items()
        }
        for _ in range(rounds):
            for label, server in servers.items():
                reader = readers[label]
                _keep_best(best, label, reader.concurrently(server.port, reads, clients))
                _keep_best(best, f"sequential_{label}", reader.sequentially(server.port, reads))
    finally:
        for server in servers.values():  # none left running when another cannot start
            server.close()
    per_read = {f"{label}_ms": seconds / reads * 1000 for label, seconds in best.items()}
    return AuthzFigures(reads, clients, **per_read)


def authz_result(figures: AuthzFigures) -> dict[str, float]:
    return {
        "authz_reads": figures.reads,
        "authz_clients": figures.clients,
        "guarded_read_ms": round(figures.guarded_ms, 3),
        "open_read_ms": round(figures.open_ms, 3),
        "unlogged_read_ms": round(figures.unlogged_ms, 3),
        "authz_overhead": round(figures.guarded_ms / figures.open_ms, 3),
        "authz_overhead_without_log": round(figures.unlogged_ms / figures.open_ms, 3),
        "sequential_guarded_read_ms": round(figures.sequential_guarded_ms, 2),
        "sequential_open_read_ms": round(figures.sequential_open_ms, 2),
        "sequential_unlogged_read_ms": round(figures.sequential_unlogged_ms, 2),
        "authz_overhead_sequential": round(
            figures.sequential_guarded_ms / figures.sequential_open_ms, 3
        ),
        "authz_overhead_without_log_sequential": round(
            figures.sequential_unlogged_ms / figures.sequential_open_ms, 3
        ),
    }


def _keep_best(best: dict[str, float], label: str, seconds: float) -> None:
    best[label] = min(best.get(label, float("inf")), seconds)


@dataclass(frozen=True)
class _Reader:
    token: str
    referral_id: UUID

    def concurrently(self, port: int, reads: int, clients: int) -> float:
        """Seconds for `clients` threads to make `reads` reads between them."""
        each = reads // clients
        elapsed = clients_together([partial(self._client, port, each)] * clients)
        return elapsed * reads / (each * clients)  # as if `reads` were made

    def sequentially(self, port: int, reads: int) -> float:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        started = time.perf_counter()
        self._read(connection, reads)
        elapsed = time.perf_counter() - started
        connection.close()
        return elapsed

    def _client(self, port: int, reads: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            self._read(connection, reads)
        finally:
            connection.close()

    def _read(self, connection: http.client.HTTPConnection, reads: int) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        for _ in range(reads):
            connection.request("GET", f"/referrals/{self.referral_id}", headers=headers)
            response = connection.getresponse()
            body = response.read()
            if response.status != 200:
                raise RuntimeError(f"read refused: {response.status} {body[:200]!r}")
