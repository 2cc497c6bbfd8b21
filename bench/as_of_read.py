"""A case read as it stood at a moment against the live read of the same case.

`GET /referrals/{id}?as_of=T` folds the referral's events recorded by T with the case view's
own fold; `GET /referrals/{id}` reads the case's row of the projected case view. Both go to a
live server (its own process), by the MASH police lead, through the access-control gate, on
a case of 1,000 events built as in bench/long_case.py and projected before the server starts.
T is a moment after the case's last event, so both reads must answer the same case: the bench
checks every answer after the timing, so a broken read cannot give a fast figure. As-of and
live rounds alternate (in both orders); the best round of each is compared.
"""

from __future__ import annotations

import http.client
import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote
from uuid import UUID

from api.bootstrap import open_runtime
from api.settings import Settings
from bench.erasure import case_of, sharing_agencies
from bench.http_load import LiveServer
from bench.long_case import LONG_CASE_EVENTS
from bench.workload import POLICE


@dataclass(frozen=True)
class AsOfFigures:
    events: int
    reads: int
    as_of_ms: float
    live_ms: float


def measure_as_of_read(
    settings: Settings, reads: int, rounds: int, events: int = LONG_CASE_EVENTS
) -> AsOfFigures:
    referral_id = _projected_case(settings, events)
    moment = datetime.now(UTC)  # after the case's last event: the case as it stands now
    paths = {
        "as_of": f"/referrals/{referral_id}?as_of={quote(moment.isoformat())}",
        "live": f"/referrals/{referral_id}",
    }
    server = LiveServer(settings, [POLICE])
    reader = _Reader(server.port, server.tokens[POLICE.actor_id])
    best = dict.fromkeys(paths, float("inf"))
    answers: dict[str, set[bytes]] = {kind: set() for kind in paths}
    try:
        for index in range(rounds):
            for kind in ("as_of", "live") if index % 2 == 0 else ("live", "as_of"):
                elapsed, bodies = reader.reads(paths[kind], reads)
                best[kind] = min(best[kind], elapsed)
                answers[kind].update(bodies)
    finally:
        reader.close()
        server.close()
    _check_same_case(answers, events)
    return AsOfFigures(events, reads, best["as_of"] / reads * 1000, best["live"] / reads * 1000)


def as_of_result(figures: AsOfFigures) -> dict[str, float]:
    # Reads per second as of a moment over reads per second live: the inverse of the times.
    return {
        "as_of_case_read_ms": round(figures.as_of_ms, 2),
        "live_case_read_ms": round(figures.live_ms, 2),
        "as_of_read_vs_live": round(figures.live_ms / figures.as_of_ms, 3),
    }


def _projected_case(settings: Settings, events: int) -> UUID:
    # Projected before the server starts (it runs no worker): else the live read would fold
    # the case from its events too.
    runtime = open_runtime(settings)
    try:
        ledger = runtime.ledger
        agencies = sharing_agencies(ledger)
        referral_id = case_of(ledger, agencies, events)
        runtime.projections.catch_up()
    finally:
        runtime.close()
    return referral_id


class _Reader:
    def __init__(self, port: int, token: str) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.headers = {"Authorization": f"Bearer {token}"}

    def reads(self, path: str, count: int) -> tuple[float, list[bytes]]:
        bodies = []
        started = time.perf_counter()
        for _ in range(count):
            self.connection.request("GET", path, headers=self.headers)
            response = self.connection.getresponse()
            body = response.read()
            if response.status != 200:
                raise RuntimeError(f"case read refused: {response.status} {body[:200]!r}")
            bodies.append(body)
        return time.perf_counter() - started, bodies

    def close(self) -> None:
        self.connection.close()


def _check_same_case(answers: dict[str, set[bytes]], events: int) -> None:
    """Every answer, as of now or live, is the one case at its last event."""
    cases = [_case(body) for bodies in answers.values() for body in bodies]
    if any(case != cases[0] for case in cases) or cases[0]["version"] != events:
        raise RuntimeError("the as-of and live reads did not answer the same, whole case")


def _case(body: bytes) -> dict[str, Any]:
    case: dict[str, Any] = json.loads(body)["case"]
    return case
