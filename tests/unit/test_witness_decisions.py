"""api.witness: what a witness does with the checkpoint a log shows it, decided from the note
it holds, the note it is shown and the consistency proof alone. The log is real: leaves in a
Merkle tree (events.integrity.merkle), checkpoints signed with a log key, proofs made by the
tree; nothing is mocked."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from api.witness import WitnessState
from events.integrity.merkle import Frontier, consistency_proof, leaf_hash, root
from events.integrity.note import (
    Checkpoint,
    Cosigner,
    NoteSigner,
    Signature,
    add_cosignature,
    parse_note,
    sign_checkpoint,
)
from events.integrity.witness import (
    AlreadyCosigned,
    Cosign,
    NeedsProof,
    Refusal,
    Refused,
    WitnessError,
    decide,
    next_cosignature_time,
)

ORIGIN = "vtr.norfolk.gov.uk/events"
LOG = NoteSigner("vtr.norfolk.gov.uk", Ed25519PrivateKey.generate())
WITNESS = Cosigner("witness.norfolk-constabulary", Ed25519PrivateKey.generate())
OTHER_WITNESS = Cosigner("witness.norfolk-childrens-services", Ed25519PrivateKey.generate())


def events(count: int, story: str = "recorded") -> list[bytes]:
    """The leaf hashes of a log of `count` events; another story is another history."""
    return [leaf_hash(f"{story} event {n}".encode()) for n in range(count)]


def note(leaves: list[bytes], origin: str = ORIGIN, signer: NoteSigner = LOG) -> str:
    """The log's signed checkpoint of these leaves, as the API serves it."""
    frontier = Frontier.of(leaves)
    assert frontier.root() == root(leaves), "the frontier and the tree agree"
    return str(sign_checkpoint(Checkpoint(origin, frontier.size, frontier.root()), signer))


def cosigned(served: str, by: Cosigner, timestamp: int = 1_790_000_000) -> str:
    return str(add_cosignature(parse_note(served), by, timestamp))


def judged(shown: str, held: str | None) -> Cosign | AlreadyCosigned | Refusal | NeedsProof:
    return decide(shown, held, LOG.verifier_key(), WITNESS.verifier_key())


def proved(shown: str, held: str, proof: list[bytes]) -> Cosign | AlreadyCosigned | Refusal:
    return decide(shown, held, LOG.verifier_key(), WITNESS.verifier_key(), proof)


def refusal(decision: object) -> Refusal:
    assert isinstance(decision, Refusal), decision
    return decision


def test_a_growing_log_is_cosigned_at_each_size() -> None:
    log = events(13)
    first = note(log[:5])
    decision = judged(first, None)
    assert isinstance(decision, Cosign), "the first checkpoint seen is the starting point"
    assert (decision.checkpoint.origin, decision.checkpoint.size) == (ORIGIN, 5)

    grown = note(log[:13])
    assert judged(grown, first) == NeedsProof(5, 13)
    decision = proved(grown, first, consistency_proof(log[:13], 5))
    assert isinstance(decision, Cosign)
    assert (decision.checkpoint.size, decision.checkpoint.root) == (13, root(log))

    # Once the witness's line is served with it, the same checkpoint is already cosigned.
    line = WITNESS.cosign(decision.checkpoint, 1_790_000_000)
    served = cosigned(grown, WITNESS)
    assert served.endswith(line.line())
    assert isinstance(judged(served, grown), AlreadyCosigned)


def test_nothing_new_is_still_cosigned_until_this_witness_line_is_served() -> None:
    held = note(events(7))
    by_another = cosigned(held, OTHER_WITNESS)
    assert isinstance(judged(by_another, held), Cosign), "another witness's line is not ours"
    assert isinstance(judged(cosigned(by_another, WITNESS), held), AlreadyCosigned)


def test_a_forged_line_in_this_witness_name_is_not_its_cosignature() -> None:
    held = note(events(7))
    ours = parse_note(cosigned(held, WITNESS))
    line = ours.signatures[-1]
    forged = Signature(
        line.name, line.key_id, line.signature[:-1] + bytes([line.signature[-1] ^ 1])
    )
    served = held + forged.line()
    assert isinstance(judged(served, held), Cosign)


def test_a_different_root_at_the_same_size_is_refused_as_a_split_view() -> None:
    held = note(events(8))
    shown = note(events(8, story="rewritten"))
    refused = refusal(judged(shown, held))
    assert refused.refused is Refused.SPLIT_VIEW
    assert "size 8" in refused.detail


