# ruff: noqa: S608  (the attacks are plain SQL over our own table names, on purpose)
"""Tampering with the stored record is caught, on both stores, by `python -m api verify`.

One ledger is recorded through the API (cases shared and one erased, reads logged, the
checkpoints cosigned by a registered witness), then copied for each attack: the copy's raw
SQLite files or PostgreSQL tables are edited the way someone with write access to the
database could, and verify must exit non-zero naming the kind of change and the first
position it touches. The untouched copy verifies intact, with verify run as its own process
as an operator runs it; the attacks run the same command in the test's process (the
command's code and the copy's stores alike, without starting Python again for each).
"""

from __future__ import annotations

import base64
import os
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import uuid4

import psycopg
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from psycopg.sql import SQL, Identifier

from api.bootstrap import open_event_recorder, open_worker_projections
from api.http.app import create_app
from api.settings import Settings
from events.integrity.keys import note_signers, read_key_lines
from events.integrity.note import Checkpoint, Cosigner, open_checkpoint
from events.integrity.verify import Tamper
from projections.runner import ProjectionWorker
from projections.seals import RawFeed
from tests.api_client import Api
from tests.cli_commands import Ran, run_as_a_process, run_in_process
from tests.conftest import BACKENDS, drop_at_end, make_settings
from tests.section8_support import case_with_disclosures, erase_case
from tests.sharing_support import CHILDRENS, SCHOOL, register_agencies
from tests.support import FixedClock

POLICE_WITNESS = Cosigner("witness.norfolk-constabulary", Ed25519PrivateKey.generate())
EVENTS = {"sqlite": "stored_events", "postgres": "vtr_events"}
ACCESS = "vtr_access_log"


@dataclass(frozen=True)
class World:
    """The recorded ledger to copy: its settings, its event positions in order, and the
    sizes of its signed checkpoints."""

    settings: Settings
    positions: list[int]
    checkpoint_sizes: list[int]


@pytest.fixture(scope="module", params=BACKENDS)
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    root = tmp_path_factory.mktemp(f"world-{request.param}")
    # A checkpoint after every sealing pass: the world seals in three passes at least.
    for settings in make_settings(request.param, root, request, checkpoint_every_events=1):
        yield record_world(settings)


def record_world(settings: Settings) -> World:
    clock = FixedClock()
    with TestClient(create_app(settings, clock=clock)) as client:
        api = Api(client)
        agencies = register_agencies(api)
        runtime = client.app.state.runtime  # type: ignore[attr-defined]
        kept = case_with_disclosures(api, clock, agencies, "2026-03-05", [[SCHOOL]])
        runtime.projections.seal()  # sealed (and checkpointed) in several passes
        erased = case_with_disclosures(api, clock, agencies, "2026-03-06", [[CHILDRENS, SCHOOL]])
        runtime.projections.seal()
        erase_case(api, erased)
        assert client.get(f"/referrals/{kept}", headers=api.headers("police-1")).is_success
        registration = {"agency": "Norfolk Constabulary", "key": str(POLICE_WITNESS.verifier_key())}
        registered = client.post("/witnesses", json=registration, headers=api.headers("admin-1"))
        assert registered.status_code == 201, registered.text
        runtime.projections.seal()
        witness = {**api.headers("witness-1"), "Content-Type": "text/plain"}
        for entry in client.get("/checkpoints", headers=witness).json()["checkpoints"]:
            checkpoint, _ = open_checkpoint(entry["note"], [log_key(settings)])
            line = POLICE_WITNESS.cosign(checkpoint, 1_790_000_000).line()
            posted = client.post(
                f"/checkpoints/{checkpoint.size}/cosignatures", content=line, headers=witness
            )
            assert posted.status_code == 201, posted.text
        runtime.projections.seal()  # nothing is left waiting: a lag would be a finding
        seals = runtime.projections.sealing.sealer("events").all_seals()
        sizes = [c.size for c in runtime.projections.sealing.checkpoints.all_checkpoints("events")]
    assert len(sizes) >= 3, "the world needs several checkpoints"
    return World(settings, [seal.position for seal in seals], sizes)


