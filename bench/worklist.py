"""One agency's worklist over the synthetic year (`scenarios.synthetic`), over HTTP.

The year is recorded through the ledger on its own business time; a live server (its own
process) then answers `GET /worklist?agency_id=…` for the MASH, whose staff chair the
meetings and screen the referrals, so the most deadlines fall on it. Each read folds every
deadline of the log afresh (no stored view), through the gate and the access log; the best
of the rounds is reported. An answer that is refused or empty is not a figure.
"""

from __future__ import annotations

import http.client
import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from api.bootstrap import open_runtime
from api.settings import Settings
from bench.http_load import LiveServer
from scenarios.builder import BusinessTime
from scenarios.synthetic import CHAIR, generate_year

SYNTHETIC_CASES = 24


@dataclass(frozen=True)
class WorklistFigures:
    log_events: int
    items: int
    worklist_ms: float


def measure_worklist(
    settings: Settings, rounds: int, cases: int = SYNTHETIC_CASES
) -> WorklistFigures:
    clock = BusinessTime(datetime(2025, 1, 1, tzinfo=UTC))
    runtime = open_runtime(settings, clock=clock)
    try:
        generate_year(runtime.ledger, clock, cases=cases)
        log_events = runtime.ledger.recorder.max_notification_id() or 0
    finally:
        runtime.close()
    server = LiveServer(settings, [CHAIR])
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    headers = {"Authorization": f"Bearer {server.tokens[CHAIR.actor_id]}"}
    best, items = float("inf"), 0
    try:
        for _ in range(rounds):
            started = time.perf_counter()
            connection.request("GET", f"/worklist?agency_id={CHAIR.agency_id}", headers=headers)
            response = connection.getresponse()
            body = response.read()
            best = min(best, time.perf_counter() - started)
            if response.status != 200:
                raise RuntimeError(f"worklist refused: {response.status} {body[:200]!r}")
            items = len(json.loads(body)["items"])
    finally:
        connection.close()
        server.close()
    if not items:
        raise RuntimeError("the MASH's worklist over the synthetic year is empty")
    return WorklistFigures(log_events, items, best * 1000)


def worklist_result(figures: WorklistFigures) -> dict[str, float]:
    return {
        "worklist_ms": round(figures.worklist_ms, 1),
        "worklist_items": figures.items,
        "worklist_log_events": figures.log_events,
    }
