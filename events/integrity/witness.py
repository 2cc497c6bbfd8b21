"""A witness's decision, from the notes and the proof alone: does the checkpoint the log shows
extend the one this witness cosigned last?

Pure (no network, no files), so a partner agency's witness (`python -m api witness`) and an
auditor reach the same verdict from the same notes: a checkpoint signed by the log's key, of
the same origin, at least as large, with the same root at the same size or a consistency
proof from the held tree to the shown one checked against both roots the witness trusts.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import overload

from events.integrity.merkle import check_consistency
from events.integrity.note import (
    Checkpoint,
    MalformedNoteError,
    NoteError,
    NoteRejectedError,
    VerifierKey,
    open_checkpoint,
    parse_note,
    verify_note,
)


class Refused(StrEnum):
    """Why a witness will not cosign what the log shows."""

    BAD_SIGNATURE = "bad signature"
    DIFFERENT_ORIGIN = "different origin"
    ROLLED_BACK = "rolled back"
    SPLIT_VIEW = "different root at the same size (split view)"
    NOT_CONSISTENT = "not consistent"


@dataclass(frozen=True, slots=True)
class Refusal:
    refused: Refused
    detail: str


@dataclass(frozen=True, slots=True)
class Cosign:
    """The checkpoint extends the one held (or is the first seen): cosign it."""

    checkpoint: Checkpoint


@dataclass(frozen=True, slots=True)
class AlreadyCosigned:
    """The checkpoint extends the one held and already carries this witness's cosignature."""

    checkpoint: Checkpoint


@dataclass(frozen=True, slots=True)
class NeedsProof:
    """The log grew: only a consistency proof from `first` to `second` can tell how."""

    first: int
    second: int


Decision = Cosign | AlreadyCosigned | Refusal


class WitnessError(Exception):
    """A run stopped without the log being shown to misbehave: exit 1."""


@overload
def decide(
    shown: str, held: str | None, log_key: VerifierKey, witness_key: VerifierKey
) -> Decision | NeedsProof: ...
@overload
def decide(
    shown: str,
    held: str | None,
    log_key: VerifierKey,
    witness_key: VerifierKey,
    proof: Sequence[bytes],
) -> Decision: ...
def decide(
    shown: str,
    held: str | None,
    log_key: VerifierKey,
    witness_key: VerifierKey,
    proof: Sequence[bytes] | None = None,
) -> Decision | NeedsProof:
    """What to do with the note the log `shown`, given the note this witness `held` (None on
    its first run) and, once asked for, the consistency proof between them. Only `log_key`'s
    signature is checked; `witness_key` finds this witness's own cosignature."""
    checkpoint = _open_shown(shown, log_key)
    if isinstance(checkpoint, Refusal):
        return checkpoint
    found = _extends(None if held is None else open_held(held, log_key), checkpoint, proof)
    if found is not None:
        return found
    if _cosigned_by(shown, witness_key):
        return AlreadyCosigned(checkpoint)
    return Cosign(checkpoint)


def _open_shown(shown: str, log_key: VerifierKey) -> Checkpoint | Refusal:
    try:
        checkpoint, _ = open_checkpoint(shown, [log_key])
    except NoteRejectedError as error:
        return Refusal(
            Refused.BAD_SIGNATURE, f"not signed by the log's key {key_label(log_key)}: {error}"
        )
    except MalformedNoteError as error:
        # Nobody's signature can be checked on it: an error of the server, not evidence.
        raise WitnessError(f"the served checkpoint is not a signed note: {error}") from None
    return checkpoint


def open_held(held: str, log_key: VerifierKey) -> Checkpoint:
    """The checkpoint this witness cosigned last; it opened once, so failing now means the
    state directory was changed or the pinned key replaced."""
    try:
        checkpoint, _ = open_checkpoint(held, [log_key])
    except NoteError as error:
        raise WitnessError(
            f"the held checkpoint does not open with the log's key: {error}"
        ) from None
    return checkpoint


def _extends(
    held: Checkpoint | None, shown: Checkpoint, proof: Sequence[bytes] | None
) -> Refusal | NeedsProof | None:
    """None if `shown` extends `held`; otherwise why not, or the proof it takes to know."""
    if held is None:
        return None  # the first checkpoint a witness sees is its starting point
    if shown.origin != held.origin:
        return Refusal(Refused.DIFFERENT_ORIGIN, f"held {held.origin!r}, shown {shown.origin!r}")
    if shown.size < held.size:
        detail = f"shown size {shown.size}, smaller than the cosigned {held.size}"
        return Refusal(Refused.ROLLED_BACK, detail)
    if shown.size == held.size:
        return _same_tree(held, shown)
    return _proved(held, shown, proof)


def _same_tree(held: Checkpoint, shown: Checkpoint) -> Refusal | None:
    if shown.root == held.root:
        return None
    detail = f"size {held.size}: held root {_b64(held.root)}, shown {_b64(shown.root)}"
    return Refusal(Refused.SPLIT_VIEW, detail)


def _proved(
    held: Checkpoint, shown: Checkpoint, proof: Sequence[bytes] | None
) -> Refusal | NeedsProof | None:
    """The larger tree extends the held one only if the proof says so, against both roots
    this witness trusts (never a root the server hands over with the proof)."""
    if proof is None:
        return NeedsProof(held.size, shown.size)
    verdict = check_consistency(held.size, shown.size, held.root, shown.root, proof)
    if verdict.ok:
        return None
    detail = f"size {shown.size} does not extend the cosigned size {held.size}: {verdict.reason}"
    return Refusal(Refused.NOT_CONSISTENT, detail)


def _cosigned_by(shown: str, witness_key: VerifierKey) -> bool:
    """Whether the served note carries a cosignature of this witness that verifies."""
    return bool(verify_note(parse_note(shown), [witness_key]).verified)


def next_cosignature_time(now: float, last: int | None) -> int:
    """The clock in whole seconds, but always after this witness's last cosignature: a
    witness's times must rise, even if its clock was set back."""
    seconds = int(now)
    return seconds if last is None or seconds > last else last + 1


def key_label(key: VerifierKey) -> str:
    return f"{key.name}+{key.key_id.hex()}"


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")
