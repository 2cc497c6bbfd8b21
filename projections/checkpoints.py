"""Signed checkpoints of the sealed logs, the witnesses who cosign them, and the verify runs.

A checkpoint is the C2SP `tlog-checkpoint` note of a log's tree at a size, signed by every
key in the log's key file (which lives outside the databases). Witnesses are partner
agencies registered by an administrator with their public key; a cosignature is kept only
once it verifies against the checkpoint it names, from a registered key. Nothing here is a
view: rebuilding the read models leaves all of it alone.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from events.integrity.entries import Sealable
from events.integrity.note import (
    Checkpoint,
    NoteSigner,
    Signature,
    VerifierKey,
    add_signature,
    sign_checkpoint,
)
from projections.database import ProjectionDatabase
from projections.runner import Feed, ProjectionWorker
from projections.seals import Sealer

CHECKPOINTS = "vtr_checkpoints"
COSIGNATURES = "vtr_cosignatures"
WITNESSES = "vtr_witnesses"
VERIFY_RUNS = "vtr_verify_runs"
CREATE = (
    (
        "CREATE TABLE IF NOT EXISTS {checkpoints} (log TEXT NOT NULL, size BIGINT NOT NULL, "
        "root TEXT NOT NULL, note TEXT NOT NULL, signed_at TEXT NOT NULL, "
        "PRIMARY KEY (log, size))"
    ),
    (
        "CREATE TABLE IF NOT EXISTS {cosignatures} (log TEXT NOT NULL, size BIGINT NOT NULL, "
        "witness TEXT NOT NULL, key_id TEXT NOT NULL, line TEXT NOT NULL, "
        "cosigned_at BIGINT NOT NULL, received_at TEXT NOT NULL, "
        "PRIMARY KEY (log, size, witness, key_id))"
    ),
    (
        "CREATE TABLE IF NOT EXISTS {witnesses} (name TEXT NOT NULL, key_id TEXT NOT NULL, "
        "vkey TEXT NOT NULL, agency TEXT NOT NULL, registered_at TEXT NOT NULL, "
        "registered_by TEXT NOT NULL, PRIMARY KEY (name, key_id))"
    ),
    (
        "CREATE TABLE IF NOT EXISTS {runs} (run_id TEXT PRIMARY KEY, log TEXT NOT NULL, "
        "started_at TEXT NOT NULL, finished_at TEXT NOT NULL, actor_id TEXT NOT NULL, "
        "via TEXT NOT NULL, tree_size BIGINT NOT NULL, root TEXT NOT NULL, "
        "intact INTEGER NOT NULL, unsealed BIGINT NOT NULL, first_kind TEXT, "
        "first_position BIGINT, findings TEXT NOT NULL)"
    ),
)


@dataclass(frozen=True)
class StoredCheckpoint:
    log: str
    size: int
    root: bytes
    note: str  # the note as the log signed it, without cosignatures
    signed_at: datetime


@dataclass(frozen=True)
class StoredCosignature:
    size: int
    witness: str
    key_id: str
    line: str
    cosigned_at: int
    received_at: datetime


@dataclass(frozen=True)
class Witness:
    name: str
    vkey: VerifierKey
    agency: str
    registered_at: datetime
    registered_by: str


@dataclass(frozen=True)
class VerifyRun:
    run_id: str
    log: str
    started_at: datetime
    finished_at: datetime
    actor_id: str
    via: str
    tree_size: int
    root: bytes
    intact: bool
    unsealed: int
    first_kind: str | None
    first_position: int | None
    findings: list[dict[str, Any]]


class CheckpointStore:
    """The checkpoints, cosignatures, witnesses and verify runs, in the projection database."""

    def __init__(self, db: ProjectionDatabase) -> None:
        self.db = db
        sql = partial(
            db.dialect.statement,
            checkpoints=CHECKPOINTS,
            cosignatures=COSIGNATURES,
            witnesses=WITNESSES,
            runs=VERIFY_RUNS,
        )
        self.create_statements = [sql(statement) for statement in CREATE]
        self._add_checkpoint = sql(
            "INSERT INTO {checkpoints} (log, size, root, note, signed_at) "
            "VALUES ({mark},{mark},{mark},{mark},{mark}) ON CONFLICT (log, size) DO NOTHING"
        )
        checkpoint_columns = "SELECT log, size, root, note, signed_at FROM {checkpoints} "
        self._latest = sql(checkpoint_columns + "WHERE log={mark} ORDER BY size DESC LIMIT 1")
        self._at_size = sql(checkpoint_columns + "WHERE log={mark} AND size={mark}")
        self._history = sql(
            checkpoint_columns + "WHERE log={mark} AND size > {mark} ORDER BY size LIMIT {mark}"
        )
        self._add_cosignature = sql(
            "INSERT INTO {cosignatures} (log, size, witness, key_id, line, cosigned_at, "
            "received_at) VALUES ({mark},{mark},{mark},{mark},{mark},{mark},{mark}) "
            "ON CONFLICT (log, size, witness, key_id) DO NOTHING"
        )
        self._cosignatures = sql(
            "SELECT size, witness, key_id, line, cosigned_at, received_at FROM {cosignatures} "
            "WHERE log={mark} AND size >= {mark} AND size <= {mark} ORDER BY size, witness"
        )
        self._add_witness = sql(
            "INSERT INTO {witnesses} (name, key_id, vkey, agency, registered_at, registered_by) "
            "VALUES ({mark},{mark},{mark},{mark},{mark},{mark}) "
            "ON CONFLICT (name, key_id) DO NOTHING"
        )
        self._witnesses = sql(
            "SELECT name, key_id, vkey, agency, registered_at, registered_by FROM {witnesses} "
            "ORDER BY registered_at, name"
        )
        self._add_run = sql(
            "INSERT INTO {runs} (run_id, log, started_at, finished_at, actor_id, via, tree_size, "
            "root, intact, unsealed, first_kind, first_position, findings) VALUES "
            "({mark},{mark},{mark},{mark},{mark},{mark},{mark},{mark},{mark},{mark},{mark},"
            "{mark},{mark})"
        )
        self._runs = sql(
            "SELECT run_id, log, started_at, finished_at, actor_id, via, tree_size, root, "
            "intact, unsealed, first_kind, first_position, findings FROM {runs} "
            "ORDER BY started_at DESC, run_id LIMIT {mark}"
        )

    def create_table(self) -> None:
        self.db.create(self.create_statements)

    # Checkpoints

    def add_checkpoint(self, log: str, note: str, root: bytes, size: int, at: datetime) -> None:
        row = (log, size, root.hex(), note, at.isoformat())
        self.db.run([(self._add_checkpoint, [row])])

    def latest(self, log: str) -> StoredCheckpoint | None:
        rows = self.db.rows(self._latest, (log,))
        return _checkpoint(rows[0]) if rows else None

    def at_size(self, log: str, size: int) -> StoredCheckpoint | None:
        rows = self.db.rows(self._at_size, (log, size))
        return _checkpoint(rows[0]) if rows else None

    def history(self, log: str, after_size: int = -1, limit: int = 1000) -> list[StoredCheckpoint]:
        return [_checkpoint(row) for row in self.db.rows(self._history, (log, after_size, limit))]

    def all_checkpoints(self, log: str) -> list[StoredCheckpoint]:
        found: list[StoredCheckpoint] = []
        while batch := self.history(log, found[-1].size if found else -1):
            found.extend(batch)
        return found

    # Cosignatures

    def add_cosignature(
        self, log: str, size: int, signature: Signature, cosigned_at: int, at: datetime
    ) -> None:
        row = (
            log,
            size,
            signature.name,
            signature.key_id.hex(),
            signature.line(),
            cosigned_at,
            at.isoformat(),
        )
        self.db.run([(self._add_cosignature, [row])])

    def cosignatures(
        self, log: str, from_size: int = 0, to_size: int = 2**62
    ) -> list[StoredCosignature]:
        return [
            StoredCosignature(
                int(row["size"]),
                row["witness"],
                row["key_id"],
                row["line"],
                int(row["cosigned_at"]),
                datetime.fromisoformat(row["received_at"]),
            )
            for row in self.db.rows(self._cosignatures, (log, from_size, to_size))
        ]

    def served_note(self, checkpoint: StoredCheckpoint) -> str:
        """The checkpoint as served: the log's signatures, then every kept cosignature."""
        lines = self.cosignatures(checkpoint.log, checkpoint.size, checkpoint.size)
        return checkpoint.note + "".join(cosignature.line for cosignature in lines)

    # Witnesses

    def register_witness(self, witness: Witness) -> bool:
        """False if this name and key were registered already."""
        known = {(w.name, w.vkey.key_id) for w in self.witnesses()}
        if (witness.name, witness.vkey.key_id) in known:
            return False
        row = (
            witness.name,
            witness.vkey.key_id.hex(),
            str(witness.vkey),
            witness.agency,
            witness.registered_at.isoformat(),
            witness.registered_by,
        )
        self.db.run([(self._add_witness, [row])])
        return True

    def witnesses(self) -> list[Witness]:
        return [
            Witness(
                row["name"],
                VerifierKey.parse(row["vkey"]),
                row["agency"],
                datetime.fromisoformat(row["registered_at"]),
                row["registered_by"],
            )
            for row in self.db.rows(self._witnesses, ())
        ]

    # Verify runs

    def record_run(self, run: VerifyRun) -> None:
        row = (
            run.run_id,
            run.log,
            run.started_at.isoformat(),
            run.finished_at.isoformat(),
            run.actor_id,
            run.via,
            run.tree_size,
            run.root.hex(),
            int(run.intact),
            run.unsealed,
            run.first_kind,
            run.first_position,
            json.dumps(run.findings),
        )
        self.db.run([(self._add_run, [row])])

    def runs(self, limit: int = 100) -> list[VerifyRun]:
        return [_run(row) for row in self.db.rows(self._runs, (limit,))]