def test_a_smaller_tree_is_refused_as_a_rollback() -> None:
    log = events(9)
    refused = refusal(judged(note(log[:6]), note(log)))
    assert refused.refused is Refused.ROLLED_BACK
    assert "6" in refused.detail
    assert "9" in refused.detail


def test_a_proof_that_does_not_join_the_two_trees_is_refused() -> None:
    log = events(11)
    held, shown = note(log[:6]), note(log)
    good = consistency_proof(log, 6)
    tampered = [good[0][:-1] + bytes([good[0][-1] ^ 1]), *good[1:]]
    for proof in (tampered, good[:-1], [*good, good[0]], []):
        assert refusal(proved(shown, held, proof)).refused is Refused.NOT_CONSISTENT


def test_a_rewritten_history_that_grew_is_refused_even_with_its_own_proof() -> None:
    held = note(events(6))
    rewritten = events(11, story="rewritten")
    shown = note(rewritten)
    assert judged(shown, held) == NeedsProof(6, 11)
    refused = refusal(proved(shown, held, consistency_proof(rewritten, 6)))
    assert refused.refused is Refused.NOT_CONSISTENT
    assert "first root" in refused.detail, "the proof leads to the rewritten tree, not the held"


def test_a_checkpoint_not_signed_by_the_pinned_log_key_is_refused() -> None:
    log = events(5)
    impostor = NoteSigner(LOG.name, Ed25519PrivateKey.generate())  # same name, another key
    assert refusal(judged(note(log, signer=impostor), None)).refused is Refused.BAD_SIGNATURE

    genuine = parse_note(note(log))
    signature = genuine.signatures[0]
    broken = Signature(signature.name, signature.key_id, bytes(len(signature.signature)))
    forged = genuine.text + "\n" + broken.line()
    refused = refusal(judged(forged, None))
    assert refused.refused is Refused.BAD_SIGNATURE
    assert LOG.name in refused.detail


def test_only_the_log_key_matters_among_the_signature_lines() -> None:
    stranger = NoteSigner("someone-else", Ed25519PrivateKey.generate())
    served = parse_note(note(events(5)))
    with_stranger = served.text + "\n" + served.signatures[0].line()
    with_stranger += stranger.sign(served.text).line()
    assert isinstance(judged(with_stranger, None), Cosign)


def test_a_checkpoint_of_another_origin_is_refused() -> None:
    log = events(5)
    refused = refusal(judged(note(log, origin="vtr.norfolk.gov.uk/access-log"), note(log)))
    assert refused.refused is Refused.DIFFERENT_ORIGIN
    assert "access-log" in refused.detail


def test_a_held_note_that_no_longer_opens_is_an_error_not_a_refusal() -> None:
    log = events(5)
    other_key = NoteSigner(LOG.name, Ed25519PrivateKey.generate())
    with pytest.raises(WitnessError, match="held checkpoint"):
        judged(note(log), note(log, signer=other_key))


def test_cosignature_times_rise_even_when_the_clock_is_set_back() -> None:
    assert next_cosignature_time(1_790_000_000.7, None) == 1_790_000_000
    assert next_cosignature_time(1_790_000_000.7, 1_789_999_999) == 1_790_000_000
    assert next_cosignature_time(1_790_000_000.7, 1_790_000_000) == 1_790_000_001
    assert next_cosignature_time(1_700_000_000.0, 1_790_000_000) == 1_790_000_001


def test_the_log_key_is_pinned_on_the_first_run_and_a_different_one_refused(
    tmp_path: Path,
) -> None:
    state = WitnessState(tmp_path)
    with pytest.raises(WitnessError, match="--log-key"):
        state.log_key(None)
    assert state.log_key(str(LOG.verifier_key())) == LOG.verifier_key()
    assert state.log_key(None) == LOG.verifier_key(), "pinned"
    assert state.log_key(str(LOG.verifier_key())) == LOG.verifier_key()
    other = NoteSigner(LOG.name, Ed25519PrivateKey.generate()).verifier_key()
    with pytest.raises(WitnessError, match="not the key pinned"):
        state.log_key(str(other))
    with pytest.raises(WitnessError, match="cosigning key"):
        WitnessState(tmp_path / "fresh").log_key(str(WITNESS.verifier_key()))
