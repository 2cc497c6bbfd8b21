"""What a stored event's leaf is the hash of, and how the seals chain the leaves.

An entry is the stored record exactly as the event table holds it: its position in the log,
its originator id and version, its topic and its stored state bytes (sealed personal fields
included as the ciphertext they are stored as), in fixed-width numbers and length-prefixed
text, so no two records give the same entry and no re-serialisation can slip in. Anyone
holding a copy of the rows can recompute every leaf with this module alone.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass, replace
from typing import Protocol, Self
from uuid import UUID

from events.integrity.merkle import leaf_hash

# The first byte of every entry names its format, so a later format is never mistaken for it.
EVENT_ENTRY_V1 = b"\x01"
ACCESS_ENTRY_V1 = b"\x02"
# A stored column value's tag in an access entry: SQL NULL, text, integer.
_NULL, _TEXT, _INTEGER = b"\x00", b"\x01", b"\x02"
# The chain starts from 32 zero bytes: link(i) = SHA-256(link(i-1) || leaf(i)).
CHAIN_START = bytes(32)


@dataclass(frozen=True, slots=True)
class StoredRecord:
    """One row of the event table, as stored."""

    position: int
    originator_id: UUID
    version: int
    topic: str
    state: bytes

    def entry(self) -> bytes:
        topic = self.topic.encode()
        return b"".join(
            (
                EVENT_ENTRY_V1,
                struct.pack(">Q", self.position),
                self.originator_id.bytes,
                struct.pack(">Q", self.version),
                struct.pack(">I", len(topic)),
                topic,
                struct.pack(">I", len(self.state)),
                self.state,
            )
        )

    def leaf(self) -> bytes:
        return leaf_hash(self.entry())

    def at(self, position: int) -> StoredRecord:
        """The same stored bytes, as if they stood at another position."""
        return replace(self, position=position)


@dataclass(frozen=True, slots=True)
class StoredConsultation:
    """One row of the access log, as stored: its entry number and its columns in table order
    (text, integers and NULLs exactly as the table holds them)."""

    position: int
    columns: tuple[str | int | None, ...]

    def entry(self) -> bytes:
        head = (
            ACCESS_ENTRY_V1,
            struct.pack(">Q", self.position),
            struct.pack(">I", len(self.columns)),
        )
        return b"".join((*head, *(_column(value) for value in self.columns)))

    def leaf(self) -> bytes:
        return leaf_hash(self.entry())

    def at(self, position: int) -> StoredConsultation:
        return replace(self, position=position)


def _column(value: str | int | None) -> bytes:
    if value is None:
        return _NULL
    if isinstance(value, int):
        return _INTEGER + struct.pack(">q", value)
    text = value.encode()
    return _TEXT + struct.pack(">I", len(text)) + text


class Sealable(Protocol):
    """A stored row a seal covers: where it stands and the leaf of its exact bytes."""

    @property
    def position(self) -> int: ...

    def leaf(self) -> bytes: ...

    def at(self, position: int) -> Self: ...


def chained(previous: bytes, leaf: bytes) -> bytes:
    """The chain's next link."""
    return hashlib.sha256(previous + leaf).digest()
