"""Proving the record: signed checkpoints and their witnesses' cosignatures, inclusion and
consistency proofs (RFC 9162 §2.1.3 to 2.1.4), witness registration and verify runs."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Annotated, Literal, cast
from uuid import uuid4

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field

from api.access.gate import GatedRoute
from api.http.deps import ActorDep, RuntimeDep
from api.integrity import (
    accept_cosignature,
    latest_note,
    prove_consistency,
    prove_inclusion,
    verify_ledger,
)
from commands.witnesses import RegisterWitness
from events.integrity.note import VerifierKey
from events.integrity.verify import Finding as Found
from projections.checkpoints import StoredCosignature, VerifyRun, Witness

router = APIRouter(tags=["Proving the record"], route_class=GatedRoute)
Log = Literal["events", "access"]
LogQuery = Annotated[
    Log, Query(description="events: the referral event log; access: the access log.")
]
Size = Annotated[int, Field(ge=1, le=2**62)]
NOTE = "text/plain; charset=utf-8"
MAX_COSIGNATURE_BYTES = 1000
COSIGNATURE_EXAMPLE = (  # a real cosignature line, from docs/integrity.md
    "\u2014 witness.norfolk-constabulary ujM+uwAAAABrCqYgoZ1NWfn87TBVyrWulvj+tZ/fv9e6/6IHghCItG"
    "zlA/LUxjtIsCKzcRE/kPWAb24KD8C5cRnWkWslKcE5MISPBA==\n"
)


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


class CheckpointEntry(BaseModel):
    size: int
    root: str = Field(description="The tree's root hash, base64.")
    signed_at: datetime
    note: str = Field(description="The signed note, with the witnesses' cosignatures.")
    cosigned_by: list[str]


class CheckpointHistory(BaseModel):
    log: Log
    checkpoints: list[CheckpointEntry]


class InclusionProofAnswer(BaseModel):
    log: Log
    position: int
    leaf_index: int
    tree_size: int
    leaf_hash: str
    proof: list[str] = Field(description="RFC 9162 §2.1.3 inclusion path, base64 hashes.")


class ConsistencyProofAnswer(BaseModel):
    log: Log
    first: int
    second: int
    proof: list[str] = Field(description="RFC 9162 §2.1.4 consistency proof, base64 hashes.")


class CosignatureReceipt(BaseModel):
    witness: str
    size: int
    timestamp: int


class RegisteredWitness(BaseModel):
    name: str
    agency: str
    key: str
    registered_at: datetime
    registered_by: str


class WitnessList(BaseModel):
    witnesses: list[RegisteredWitness]


class Finding(BaseModel):
    kind: str
    position: int | None
    detail: str


class LogVerification(BaseModel):
    log: Log
    origin: str
    intact: bool
    tree_size: int
    root: str
    records: int
    unsealed: int
    checkpoints: int
    cosignatures: int
    first: Finding | None
    findings: list[Finding]


class IntegrityAnswer(BaseModel):
    intact: bool
    checked_at: datetime
    logs: list[LogVerification]


class VerifyRunEntry(BaseModel):
    run_id: str
    log: str
    started_at: datetime
    finished_at: datetime
    actor_id: str
    via: str
    intact: bool
    tree_size: int
    root: str
    unsealed: int
    first_kind: str | None
    first_position: int | None


class VerifyRunList(BaseModel):
    runs: list[VerifyRunEntry]


@router.get(
    "/checkpoints/latest",
    response_class=PlainTextResponse,
    responses={200: {"content": {"text/plain": {}}}},
)
def latest_checkpoint(
    runtime: RuntimeDep, _actor: ActorDep, log: LogQuery = "events"
) -> PlainTextResponse:
    """The log's latest signed checkpoint (C2SP tlog-checkpoint, a signed note), with the
    cosignatures of the witnesses that checked it."""
    return PlainTextResponse(latest_note(runtime.projections.sealing, log), media_type=NOTE)


@router.get("/checkpoints", response_model=CheckpointHistory)
def checkpoints(
    runtime: RuntimeDep,
    _actor: ActorDep,
    log: LogQuery = "events",
    after_size: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> CheckpointHistory:
    """Every checkpoint signed, oldest first, with who cosigned each."""
    store = runtime.projections.sealing.checkpoints
    found = store.history(log, after_size, limit)
    if not found:
        return CheckpointHistory(log=log, checkpoints=[])
    # The page's cosignatures in one read, not two per checkpoint.
    cosigned: dict[int, list[StoredCosignature]] = {}
    for cosignature in store.cosignatures(log, found[0].size, found[-1].size):
        cosigned.setdefault(cosignature.size, []).append(cosignature)
    entries = [
        CheckpointEntry(
            size=checkpoint.size,
            root=b64(checkpoint.root),
            signed_at=checkpoint.signed_at,
            note=checkpoint.note + "".join(c.line for c in cosigned.get(checkpoint.size, [])),
            cosigned_by=[c.witness for c in cosigned.get(checkpoint.size, [])],
        )
        for checkpoint in found
    ]
    return CheckpointHistory(log=log, checkpoints=entries)


@router.post(
    "/checkpoints/{size}/cosignatures",
    status_code=201,
    response_model=CosignatureReceipt,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/plain": {"schema": {"type": "string"}, "example": COSIGNATURE_EXAMPLE}
            },
        }
    },
)
async def add_cosignature(
    request: Request,
    runtime: RuntimeDep,
    _actor: ActorDep,
    size: Annotated[int, Path(ge=1, le=2**62)],
    log: LogQuery = "events",
) -> CosignatureReceipt:
    """A registered witness's cosignature (C2SP tlog-cosignature: one signature line, as
    `text/plain`) of the checkpoint at `size`; kept only if it verifies with the witness's
    registered key."""
    line = await _cosignature_line(request)
    sealing = runtime.projections.sealing
    accepted = await run_in_threadpool(
        accept_cosignature, sealing, log, size, line, runtime.ledger.clock.now()
    )
    return CosignatureReceipt(
        witness=accepted.witness, size=accepted.size, timestamp=accepted.timestamp
    )


@router.get("/log/inclusion-proof", response_model=InclusionProofAnswer)
def inclusion_proof(
    runtime: RuntimeDep,
    _actor: ActorDep,
    position: Annotated[int, Query(ge=1, le=2**62)],
    tree_size: Annotated[int, Query(ge=1, le=2**62)],
    log: LogQuery = "events",
) -> InclusionProofAnswer:
    """The path proving the entry at `position` is in the tree of `tree_size` leaves."""
    proof = prove_inclusion(runtime.projections.sealing, log, position, tree_size)
    return InclusionProofAnswer(
        log=log,
        position=position,
        leaf_index=proof.leaf_index,
        tree_size=tree_size,
        leaf_hash=b64(proof.leaf_hash),
        proof=[b64(node) for node in proof.proof],
    )


@router.get("/log/consistency-proof", response_model=ConsistencyProofAnswer)
def consistency_proof(
    runtime: RuntimeDep,
    _actor: ActorDep,
    first: Annotated[int, Query(ge=1, le=2**62)],
    second: Annotated[int, Query(ge=1, le=2**62)],
    log: LogQuery = "events",
) -> ConsistencyProofAnswer:
    """The proof that the tree of `second` leaves extends the tree of `first` leaves."""
    proof = prove_consistency(runtime.projections.sealing, log, first, second)
    return ConsistencyProofAnswer(
        log=log, first=first, second=second, proof=[b64(node) for node in proof]
    )


@router.post("/witnesses", status_code=201, response_model=RegisteredWitness)
def register_witness(
    runtime: RuntimeDep, actor: ActorDep, registration: RegisterWitness
) -> RegisteredWitness:
    """Register a partner agency's witness key; its cosignatures are accepted from now on."""
    key = VerifierKey.parse(registration.key)
    witness = Witness(
        key.name, key, registration.agency, runtime.ledger.clock.now(), actor.actor_id
    )
    runtime.projections.sealing.checkpoints.register_witness(witness)
    stored = next(
        w
        for w in runtime.projections.sealing.checkpoints.witnesses()
        if (w.name, w.vkey) == (key.name, key)
    )
    return _witness(stored)


