"""What access control costs a read: `GET /referrals/{id}` by a MASH police lead, through the
full gate (token, permission matrix, case scope, a consultation appended to the access log)
against the same read from a server whose gate is switched off (bench/open_server.py).

Both servers run as their own processes on the same database; one client reads sequentially,
in alternating rounds, and the best round of each is compared.
"""

from __future__ import annotations

import http.client
import time
from dataclasses import dataclass
from uuid import UUID

from api.bootstrap import open_runtime
from api.settings import Settings
from bench.http_load import LiveServer
from bench.workload import POLICE, receive_referrals


@dataclass(frozen=True)
class AuthzFigures:
    reads: int
    guarded_ms: float
    open_ms: float


def measure_authz(settings: Settings, reads: int, rounds: int) -> AuthzFigures:
    runtime = open_runtime(settings)
    try:
        (referral_id,) = receive_referrals(runtime.ledger, 1)
        runtime.projections.catch_up()
    finally:
        runtime.close()
    guarded = LiveServer(settings, [POLICE])
    unguarded = LiveServer(settings, [POLICE], module=("bench.open_server",))
    token = guarded.tokens[POLICE.actor_id]
    best = {"guarded": float("inf"), "open": float("inf")}
    try:
        for _ in range(rounds):
            best["guarded"] = min(best["guarded"], _reads(guarded.port, token, referral_id, reads))
            best["open"] = min(best["open"], _reads(unguarded.port, token, referral_id, reads))
    finally:
        guarded.close()
        unguarded.close()
    return AuthzFigures(reads, best["guarded"] / reads * 1000, best["open"] / reads * 1000)


def _reads(port: int, token: str, referral_id: UUID, reads: int) -> float:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Authorization": f"Bearer {token}"}
    started = time.perf_counter()
    for _ in range(reads):
        connection.request("GET", f"/referrals/{referral_id}", headers=headers)
        response = connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"read refused: {response.status} {body[:200]!r}")
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed
