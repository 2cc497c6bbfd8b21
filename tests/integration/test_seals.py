"""The sealer: every stored event's leaf, chain link and place in the tree, exactly once, over
the exact stored bytes (checked against a raw read of the event table, not the library's)."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from uuid import UUID

import psycopg
import pytest
from fastapi import FastAPI
from psycopg.sql import SQL, Identifier

from api.bootstrap import Runtime, open_runtime
from api.settings import Settings
from events.integrity.entries import CHAIN_START, StoredRecord
from events.integrity.merkle import root
from events.integrity.verify import SignedTree, verify_log
from projections.runner import ProjectionWorker
from projections.seals import RawFeed, Sealer
from scenarios import builder, steps
from scenarios.drivers import LedgerDriver
from tests.api_client import Api
from tests.section8_support import case_with_disclosures, erase_case
from tests.sharing_support import CHILDRENS, SCHOOL, register_agencies
from tests.support import TEST_CAST, FixedClock, referral_form

StoredRow = tuple[int, UUID, int, str, bytes]


@pytest.fixture
def runtime(settings: Settings, clock: FixedClock) -> Iterator[Runtime]:
    opened = open_runtime(settings, clock=clock)
    try:
        yield opened
    finally:
        opened.close()


def stored_rows(settings: Settings) -> list[StoredRow]:
    """The event table as stored, read with plain SQL."""
    if settings.store == "sqlite":
        with sqlite3.connect(settings.data_dir / "events.sqlite") as conn:
            rows = conn.execute(
                "SELECT rowid, originator_id, originator_version, topic, state "
                "FROM stored_events ORDER BY rowid"
            ).fetchall()
    else:
        with psycopg.connect(**settings.postgres_connection(settings.pg_database)) as conn:  # type: ignore[arg-type]
            rows = conn.execute(
                SQL(
                    "SELECT notification_id, originator_id, originator_version, topic, state "
                    "FROM {0} ORDER BY notification_id"
                ).format(Identifier("vtr_events"))
            ).fetchall()
    return [(int(p), UUID(str(o)), int(v), str(t), bytes(s)) for p, o, v, t, s in rows]


def record_a_case(runtime: Runtime, clock: FixedClock) -> None:
    scenario = builder.Scenario(LedgerDriver(runtime.ledger), TEST_CAST, clock)
    scenario.case(steps.referral_received(referral_form())).then(builder.to_screened_in())


def test_each_stored_event_is_sealed_once_over_its_exact_bytes(
    runtime: Runtime, settings: Settings, clock: FixedClock
) -> None:
    record_a_case(runtime, clock)
    sealer = Sealer(runtime.projections.db, "events")
    sealer.create_table()
    worker = ProjectionWorker(RawFeed(runtime.ledger.recorder), sealer, batch_size=3)
    assert worker.catch_up() > 0

    rows = stored_rows(settings)
    leaves = [StoredRecord(*row).leaf() for row in rows]
    chain = CHAIN_START
    for leaf in leaves:
        chain = hashlib.sha256(chain + leaf).digest()
    head = sealer.head()
    assert (head.size, head.root, head.chain_head) == (len(rows), root(leaves), chain)
    sealed = sealer.seals(0, 1000)
    assert [(seal.position, seal.leaf_hash) for seal in sealed] == [
        (row[0], leaf) for row, leaf in zip(rows, leaves, strict=True)
    ]
    # Exactly once: a second pass, or a second worker, seals nothing more.
    rival_sealer = Sealer(runtime.projections.db, "events")
    rival = ProjectionWorker(RawFeed(runtime.ledger.recorder), rival_sealer)
    assert (worker.catch_up(), rival.catch_up()) == (0, 0)
    assert sealer.head().size == len(rows)


def test_an_erasure_keeps_every_seal_and_checkpoint_true(
    api: Api, app: FastAPI, clock: FixedClock, settings: Settings
) -> None:
    """Erasure destroys keys, never stored bytes: the log sealed and checkpointed before an
    erasure verifies intact after it, and so does the log with the erasure sealed too."""
    runtime: Runtime = app.state.runtime
    sealer = Sealer(runtime.projections.db, "events")
    sealer.create_table()
    worker = ProjectionWorker(RawFeed(runtime.ledger.recorder), sealer)
    referral_id = case_with_disclosures(
        api, clock, register_agencies(api), "2026-03-05", [[CHILDRENS, SCHOOL]]
    )
    worker.catch_up()
    before = [StoredRecord(*row) for row in stored_rows(settings)]
    sealed_before = sealer.seals(0, 10_000)
    signed_before = SignedTree(sealer.head().size, sealer.head().root)

    erase_case(api, referral_id)
    after = [StoredRecord(*row) for row in stored_rows(settings)]
    assert after[: len(before)] == before, "an erasure changed stored bytes"
    assert len(after) > len(before)
    result = verify_log(after, sealed_before, [signed_before])
    assert (result.intact, result.unsealed) == (True, len(after) - len(before))

    worker.catch_up()
    sealed_after = sealer.seals(0, 10_000)
    signed_after = SignedTree(sealer.head().size, sealer.head().root)
    result = verify_log(after, sealed_after, [signed_before, signed_after])
    assert (result.intact, result.tree_size, result.unsealed) == (True, len(after), 0)
