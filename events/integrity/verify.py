"""Checking a copy of the log against its seals and its signed checkpoints, with no database.

Every stored record's leaf is recomputed from its bytes and walked in position order beside
the seals. What the walk can tell, and the first position where it tells it:

- content changed: a record's leaf differs from the seal at its position;
- order changed: the leaf sealed at another position (two rows swapped);
- event inserted: a record at a position no seal names, before the sealed head;
- event missing: a seal whose position the log no longer holds;
- log truncated: seals, or a signed checkpoint, beyond the end of the log;
- seal changed: a seal's chain link that the leaves before it do not give (the seals were
  edited);
- checkpoint mismatch: the log's first N leaves do not hash to the root a checkpoint signed
  for N (a rewrite that re-sealed everything cannot re-sign: the signing key is elsewhere).

Checking the checkpoints' signatures and cosignatures is `note.py`'s; this module is handed
the sizes and roots of the ones that verified.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from events.integrity.entries import CHAIN_START, Sealable, chained
from events.integrity.merkle import Frontier

# How far a moved row is looked for, either side (a changed row costs this many hashes).
NEARBY = 64


class Tamper(StrEnum):
    CONTENT_CHANGED = "content changed"
    ORDER_CHANGED = "order changed"
    EVENT_INSERTED = "event inserted"
    EVENT_MISSING = "event missing"
    LOG_TRUNCATED = "log truncated"
    SEAL_CHANGED = "seal changed"
    CHECKPOINT_MISMATCH = "checkpoint mismatch"
    # Found beside the walk, by whoever checks the notes and the clock:
    CHECKPOINT_SIGNATURE_INVALID = "checkpoint signature invalid"
    COSIGNATURE_INVALID = "cosignature invalid"
    SEAL_LAGGING = "seal lagging"


@dataclass(frozen=True, slots=True)
class Seal:
    position: int
    leaf_index: int
    leaf_hash: bytes
    chain_hash: bytes


@dataclass(frozen=True, slots=True)
class SignedTree:
    """A checkpoint whose signature verified: the tree of its first `size` leaves has `root`."""

    size: int
    root: bytes


@dataclass(frozen=True, slots=True)
class Finding:
    kind: Tamper
    position: int | None
    detail: str


@dataclass(frozen=True, slots=True)
class Verification:
    """What the walk found: the tree over the sealed records as they are now, the records not
    sealed yet, and every finding in log order."""

    tree_size: int
    root: bytes
    unsealed: int
    findings: tuple[Finding, ...]

    @property
    def intact(self) -> bool:
        return not self.findings

    @property
    def first(self) -> Finding | None:
        return self.findings[0] if self.findings else None


def verify_log(
    records: Iterable[Sealable], seals: Sequence[Seal], checkpoints: Sequence[SignedTree]
) -> Verification:
    """Walk the log beside its seals; compare the tree with every verified checkpoint."""
    walk = _Walk(seals, sorted(checkpoints, key=lambda checkpoint: checkpoint.size))
    pending = iter(records)
    record, following = next(pending, None), next(pending, None)
    for seal in seals:
        while record is not None and record.position < seal.position:
            walk.found(Tamper.EVENT_INSERTED, record.position, "no seal names this position")
            record, following = following, next(pending, None)
        if record is None or record.position > seal.position:
            walk.missing(seal, record is None)
            continue
        walk.sealed(record, seal, following)
        record, following = following, next(pending, None)
    unsealed = (record is not None) + (following is not None) + sum(1 for _ in pending)
    return walk.finish(unsealed)


class _Walk:
    def __init__(self, seals: Sequence[Seal], checkpoints: Sequence[SignedTree]) -> None:
        self._seals = {seal.position: seal for seal in seals}
        self._positions = sorted(self._seals)
        self._checkpoints = list(checkpoints)
        self._frontier = Frontier()
        self._sealed_chain = CHAIN_START  # the chain as the seals' own leaves give it
        self._last_position: int | None = None
        self._findings: list[Finding] = []

    def found(self, kind: Tamper, position: int | None, detail: str) -> None:
        self._findings.append(Finding(kind, position, detail))

    def missing(self, seal: Seal, log_ended: bool) -> None:
        if log_ended:
            self.found(Tamper.LOG_TRUNCATED, seal.position, "the log ends before this seal")
        else:
            self.found(Tamper.EVENT_MISSING, seal.position, "the sealed event is not in the log")
        # Carry on with the sealed leaf, so later comparisons are not all thrown off by one.
        self._add(seal.leaf_hash, seal)

    def sealed(self, record: Sealable, seal: Seal, following: Sealable | None) -> None:
        """`following` is the next row, which tells a shifted log from a changed row."""
        leaf = record.leaf()
        if leaf != seal.leaf_hash:
            self.found(*self._what_changed(record, following))
        self._add(leaf, seal)

    def _what_changed(
        self, record: Sealable, following: Sealable | None
    ) -> tuple[Tamper, int, str]:
        position = record.position
        moved_from = self._sealed_elsewhere(record)
        if moved_from is None:
            if following is not None and self._holds(following, position):
                # The event sealed here comes next: this row was put in before it.
                return Tamper.EVENT_INSERTED, position, "an entry no seal covers, put in here"
            return Tamper.CONTENT_CHANGED, position, "not the sealed bytes"
        if moved_from > position and following is not None:
            shift = self._next_sealed_after(moved_from)
            if shift is not None and self._holds(following, shift):
                # Every later event moved up: the one sealed here was taken out.
                return Tamper.EVENT_MISSING, position, "the sealed event was taken out here"
        return Tamper.ORDER_CHANGED, position, f"holds the event sealed at position {moved_from}"

    def _holds(self, record: Sealable, position: int) -> bool:
        """Whether `record`'s bytes are the event sealed at `position`."""
        seal = self._seals.get(position)
        return seal is not None and record.at(position).leaf() == seal.leaf_hash

    def _next_sealed_after(self, position: int) -> int | None:
        at = bisect.bisect_right(self._positions, position)
        return self._positions[at] if at < len(self._positions) else None

    def _sealed_elsewhere(self, record: Sealable) -> int | None:
        """The nearby position whose seal this record's content would match there (rows
        swapped or moved keep their bytes but change their position)."""
        at = bisect.bisect_left(self._positions, record.position)
        for position in self._positions[max(0, at - NEARBY) : at + NEARBY]:
            if position == record.position:
                continue
            if record.at(position).leaf() == self._seals[position].leaf_hash:
                return position
        return None

    def _add(self, leaf: bytes, seal: Seal) -> None:
        self._sealed_chain = chained(self._sealed_chain, seal.leaf_hash)
        if seal.chain_hash != self._sealed_chain:
            self.found(Tamper.SEAL_CHANGED, seal.position, "its chain link does not follow")
        self._frontier.append(leaf)
        self._last_position = seal.position
        while self._checkpoints and self._checkpoints[0].size == self._frontier.size:
            signed = self._checkpoints.pop(0)
            if signed.root != self._frontier.root():
                self.found(
                    Tamper.CHECKPOINT_MISMATCH,
                    self._last_position,
                    f"the first {signed.size} events do not hash to the root signed for them",
                )

    def finish(self, unsealed: int) -> Verification:
        for signed in self._checkpoints:
            if signed.size > self._frontier.size:
                self.found(
                    Tamper.LOG_TRUNCATED,
                    None,
                    f"a checkpoint was signed for {signed.size} events; "
                    f"{self._frontier.size} are sealed",
                )
        return Verification(
            self._frontier.size, self._frontier.root(), unsealed, tuple(self._findings)
        )
