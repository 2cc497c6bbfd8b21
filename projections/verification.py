"""Verifying a sealed log end to end: its stored rows, its seals, its signed checkpoints and
their cosignatures, and how long anything has waited to be sealed.

`verify_log` (events.integrity) walks the rows beside the seals and compares the tree with
every checkpoint whose signature verified. Around it, this module checks each checkpoint's
note against the log's trusted keys (a forged or re-signed checkpoint is named, and its
root is not trusted), each cosignature against the registered witnesses, and the lag rule:
an event recorded longer ago than the allowed lag and still unsealed is reported, because a
sealer that has stopped leaves the newest history unprotected.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from events.integrity.entries import Sealable
from events.integrity.note import NoteError, VerifierKey, parse_note, verify_note
from events.integrity.verify import Finding, Seal, SignedTree, Tamper, verify_log
from projections.checkpoints import CheckpointStore, StoredCheckpoint
from projections.seals import Sealer

PROGRESS_EVERY = 10_000


@dataclass(frozen=True)
class LogReport:
    """What verifying one log found."""

    log: str
    origin: str
    tree_size: int
    root: bytes
    records: int
    unsealed: int
    checkpoints: int
    cosignatures: int
    findings: tuple[Finding, ...]

    @property
    def intact(self) -> bool:
        return not self.findings

    @property
    def first(self) -> Finding | None:
        """The finding at the earliest position (one with no position comes last)."""
        if not self.findings:
            return None
        return min(self.findings, key=lambda f: (f.position is None, f.position or 0))


@dataclass(frozen=True)
class SealedLog:
    """One log to verify: its rows as stored, its sealer and what it is called."""

    log: str
    origin: str
    records: Callable[[], Iterable[Sealable]]
    recorded_at: Callable[[Sealable], datetime]  # when a row was recorded (for the lag rule)


def verify_sealed_log(
    sealed: SealedLog,
    sealer: Sealer,
    store: CheckpointStore,
    *,
    log_keys: Sequence[VerifierKey],
    now: datetime,
    allowed_lag: timedelta,
    progress: Callable[[str, int], None] | None = None,
) -> LogReport:
    seals = sealer.all_seals()
    findings: list[Finding] = []
    checkpoints = store.all_checkpoints(sealed.log)
    signed = _signed_trees(checkpoints, sealed.origin, log_keys, seals, findings)
    cosignatures = _check_cosignatures(sealed.log, checkpoints, store, seals, findings)
    last_sealed = seals[-1].position if seals else 0
    watch = _Watch(sealed.records(), last_sealed, sealed.log, progress)
    walked = verify_log(watch, seals, signed)
    findings.extend(walked.findings)
    if watch.first_unsealed is not None:
        recorded = sealed.recorded_at(watch.first_unsealed)
        if now - recorded > allowed_lag:
            waited = int((now - recorded).total_seconds())
            findings.append(
                Finding(
                    Tamper.SEAL_LAGGING,
                    watch.first_unsealed.position,
                    f"recorded {waited} s ago and still unsealed "
                    f"(allowed: {int(allowed_lag.total_seconds())} s)",
                )
            )
    return LogReport(
        sealed.log,
        sealed.origin,
        walked.tree_size,
        walked.root,
        watch.count,
        walked.unsealed,
        len(checkpoints),
        cosignatures,
        tuple(findings),
    )


class _Watch:
    """Passes the rows through, counting them, noting the first one past the seals."""

    def __init__(
        self,
        records: Iterable[Sealable],
        last_sealed: int,
        log: str,
        progress: Callable[[str, int], None] | None,
    ) -> None:
        self._records = records
        self._last_sealed = last_sealed
        self._log = log
        self._progress = progress
        self.count = 0
        self.first_unsealed: Sealable | None = None

    def __iter__(self) -> Iterator[Sealable]:
        for record in self._records:
            self.count += 1
            if self.first_unsealed is None and record.position > self._last_sealed:
                self.first_unsealed = record
            if self._progress is not None and self.count % PROGRESS_EVERY == 0:
                self._progress(self._log, self.count)
            yield record


def _position_of(size: int, seals: Sequence[Seal]) -> int | None:
    """The position of a tree's last leaf (where a checkpoint of `size` ends)."""
    return seals[size - 1].position if 0 < size <= len(seals) else None


def _signed_trees(
    checkpoints: Sequence[StoredCheckpoint],
    origin: str,
    log_keys: Sequence[VerifierKey],
    seals: Sequence[Seal],
    findings: list[Finding],
) -> list[SignedTree]:
    """The trees of the checkpoints whose notes verify with the log's keys; a finding for
    each that does not (its size and root are then not trusted)."""
    trusted = []
    for stored in checkpoints:
        problem = _checkpoint_problem(stored, origin, log_keys)
        if problem is None:
            trusted.append(SignedTree(stored.size, parse_note(stored.note).checkpoint().root))
            continue
        at = _position_of(stored.size, seals)
        detail = f"the checkpoint of size {stored.size}: {problem}"
        findings.append(Finding(Tamper.CHECKPOINT_SIGNATURE_INVALID, at, detail))
    return trusted


def _checkpoint_problem(
    stored: StoredCheckpoint, origin: str, log_keys: Sequence[VerifierKey]
) -> str | None:
    try:
        note = parse_note(stored.note)
        checkpoint = note.checkpoint()
    except NoteError as error:
        return f"not a checkpoint note ({error.problem})"
    if checkpoint.origin != origin:
        return f"signed for another log ({checkpoint.origin})"
    if (checkpoint.size, checkpoint.root) != (stored.size, stored.root):
        return "its note names another size or root than it is filed under"
    verdict = verify_note(note, log_keys)
    if verdict.failed:
        return "a signature does not verify with the log's key"
    if not verdict.verified:
        return "no signature from a key of this log"
    return None


def _check_cosignatures(
    log: str,
    checkpoints: Sequence[StoredCheckpoint],
    store: CheckpointStore,
    seals: Sequence[Seal],
    findings: list[Finding],
) -> int:
    notes = {checkpoint.size: checkpoint.note for checkpoint in checkpoints}
    witnesses = [witness.vkey for witness in store.witnesses()]
    kept = store.cosignatures(log)
    for cosignature in kept:
        problem = _cosignature_problem(notes.get(cosignature.size), cosignature.line, witnesses)
        if problem is not None:
            detail = (
                f"{cosignature.witness} on the checkpoint of size {cosignature.size}: {problem}"
            )
            at = _position_of(cosignature.size, seals)
            findings.append(Finding(Tamper.COSIGNATURE_INVALID, at, detail))
    return len(kept)


def _cosignature_problem(
    note_text: str | None, line: str, witnesses: Sequence[VerifierKey]
) -> str | None:
    if note_text is None:
        return "no checkpoint of that size"
    try:
        note = parse_note(note_text + line)
    except NoteError as error:
        return f"not a signature line ({error.problem})"
    cosignature = note.signatures[-1]
    known = [
        key for key in witnesses if (key.name, key.key_id) == (cosignature.name, cosignature.key_id)
    ]
    if not known:
        return "from no registered witness"
    verdict = verify_note(note, known)
    if verdict.failed or not verdict.verified:
        return "does not verify with the witness's registered key"
    return None