def log_key(settings: Settings) -> Any:
    path = settings.signing_key_file or settings.default_signing_key_file
    return note_signers(read_key_lines(path))[0].verifier_key()


@pytest.fixture
def copy(world: World, tmp_path: Path) -> Iterator[Settings]:
    """A copy of the world's stores, to be tampered with."""
    settings = world.settings
    if settings.store == "sqlite":
        shutil.copytree(settings.data_dir, tmp_path / "data")
        yield settings.model_copy(update={"data_dir": tmp_path / "data"})
        return
    name = f"vtr_tamper_{uuid4().hex[:10]}"
    server = {"host": settings.pg_host, "port": settings.pg_port, "user": settings.pg_user}
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as conn:  # type: ignore[arg-type]
        conn.execute(
            SQL("CREATE DATABASE {0} TEMPLATE {1}").format(
                Identifier(name), Identifier(settings.pg_database)
            )
        )
    try:
        yield settings.model_copy(update={"pg_database": name, "pg_keystore_database": None})
    finally:
        drop_at_end([name, f"{name}_keys"])


class RawStore:
    """Plain SQL on a copy's files or tables, past every guard the service keeps."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.events = EVENTS[settings.store]
        self.position = "rowid" if settings.store == "sqlite" else "notification_id"

    def run(
        self, statement: str, params: tuple[Any, ...] = (), *, file: str = "events"
    ) -> list[Any]:
        if self.settings.store == "sqlite":
            with sqlite3.connect(self.settings.data_dir / f"{file}.sqlite") as lite:
                rows = lite.execute(statement, params).fetchall()
            lite.close()
            return rows
        connection = self.settings.postgres_connection(self.settings.pg_database)
        with psycopg.connect(**connection, autocommit=True) as conn:  # type: ignore[arg-type]
            cursor = conn.execute(statement.replace("?", "%s"), params)
            return cursor.fetchall() if cursor.description else []

    def row(self, position: int) -> tuple[Any, ...]:
        found = self.run(
            f"SELECT originator_id, originator_version, topic, state FROM {self.events} "
            f"WHERE {self.position} = ?",
            (position,),
        )
        return tuple(found[0])

    def put(self, position: int, values: tuple[Any, ...]) -> None:
        self.run(
            f"UPDATE {self.events} SET originator_id = ?, originator_version = ?, topic = ?, "
            f"state = ? WHERE {self.position} = ?",
            (*values, position),
        )

    def shift_from(self, position: int, by: int) -> None:
        """Renumber every row from `position` on (in two moves, past the unique index)."""
        far, events, column = 10_000_000, self.events, self.position
        self.run(
            f"UPDATE {events} SET {column} = {column} + {far} WHERE {column} >= ?",
            (position,),
        )
        self.run(
            f"UPDATE {events} SET {column} = {column} - {far} + {by} WHERE {column} >= ?",
            (far,),
        )

    def views(self, statement: str, params: tuple[Any, ...] = ()) -> list[Any]:
        return self.run(statement, params, file="views")


def cli_environment(settings: Settings) -> dict[str, str]:
    """The environment that configures `python -m api` like `settings`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("VTR_")}
    env.update(settings.as_environment())
    env["VTR_LOG_LEVEL"] = "WARNING"
    return env


def verify_as_a_process(settings: Settings) -> Ran:
    return run_as_a_process("verify", env=cli_environment(settings))


def verify(settings: Settings) -> Ran:
    return run_in_process("verify", env=settings.as_environment())


def flipped(raw: bytes) -> bytes:
    middle = len(raw) // 2
    return raw[:middle] + bytes([raw[middle] ^ 0x01]) + raw[middle + 1 :]


