"""Seals: every stored event's leaf hash, the hash chain and the Merkle tree over the log.

The sealer follows the notification log in order, like a projection, and commits its seals
with its position in one transaction, so each event is sealed exactly once. What it hashes
is the exact stored record, never a re-serialisation: the position, the originator id and
version, the topic and the stored state bytes, so sealed personal fields are covered as the
ciphertext they are stored as, and erasure (which destroys keys, never bytes) keeps every
seal true. The tree is kept as a frontier (the roots of its perfect subtrees), not rebuilt.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder, Notification

from events.integrity.entries import CHAIN_START, Sealable, StoredRecord, chained
from events.integrity.merkle import Frontier
from events.integrity.verify import Seal
from projections.database import ProjectionDatabase, Reader, Write

SEALS = "vtr_seals"
HEADS = "vtr_seal_heads"
CREATE = (
    (
        "CREATE TABLE IF NOT EXISTS {seals} (log TEXT NOT NULL, position BIGINT NOT NULL, "
        "leaf_index BIGINT NOT NULL, leaf_hash TEXT NOT NULL, chain_hash TEXT NOT NULL, "
        "PRIMARY KEY (log, position))"
    ),
    "CREATE UNIQUE INDEX IF NOT EXISTS {by_index} ON {seals} (log, leaf_index)",
    (
        "CREATE TABLE IF NOT EXISTS {heads} (log TEXT PRIMARY KEY, size BIGINT NOT NULL, "
        "frontier TEXT NOT NULL, chain_head TEXT NOT NULL)"
    ),
)


def stored_record(notification: Notification) -> StoredRecord:
    return StoredRecord(
        notification.id,
        UUID(str(notification.originator_id)),
        notification.originator_version,
        notification.topic,
        notification.state,
    )


@dataclass(frozen=True)
class SealHead:
    """Where a sealed log stands: its size, its tree's frontier and its chain's head."""

    size: int
    frontier: Frontier
    chain_head: bytes

    @property
    def root(self) -> bytes:
        return self.frontier.root()


class RawFeed:
    """The notification log exactly as stored: every topic, nothing decoded."""

    def __init__(self, recorder: ApplicationRecorder) -> None:
        self._recorder = recorder

    def latest_position(self) -> int:
        return self._recorder.max_notification_id() or 0

    def read(self, after: int, up_to: int, limit: int) -> list[tuple[int, Sealable]]:
        notifications = self._recorder.select_notifications(
            start=after, limit=limit, stop=up_to, inclusive_of_start=False
        )
        return [(n.id, stored_record(n)) for n in notifications]


class Sealer:
    """Seals one log (`log`: its origin), a batch per transaction with its position."""

    def __init__(self, db: ProjectionDatabase, log: str) -> None:
        self.db = db
        self.log = log
        self.name = f"seals:{log}"
        self.tracking_key = f"vtr:seals:{log}"
        sql = partial(db.dialect.statement, seals=SEALS, heads=HEADS, by_index=f"{SEALS}_by_index")
        self.create_statements = [sql(statement) for statement in CREATE]
        self._head = sql("SELECT size, frontier, chain_head FROM {heads} WHERE log={mark}")
        self._seal = sql(
            "INSERT INTO {seals} (log, position, leaf_index, leaf_hash, chain_hash) "
            "VALUES ({mark},{mark},{mark},{mark},{mark})"
        )
        self._move_head = sql(
            "INSERT INTO {heads} (log, size, frontier, chain_head) "
            "VALUES ({mark},{mark},{mark},{mark}) ON CONFLICT (log) DO UPDATE SET "
            "size=excluded.size, frontier=excluded.frontier, chain_head=excluded.chain_head"
        )
        self._seals = sql(
            "SELECT position, leaf_index, leaf_hash, chain_hash FROM {seals} WHERE log={mark} "
            "AND leaf_index >= {mark} ORDER BY leaf_index LIMIT {mark}"
        )
        self._leaves = sql(
            "SELECT leaf_hash FROM {seals} WHERE log={mark} AND leaf_index < {mark} "
            "ORDER BY leaf_index"
        )
        self._at = sql(
            "SELECT position, leaf_index, leaf_hash, chain_hash FROM {seals} WHERE log={mark} "
            "AND position={mark}"
        )

    def create_table(self) -> None:
        self.db.create(self.create_statements)

    def position(self) -> int:
        return self.db.position(self.tracking_key)

    def head(self) -> SealHead:
        return _head_from(self.db.rows(self._head, (self.log,)))

    def apply(self, batch: Sequence[tuple[int, Sealable]], after: int, up_to: int) -> bool:
        def writes(read: Reader) -> list[Write]:
            head = _head_from(read(self._head, (self.log,)))
            frontier, chain, rows = head.frontier.copy(), head.chain_head, []
            for position, record in batch:
                leaf = record.leaf()
                chain = chained(chain, leaf)
                rows.append((self.log, position, frontier.size, leaf.hex(), chain.hex()))
                frontier.append(leaf)
            moved = (self.log, frontier.size, _frontier_text(frontier), chain.hex())
            return [(self._seal, rows), (self._move_head, [moved])]

        return self.db.advance(self.tracking_key, after, up_to, writes)

    def seals(self, from_index: int, limit: int) -> list[Seal]:
        """Seals in leaf order, from leaf `from_index`."""
        return [_seal(row) for row in self.db.rows(self._seals, (self.log, from_index, limit))]

    def all_seals(self, page: int = 10_000) -> list[Seal]:
        sealed: list[Seal] = []
        while batch := self.seals(len(sealed), page):
            sealed.extend(batch)
        return sealed

    def seal_at(self, position: int) -> Seal | None:
        """The seal of the event at `position`, if it is sealed."""
        rows = self.db.rows(self._at, (self.log, position))
        return _seal(rows[0]) if rows else None

    def leaf_hashes(self, size: int) -> list[bytes]:
        """The first `size` leaves, in order (what a proof over a tree of `size` is made of)."""
        return [
            bytes.fromhex(row["leaf_hash"]) for row in self.db.rows(self._leaves, (self.log, size))
        ]


def _seal(row: Any) -> Seal:
    return Seal(
        int(row["position"]),
        int(row["leaf_index"]),
        bytes.fromhex(row["leaf_hash"]),
        bytes.fromhex(row["chain_hash"]),
    )


def _head_from(rows: list[Any]) -> SealHead:
    if not rows:
        return SealHead(0, Frontier(), CHAIN_START)
    row = rows[0]
    size = int(row["size"])
    return SealHead(size, _frontier_from(size, row["frontier"]), bytes.fromhex(row["chain_head"]))


def _frontier_text(frontier: Frontier) -> str:
    return json.dumps(frontier.to_json())


def _frontier_from(size: int, text: str) -> Frontier:
    frontier = Frontier.from_json(json.loads(text))
    if frontier.size != size:
        raise ValueError("a seal head's frontier disagrees with its size")
    return frontier