@router.get("/witnesses", response_model=WitnessList)
def witnesses(runtime: RuntimeDep, _actor: ActorDep) -> WitnessList:
    """The registered witnesses and their keys."""
    return WitnessList(
        witnesses=[_witness(w) for w in runtime.projections.sealing.checkpoints.witnesses()]
    )


@router.get("/integrity", response_model=IntegrityAnswer)
async def verify_integrity(runtime: RuntimeDep, actor: ActorDep) -> IntegrityAnswer:
    """Verify both logs now (every stored entry against its seal, every checkpoint and
    cosignature, the sealing lag); the run is recorded with who asked."""
    clock = runtime.ledger.clock
    reports = await run_in_threadpool(
        verify_ledger,
        runtime.projections.sealing,
        runtime.settings,
        now=clock.now,
        new_id=uuid4,
        actor_id=actor.actor_id,
        via="GET /integrity",
    )
    logs = [
        LogVerification(
            log=cast("Log", report.log),
            origin=report.origin,
            intact=report.intact,
            tree_size=report.tree_size,
            root=b64(report.root),
            records=report.records,
            unsealed=report.unsealed,
            checkpoints=report.checkpoints,
            cosignatures=report.cosignatures,
            first=_finding(report.first) if report.first else None,
            findings=[_finding(f) for f in report.findings],
        )
        for report in reports
    ]
    return IntegrityAnswer(
        intact=all(log.intact for log in logs), checked_at=clock.now(), logs=logs
    )


@router.get("/integrity/runs", response_model=VerifyRunList)
def integrity_runs(
    runtime: RuntimeDep, _actor: ActorDep, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> VerifyRunList:
    """The verify runs recorded, newest first: who checked, when, and what they found."""
    runs = runtime.projections.sealing.checkpoints.runs(limit)
    return VerifyRunList(runs=[_run(run) for run in runs])


async def _cosignature_line(request: Request) -> str:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "text/plain":
        raise HTTPException(415, "Send the cosignature line as text/plain.")
    body = await request.body()
    if len(body) > MAX_COSIGNATURE_BYTES:
        raise HTTPException(413, f"A cosignature line is at most {MAX_COSIGNATURE_BYTES} bytes.")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise HTTPException(400, "The cosignature line is not UTF-8.") from None


def _witness(witness: Witness) -> RegisteredWitness:
    return RegisteredWitness(
        name=witness.name,
        agency=witness.agency,
        key=str(witness.vkey),
        registered_at=witness.registered_at,
        registered_by=witness.registered_by,
    )


def _finding(finding: Found) -> Finding:
    return Finding(kind=finding.kind.value, position=finding.position, detail=finding.detail)


def _run(run: VerifyRun) -> VerifyRunEntry:
    return VerifyRunEntry(
        run_id=run.run_id,
        log=run.log,
        started_at=run.started_at,
        finished_at=run.finished_at,
        actor_id=run.actor_id,
        via=run.via,
        intact=run.intact,
        tree_size=run.tree_size,
        root=b64(run.root),
        unsealed=run.unsealed,
        first_kind=run.first_kind,
        first_position=run.first_position,
    )
