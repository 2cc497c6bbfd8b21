"""A dispute pack of a 1,000-event case against a revealed history read of the same case.

The case is built as in bench/long_case.py (a referral at its strategy discussion, then
disclosures back and forth). A compliance officer asks a live server (its own process) for
the pack: the disclosure recorded, the log sealed and a checkpoint signed if one is due,
every event's inclusion proof, every sealed field opened and the ZIP signed. The baseline is
the read the pack replaces for a person: `GET /referrals/{id}/history?reveal=true`, the same
events with their personal data opened. Pack and read rounds alternate; the best of each is
compared. Every pack is checked offline (`verify_pack`) after the timing, so a broken pack
cannot give a fast figure.
"""

from __future__ import annotations

import http.client
import json
import time
from dataclasses import dataclass
from uuid import UUID

from api.bootstrap import open_runtime
from api.settings import Settings
from bench.erasure import case_of, sharing_agencies
from bench.http_load import LiveServer
from bench.long_case import LONG_CASE_EVENTS
from bench.register_export import register_agency_ref
from bench.workload import COMPLIANCE
from events.integrity.note import VerifierKey
from events.integrity.pack import verify_pack

PURPOSE = {"Access-Purpose": "Benchmark of the dispute pack"}


@dataclass(frozen=True)
class PackFigures:
    events: int
    pack_ms: float
    history_ms: float
    pack_bytes: int


def measure_dispute_pack(
    settings: Settings, rounds: int, events: int = LONG_CASE_EVENTS
) -> PackFigures:
    runtime = open_runtime(settings)
    try:
        ledger = runtime.ledger
        agencies = sharing_agencies(ledger)
        council = register_agency_ref(ledger, COMPLIANCE.agency, "local_authority")
        referral_id = case_of(ledger, agencies, events)
        runtime.projections.catch_up()
        log_key = runtime.projections.sealing.signers[0].verifier_key()
    finally:
        runtime.close()
    server = LiveServer(settings, [COMPLIANCE])
    client = _Client(server.port, server.tokens[COMPLIANCE.actor_id])
    best = {"pack": float("inf"), "history": float("inf")}
    packs: list[bytes] = []
    try:
        version = events
        for _ in range(rounds):
            elapsed, pack = client.pack(referral_id, version, council.agency_id)
            best["pack"] = min(best["pack"], elapsed)
            packs.append(pack)
            version += 1
            best["history"] = min(best["history"], client.history(referral_id))
    finally:
        client.close()
        server.close()
    _check(packs, log_key, events)
    return PackFigures(events, best["pack"] * 1000, best["history"] * 1000, len(packs[-1]))


def pack_result(figures: PackFigures) -> dict[str, float]:
    return {
        "dispute_pack_ms": round(figures.pack_ms, 1),
        "revealed_history_read_ms": round(figures.history_ms, 1),
        "pack_vs_history_read": round(figures.pack_ms / figures.history_ms, 3),
        "dispute_pack_kib": round(figures.pack_bytes / 1024, 1),
    }


class _Client:
    def __init__(self, port: int, token: str) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.headers = {"Authorization": f"Bearer {token}", **PURPOSE}

    def pack(self, referral_id: UUID, version: int, requester: UUID) -> tuple[float, bytes]:
        body = json.dumps(
            {
                "expected_version": version,
                "requester_agency_id": str(requester),
                "purpose": "Benchmark",
                "legal_basis_ids": ["uk.public-task-art6-1e"],
                "handling_advice": "Benchmark data only.",
            }
        )
        headers = {**self.headers, "Content-Type": "application/json"}
        started = time.perf_counter()
        self.connection.request("POST", f"/referrals/{referral_id}/dispute-packs", body, headers)
        pack = self._answer("pack")
        return time.perf_counter() - started, pack

    def history(self, referral_id: UUID) -> float:
        started = time.perf_counter()
        path = f"/referrals/{referral_id}/history?reveal=true"
        self.connection.request("GET", path, headers=self.headers)
        self._answer("history")
        return time.perf_counter() - started

    def _answer(self, what: str) -> bytes:
        response = self.connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"{what} refused: {response.status} {body[:200]!r}")
        return body

    def close(self) -> None:
        self.connection.close()


def _check(packs: list[bytes], log_key: VerifierKey, events: int) -> None:
    for pack in packs:
        report = verify_pack(pack, log_key)
        if not report.intact or report.events <= events:
            raise RuntimeError(f"a benchmarked pack does not verify: {report.findings[:3]}")