def reseal_without_the_key(settings: Settings) -> None:
    """What someone without the signing key can do after rewriting: recompute every seal."""
    projections = open_worker_projections(settings)
    try:
        projections.db.clear(["vtr_seals", "vtr_seal_heads"], "vtr:seals:events")
        projections.db.clear([], "vtr:seals:access")
        recorder = open_event_recorder(settings)
        ProjectionWorker(RawFeed(recorder), projections.sealing.sealer("events")).catch_up()
        access = projections.sealing.workers["access"]
        ProjectionWorker(access.feed, access.sealer).catch_up()
    finally:
        projections.close()


def forged_note(note: str) -> str:
    """The note with one byte of its log signature changed."""
    text, _, signatures = note.rpartition("\n\n")
    name, encoded = signatures.split("\n")[0].split(" ")[1:3]
    raw = bytearray(base64.b64decode(encoded))
    raw[-1] ^= 0x01
    return f"{text}\n\n\u2014 {name} {base64.b64encode(bytes(raw)).decode()}\n"


Attack = Callable[[RawStore, World], tuple[Tamper, int | None, str]]


def one_byte_of_a_state(raw: RawStore, world: World) -> tuple[Tamper, int | None, str]:
    at = world.positions[5]
    originator, version, topic, state = raw.row(at)
    raw.put(at, (originator, version, topic, flipped(bytes(state))))
    return Tamper.CONTENT_CHANGED, at, "events"


def a_topic(raw: RawStore, world: World) -> tuple[Tamper, int | None, str]:
    at = world.positions[6]
    originator, version, topic, state = raw.row(at)
    raw.put(at, (originator, version, topic.replace("Disclosed", "Withheld") + "x", state))
    return Tamper.CONTENT_CHANGED, at, "events"


def a_deleted_row(raw: RawStore, world: World) -> tuple[Tamper, int | None, str]:
    at = world.positions[4]
    raw.run(f"DELETE FROM {raw.events} WHERE {raw.position} = ?", (at,))
    return Tamper.EVENT_MISSING, at, "events"


def an_inserted_row(raw: RawStore, world: World) -> tuple[Tamper, int | None, str]:
    at = world.positions[8]
    originator, _, topic, state = raw.row(world.positions[3])
    raw.shift_from(at, 1)
    columns = f"{raw.position}, originator_id, originator_version, topic, state"
    raw.run(
        f"INSERT INTO {raw.events} ({columns}) VALUES (?, ?, ?, ?, ?)",
        (at, originator, 999, topic, state),
    )
    return Tamper.EVENT_INSERTED, at, "events"


def two_rows_swapped(raw: RawStore, world: World) -> tuple[Tamper, int | None, str]:
    first, second = world.positions[3], world.positions[9]
    one, other = raw.row(first), raw.row(second)
    placeholder = str(uuid4()) if raw.settings.store == "sqlite" else uuid4()
    raw.put(first, (placeholder, *one[1:]))
    raw.put(second, one)
    raw.put(first, other)
    return Tamper.ORDER_CHANGED, first, "events"


def the_tail_cut_after_a_checkpoint(raw: RawStore, world: World) -> tuple[Tamper, int | None, str]:
    cut = world.positions[world.checkpoint_sizes[1] - 2]
    raw.run(f"DELETE FROM {raw.events} WHERE {raw.position} >= ?", (cut,))
    return Tamper.LOG_TRUNCATED, cut, "events"


def rewritten_and_resealed(raw: RawStore, world: World) -> tuple[Tamper, int | None, str]:
    changed = world.checkpoint_sizes[1] - 1  # the last leaf of the second checkpoint
    originator, version, topic, state = raw.row(world.positions[changed])
    raw.put(world.positions[changed], (originator, version, topic, flipped(bytes(state))))
    reseal_without_the_key(raw.settings)
    return Tamper.CHECKPOINT_MISMATCH, world.positions[world.checkpoint_sizes[1] - 1], "events"


def a_forged_checkpoint_signature(raw: RawStore, world: World) -> tuple[Tamper, int | None, str]:
    size = world.checkpoint_sizes[0]
    (row,) = raw.views(
        "SELECT note FROM vtr_checkpoints WHERE log = 'events' AND size = ?", (size,)
    )
    raw.views(
        "UPDATE vtr_checkpoints SET note = ? WHERE log = 'events' AND size = ?",
        (forged_note(row[0]), size),
    )
    return Tamper.CHECKPOINT_SIGNATURE_INVALID, world.positions[size - 1], "events"


