"""Proving the record: verify runs, cosignatures offered by witnesses, and proofs.

Shared by the HTTP routes and the CLI, so `GET /integrity` and `python -m api verify` check
the same things and record their runs the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from api.bootstrap import Sealing
from api.settings import Settings
from events.integrity.merkle import consistency_proof, inclusion_proof
from events.integrity.note import (
    NoteError,
    Signature,
    parse_note,
    verify_note,
)
from projections.checkpoints import StoredCheckpoint, VerifyRun
from projections.verification import LogReport, verify_sealed_log

LOGS = ("events", "access")
# A shifted log yields a finding per later row; a run keeps the first ones (and the count).
RECORDED_FINDINGS = 100


class CheckpointNotFoundError(Exception):
    """No checkpoint (of that size) to serve or cosign."""


class ProofRequestError(Exception):
    """Tree sizes or a position a proof cannot be given for; the message says which."""


class UnregisteredWitnessError(Exception):
    """A cosignature from a key no administrator registered."""


class CosignatureRefusedError(Exception):
    """A cosignature line that is malformed or does not verify."""


def verify_ledger(
    sealing: Sealing,
    settings: Settings,
    *,
    now: Callable[[], datetime],
    new_id: Callable[[], UUID],
    actor_id: str,
    via: str,
    progress: Callable[[str, int], None] | None = None,
) -> list[LogReport]:
    """Verify both logs, record each run, and return what was found."""
    reports = []
    for log in LOGS:
        started = now()
        report = verify_sealed_log(
            sealing.logs[log],
            sealing.sealer(log),
            sealing.checkpoints,
            log_keys=sealing.trusted_keys,
            now=started,
            allowed_lag=timedelta(seconds=settings.seal_lag_seconds),
            progress=progress,
        )
        sealing.checkpoints.record_run(_run(report, new_id(), started, now(), actor_id, via))
        reports.append(report)
    return reports


def _run(
    report: LogReport, run_id: UUID, started: datetime, finished: datetime, actor: str, via: str
) -> VerifyRun:
    first = report.first
    return VerifyRun(
        run_id=str(run_id),
        log=report.log,
        started_at=started,
        finished_at=finished,
        actor_id=actor,
        via=via,
        tree_size=report.tree_size,
        root=report.root,
        intact=report.intact,
        unsealed=report.unsealed,
        first_kind=None if first is None else first.kind.value,
        first_position=None if first is None else first.position,
        findings=[
            {"kind": f.kind.value, "position": f.position, "detail": f.detail}
            for f in report.findings[:RECORDED_FINDINGS]
        ],
    )


@dataclass(frozen=True)
class CosignatureAccepted:
    witness: str
    size: int
    timestamp: int


def accept_cosignature(
    sealing: Sealing, log: str, size: int, line: str, received_at: datetime
) -> CosignatureAccepted:
    """Keep a witness's cosignature of the checkpoint at `size` if it verifies against a
    registered witness's key; refuse it with the reason otherwise."""
    checkpoint = _checkpoint(sealing, log, size)
    try:
        note = parse_note(checkpoint.note + line.rstrip("\n") + "\n")
    except NoteError as error:
        raise CosignatureRefusedError(f"not one cosignature line ({error.problem})") from None
    if len(note.signatures) != len(parse_note(checkpoint.note).signatures) + 1:
        raise CosignatureRefusedError("send exactly one signature line")
    offered: Signature = note.signatures[-1]
    registered = [
        witness.vkey
        for witness in sealing.checkpoints.witnesses()
        if (witness.vkey.name, witness.vkey.key_id) == (offered.name, offered.key_id)
    ]
    if not registered:
        raise UnregisteredWitnessError(f"{offered.name} is not a registered witness key")
    verdict = verify_note(note, registered)
    if not verdict.verified or verdict.failed:
        raise CosignatureRefusedError(
            f"the cosignature does not verify with {offered.name}'s key over this checkpoint",
        )
    timestamp = verdict.verified[0].timestamp or 0
    sealing.checkpoints.add_cosignature(log, size, offered, timestamp, received_at)
    return CosignatureAccepted(offered.name, size, timestamp)


def _checkpoint(sealing: Sealing, log: str, size: int) -> StoredCheckpoint:
    checkpoint = sealing.checkpoints.at_size(log, size)
    if checkpoint is None:
        raise CheckpointNotFoundError(f"no checkpoint of the {log} log at size {size}")
    return checkpoint


def latest_note(sealing: Sealing, log: str) -> str:
    checkpoint = sealing.checkpoints.latest(log)
    if checkpoint is None:
        raise CheckpointNotFoundError(f"the {log} log has no checkpoint yet")
    return sealing.checkpoints.served_note(checkpoint)


@dataclass(frozen=True)
class InclusionProof:
    leaf_index: int
    leaf_hash: bytes
    proof: list[bytes]


def prove_inclusion(sealing: Sealing, log: str, position: int, tree_size: int) -> InclusionProof:
    sealer = sealing.sealer(log)
    size = sealer.head().size
    if not 0 < tree_size <= size:
        raise ProofRequestError(f"tree_size must be from 1 to {size}, the sealed size")
    seal = sealer.seal_at(position)
    if seal is None:
        raise ProofRequestError(f"no sealed entry at position {position}")
    if seal.leaf_index >= tree_size:
        raise ProofRequestError(f"position {position} is not in the first {tree_size} entries")
    proof = inclusion_proof(sealer.leaf_hashes(tree_size), seal.leaf_index)
    return InclusionProof(seal.leaf_index, seal.leaf_hash, proof)


def prove_consistency(sealing: Sealing, log: str, first: int, second: int) -> list[bytes]:
    sealer = sealing.sealer(log)
    size = sealer.head().size
    if not 0 < first <= second <= size:
        raise ProofRequestError(f"need 0 < first <= second <= {size}, the sealed size")
    return consistency_proof(sealer.leaf_hashes(second), first)