def _checkpoint(row: Any) -> StoredCheckpoint:
    return StoredCheckpoint(
        row["log"],
        int(row["size"]),
        bytes.fromhex(row["root"]),
        row["note"],
        datetime.fromisoformat(row["signed_at"]),
    )


def _run(row: Any) -> VerifyRun:
    position = row["first_position"]
    return VerifyRun(
        row["run_id"],
        row["log"],
        datetime.fromisoformat(row["started_at"]),
        datetime.fromisoformat(row["finished_at"]),
        row["actor_id"],
        row["via"],
        int(row["tree_size"]),
        bytes.fromhex(row["root"]),
        bool(row["intact"]),
        int(row["unsealed"]),
        row["first_kind"],
        None if position is None else int(position),
        json.loads(row["findings"]),
    )


class Checkpointer:
    """Signs a checkpoint of a sealed log every `every_events` events or `every_seconds`."""

    def __init__(
        self,
        store: CheckpointStore,
        sealer: Sealer,
        *,
        origin: str,
        signers: Sequence[NoteSigner],
        every_events: int,
        every_seconds: float,
        now: Callable[[], datetime],
    ) -> None:
        if not signers:
            raise ValueError("a checkpointer needs at least one signing key")
        self.store = store
        self.sealer = sealer
        self.origin = origin
        self.signers = tuple(signers)
        self.every_events = every_events
        self.every = timedelta(seconds=every_seconds)
        self.now = now
        self._started = now()

    @property
    def log(self) -> str:
        return self.sealer.log

    def tick(self) -> StoredCheckpoint | None:
        """Sign the sealed tree if a checkpoint is due; the one signed, or None."""
        head = self.sealer.head()
        latest = self.store.latest(self.log)
        signed_size = latest.size if latest else 0
        if head.size <= signed_size:
            return None
        now = self.now()
        since = latest.signed_at if latest else self._started
        if head.size - signed_size < self.every_events and now - since < self.every:
            return None
        return self.sign(head.size, head.root, now)

    def sign(self, size: int, root: bytes, at: datetime) -> StoredCheckpoint:
        checkpoint = Checkpoint(self.origin, size, root)
        note = sign_checkpoint(checkpoint, self.signers[0])
        for signer in self.signers[1:]:
            note = add_signature(note, signer)
        self.store.add_checkpoint(self.log, str(note), root, size, at)
        # Read back: a rival process may have signed this size first, and its note stands.
        stored = self.store.at_size(self.log, size)
        if stored is None:
            raise RuntimeError(f"the checkpoint of {self.log} at {size} was not stored")
        return stored


# Seals are evidence nobody reads back at once: a pass waits this long after a wake-up.
GATHER_SECONDS = 0.25
# With nothing newly sealed, whether a checkpoint fell due by time is asked this often.
TICK_SECONDS = 1.0


class SealingWorker(ProjectionWorker[Sealable]):
    """Follows a log with its sealer; after a pass, signs a checkpoint if one is due."""

    def __init__(
        self,
        feed: Feed[Any],
        sealer: Sealer,
        checkpointer: Checkpointer | None,
        **options: Any,
    ) -> None:
        super().__init__(feed, sealer, **{"gather": GATHER_SECONDS, **options})
        self.sealer = sealer
        self.checkpointer = checkpointer
        self._ticked = 0.0

    def catch_up(self) -> int:
        applied = super().catch_up()
        now = time.monotonic()
        if self.checkpointer is not None and (applied or now - self._ticked >= TICK_SECONDS):
            self._ticked = now
            self.checkpointer.tick()
        return applied