def a_forged_cosignature(raw: RawStore, world: World) -> tuple[Tamper, int | None, str]:
    size = world.checkpoint_sizes[1]
    (row,) = raw.views(
        "SELECT line FROM vtr_cosignatures WHERE log = 'events' AND size = ?", (size,)
    )
    line, at = row[0], len(row[0]) - 10  # a character of the signature's base64
    forged = line[:at] + ("A" if line[at] != "A" else "B") + line[at + 1 :]
    raw.views(
        "UPDATE vtr_cosignatures SET line = ? WHERE log = 'events' AND size = ?", (forged, size)
    )
    return Tamper.COSIGNATURE_INVALID, world.positions[size - 1], "events"


def an_unregistered_cosignature(raw: RawStore, world: World) -> tuple[Tamper, int | None, str]:
    size = world.checkpoint_sizes[2]
    (row,) = raw.views(
        "SELECT note FROM vtr_checkpoints WHERE log = 'events' AND size = ?", (size,)
    )
    checkpoint, _ = open_checkpoint(row[0], [log_key(raw.settings)])
    stranger = Cosigner("witness.stranger", Ed25519PrivateKey.generate())
    line = stranger.cosign(
        Checkpoint(checkpoint.origin, checkpoint.size, checkpoint.root), 1
    ).line()
    raw.views(
        "INSERT INTO vtr_cosignatures (log, size, witness, key_id, line, cosigned_at, received_at) "
        "VALUES ('events', ?, 'witness.stranger', 'ffffffff', ?, 1, '2026-03-02T09:00:00+00:00')",
        (size, line),
    )
    return Tamper.COSIGNATURE_INVALID, world.positions[size - 1], "events"


def an_access_log_entry(raw: RawStore, world: World) -> tuple[Tamper, int | None, str]:
    if raw.settings.store == "sqlite":
        raw.run(f"DROP TRIGGER {ACCESS}_no_update", file="access")
        raw.run(f"UPDATE {ACCESS} SET actor_id = 'someone-else' WHERE entry_no = 1", file="access")
    else:
        raw.run(f"ALTER TABLE {ACCESS} DISABLE TRIGGER USER")
        raw.run(f"UPDATE {ACCESS} SET actor_id = 'someone-else' WHERE entry_no = 1")
    return Tamper.CONTENT_CHANGED, 1, "access-log"


ATTACKS: list[Attack] = [
    one_byte_of_a_state,
    a_topic,
    a_deleted_row,
    an_inserted_row,
    two_rows_swapped,
    the_tail_cut_after_a_checkpoint,
    rewritten_and_resealed,
    a_forged_checkpoint_signature,
    a_forged_cosignature,
    an_unregistered_cosignature,
    an_access_log_entry,
]


def test_the_untouched_record_verifies_intact_after_an_erasure(copy: Settings) -> None:
    checked = verify_as_a_process(copy)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    lines = checked.stdout.splitlines()
    assert [line.split(": ")[0] for line in lines] == [
        f"{copy.log_origin}/events",
        f"{copy.log_origin}/access-log",
    ]
    assert all(": intact: tree size " in line for line in lines)


@pytest.mark.parametrize("attack", ATTACKS, ids=[attack.__name__ for attack in ATTACKS])
def test_each_change_is_named_with_its_first_position(
    attack: Attack, world: World, copy: Settings
) -> None:
    kind, position, log = attack(RawStore(copy), world)
    checked = verify(copy)
    assert checked.returncode == 1, checked.stdout + checked.stderr
    report = next(
        line for line in checked.stdout.splitlines() if line.startswith(f"{copy.log_origin}/{log}:")
    )
    where = f"position {position}" if position is not None else "the end of the log"
    assert f"NOT INTACT: first at {where}: {kind.value} (" in report, checked.stdout
