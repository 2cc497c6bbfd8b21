"""Every kind of tampering with a copy of the log is named at its first position; an untouched
log, with or without events not sealed yet, verifies intact."""

from __future__ import annotations

from dataclasses import replace
from uuid import UUID

import pytest

from events.integrity.entries import CHAIN_START, StoredRecord, chained
from events.integrity.merkle import root
from events.integrity.verify import Seal, SignedTree, Tamper, Verification, verify_log

# Positions with a gap, as a PostgreSQL sequence leaves after a rolled-back insert.
POSITIONS = (1, 2, 3, 5, 6, 7, 8, 9)
CASE = UUID("6a1f5c3e-0000-4000-8000-000000000001")


def log() -> list[StoredRecord]:
    return [
        StoredRecord(position, CASE, number, "vtr.referral.Step", f'{{"n": {number}}}'.encode())
        for number, position in enumerate(POSITIONS, start=1)
    ]


def seals_of(records: list[StoredRecord]) -> list[Seal]:
    """The seals an honest sealer writes (computed here independently of the verifier)."""
    seals, chain = [], CHAIN_START
    for index, record in enumerate(records):
        chain = chained(chain, record.leaf())
        seals.append(Seal(record.position, index, record.leaf(), chain))
    return seals


def checkpoint(records: list[StoredRecord], size: int) -> SignedTree:
    return SignedTree(size, root([record.leaf() for record in records[:size]]))


HONEST = log()
INSERTED = StoredRecord(4, CASE, 99, "vtr.referral.Step", b"{}")
SEALS = seals_of(HONEST)
CHECKPOINTS = [checkpoint(HONEST, 4), checkpoint(HONEST, 8)]


def verified(records: list[StoredRecord], seals: list[Seal] = SEALS) -> Verification:
    return verify_log(records, seals, CHECKPOINTS)


def test_an_untouched_log_verifies_intact_with_its_tree() -> None:
    result = verified(HONEST)
    assert result.intact
    assert (result.tree_size, result.root, result.unsealed) == (8, CHECKPOINTS[1].root, 0)


def test_events_not_sealed_yet_are_counted_not_flagged() -> None:
    later = [*HONEST, StoredRecord(10, CASE, 9, "vtr.referral.Step", b"{}")]
    result = verified(later)
    assert result.intact
    assert result.unsealed == 1


def with_state(records: list[StoredRecord], position: int, state: bytes) -> list[StoredRecord]:
    return [replace(r, state=state) if r.position == position else r for r in records]


@pytest.mark.parametrize(
    ("tampered", "kind", "position"),
    [
        (with_state(HONEST, 5, b'{"n": 5}'), Tamper.CONTENT_CHANGED, 5),  # one byte: 4 -> 5
        (
            [replace(r, topic="vtr.referral.Other") if r.position == 3 else r for r in HONEST],
            Tamper.CONTENT_CHANGED,
            3,
        ),
        ([r for r in HONEST if r.position != 6], Tamper.EVENT_MISSING, 6),
        (
            sorted(
                [*HONEST, StoredRecord(4, CASE, 99, "vtr.referral.Step", b"{}")],
                key=lambda r: r.position,
            ),
            Tamper.EVENT_INSERTED,
            4,
        ),
        (HONEST[:6], Tamper.LOG_TRUNCATED, 8),
    ],
    ids=["one byte", "topic", "deleted row", "inserted row", "truncated tail"],
)
def test_each_change_is_named_at_its_first_position(
    tampered: list[StoredRecord], kind: Tamper, position: int
) -> None:
    result = verified(tampered)
    assert not result.intact
    assert result.first is not None
    assert (result.first.kind, result.first.position) == (kind, position)


def test_two_rows_swapped_are_an_order_change() -> None:
    second, fifth = HONEST[1], HONEST[4]
    swapped = [
        replace(fifth, position=second.position)
        if r is second
        else replace(second, position=fifth.position)
        if r is fifth
        else r
        for r in HONEST
    ]
    result = verified(swapped)
    assert result.first is not None
    assert (result.first.kind, result.first.position) == (Tamper.ORDER_CHANGED, 2)
    assert "position 6" in result.first.detail


def test_a_tail_cut_with_its_seals_is_caught_by_the_signed_checkpoint() -> None:
    result = verified(HONEST[:6], SEALS[:6])
    assert result.first is not None
    assert result.first.kind is Tamper.LOG_TRUNCATED
    assert "signed for 8 events" in result.first.detail


def test_a_log_rewritten_and_resealed_without_the_signing_key_mismatches_its_checkpoints() -> None:
    rewritten = with_state(HONEST, 2, b'{"n": "rewritten"}')
    result = verified(rewritten, seals_of(rewritten))
    assert result.first is not None
    assert (result.first.kind, result.first.position) == (Tamper.CHECKPOINT_MISMATCH, 5)
    assert {finding.kind for finding in result.findings} == {Tamper.CHECKPOINT_MISMATCH}


def test_an_edited_seal_is_named() -> None:
    edited = [replace(s, chain_hash=bytes(32)) if s.position == 7 else s for s in SEALS]
    result = verified(HONEST, edited)
    assert [(f.kind, f.position) for f in result.findings] == [(Tamper.SEAL_CHANGED, 7)]


def renumbered(records: list[StoredRecord]) -> list[StoredRecord]:
    """The rows given the log's positions in order, as an editor who closes the gap does."""
    return [replace(r, position=p) for r, p in zip(records, (*POSITIONS, 10, 11), strict=False)]


def test_a_row_put_in_with_the_later_rows_renumbered_is_an_insertion() -> None:
    forged = StoredRecord(0, CASE, 42, "vtr.referral.Step", b'{"n": "forged"}')
    shifted = renumbered([*HONEST[:3], forged, *HONEST[3:]])
    result = verified(shifted)
    assert result.first is not None
    assert (result.first.kind, result.first.position) == (Tamper.EVENT_INSERTED, 5)


def test_a_row_taken_out_with_the_later_rows_renumbered_is_a_missing_event() -> None:
    shifted = renumbered([*HONEST[:4], *HONEST[5:]])
    result = verified(shifted)
    assert result.first is not None
    assert (result.first.kind, result.first.position) == (Tamper.EVENT_MISSING, 6)


def test_two_neighbours_swapped_are_an_order_change_not_a_shift() -> None:
    third, fifth = HONEST[2], HONEST[3]  # positions 3 and 5 (4 is the gap)
    swapped = [
        replace(fifth, position=3)
        if r is third
        else replace(third, position=5)
        if r is fifth
        else r
        for r in HONEST
    ]
    result = verified(swapped)
    assert result.first is not None
    assert (result.first.kind, result.first.position) == (Tamper.ORDER_CHANGED, 3)
