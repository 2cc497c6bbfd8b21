"""events.integrity.note: C2SP signed notes, checkpoints and cosignatures.

Published vectors, typed in from their sources (never produced by our code):
- [go-note] golang/mod sumdb/note/note_test.go (commit
  02c991387e35f9e4c0a9b7ce137717055f8d716d): the PeterNeumann and EnochRoot keys, the
  PeterNeumann private key (skey "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALV..."), the
  signed note TestSign must produce, TestOpen's signatures and bad messages, and
  TestNewVerifier's key manglings.
- [c2sp-note] C2SP signed-note.md, "Verifier keys / Example": example.com/foo's vkey and
  the note it verifies.
- [c2sp-checkpoint] C2SP tlog-checkpoint.md and tlog-cosignature.md: the example
  checkpoint of example.com/behind-the-sofa with its log signature and a witness's
  cosignature whose signed message the text shows with `time 1679315147`.
- [formats] transparency-dev/formats note/note_cosigv1_test.go (commit
  091ce41666c09683aa9350785e572be27f0c026d): TestCoSigV1NewVerifier's vkeys (one of type
  0x04) and TestCoSigV1Timestamp's cosignature and plain signature.
The C2SP snapshot read was C2SP/C2SP at 5ba5ee830903e91240fc6f9f3a7a9293d49e69c9.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from events.integrity.merkle import EMPTY_ROOT
from events.integrity.note import (
    MAX_LINE_BYTES,
    MAX_NOTE_BYTES,
    SIG_COSIGNATURE_V1,
    SIG_ED25519,
    Checkpoint,
    Cosigner,
    MalformedKeyError,
    MalformedNoteError,
    NoteRejectedError,
    NoteSigner,
    Signature,
    SignedNote,
    VerifierKey,
    add_cosignature,
    add_signature,
    cosignature_timestamp,
    key_id,
    open_checkpoint,
    parse_note,
    sign_checkpoint,
    sign_note,
    verify_note,
)

# From go-note.
PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
PETER_SEED_B64 = "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"  # 0x01 || Ed25519 seed
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
PETER_SIG = (
    "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqf"
    "qdngotpRZb6KE6RyyBwJnAM=\n"
)
ENOCH_SIG = (
    "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTG"
    "wnWLox33WWd1RvMc+QQ=\n"
)
# From c2sp-note.
FOO_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
FOO_NOTE = (
    "This is an example message.\n"
    "\n"
    "— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3"
    "mFXmRKuwHjG1Yu72IneyaQM=\n"
)
# From c2sp-checkpoint.
SOFA_NOTE = (
    "example.com/behind-the-sofa\n"
    "20852163\n"
    "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    "\n"
    "— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5"
    "/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n"
    "— witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJ"
    "sX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n"
)
# From formats.
REMORA_COSIGNER_VKEY = "remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2"
TEST_VKEY = "TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6"
FORMATS_COSIGNATURE = (
    "ZGhGuQAAAABm/qTPeyKXD+R2rzyQsxPiP8mXum7qq/iF0u4vanlqJyocWODBt97w9uL+8qT7S5gxEHWWOworDcFi"
    "EBYJXORmnFBOBA=="
)
FORMATS_PLAIN_SIGNATURE = (
    "eQjRQm6eSKzFoiYalgwCPXu2y3ijtg68is9M46JKxuZB+dRfTmeQeDBoXnvxZx2ugnkyV+MUMLXpWs1hPb/W/4xkNQY="
)

ROOT = hashlib.sha256(b"a root").digest()
SEALER = NoteSigner("vtr.example/events-v1", Ed25519PrivateKey.generate())
NEW_SEALER = NoteSigner("vtr.example/events-v1", Ed25519PrivateKey.generate())
STRANGER = NoteSigner("vtr.example/events-v1", Ed25519PrivateKey.generate())
WITNESS = Cosigner("agency.example/witness", Ed25519PrivateKey.generate())


def peter() -> NoteSigner:
    seed = base64.b64decode(PETER_SEED_B64)
    assert seed[0] == SIG_ED25519
    return NoteSigner("PeterNeumann", Ed25519PrivateKey.from_private_bytes(seed[1:]))


def checkpoint(size: int = 7, extensions: tuple[str, ...] = ()) -> Checkpoint:
    return Checkpoint("vtr.example/events-v1", size, ROOT, extensions)


# --- published vectors --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("vkey", "name", "signature_type", "hex_id"),
    [
        (PETER_VKEY, "PeterNeumann", SIG_ED25519, "c74f20a3"),
        (ENOCH_VKEY, "EnochRoot", SIG_ED25519, "af0cfe78"),
        (FOO_VKEY, "example.com/foo", SIG_ED25519, "530d903a"),
        (TEST_VKEY, "TEST", SIG_ED25519, "7997405c"),
        (REMORA_COSIGNER_VKEY, "remora.n621.de", SIG_COSIGNATURE_V1, "da77ade7"),
    ],
)
def test_published_vkeys_parse_and_their_key_ids_are_recomputed(
    vkey: str, name: str, signature_type: int, hex_id: str
) -> None:
    key = VerifierKey.parse(vkey)
    assert (key.name, key.signature_type) == (name, signature_type)
    assert key_id(name, signature_type, key.public_key).hex() == hex_id
    assert str(key) == vkey


def test_signing_reproduces_the_published_go_note_byte_for_byte() -> None:
    """Ed25519 is deterministic: our note must be the one golang.org/x/mod/sumdb/note made."""
    signer = peter()
    assert str(signer.verifier_key()) == PETER_VKEY
    assert str(sign_note(GO_TEXT, signer)) == GO_TEXT + "\n" + PETER_SIG


@pytest.mark.parametrize(
    ("note", "vkey"), [(GO_TEXT + "\n" + PETER_SIG, PETER_VKEY), (FOO_NOTE, FOO_VKEY)]
)
def test_published_notes_verify_with_their_keys(note: str, vkey: str) -> None:
    parsed = parse_note(note)
    verdict = verify_note(parsed, [VerifierKey.parse(vkey)])
    assert verdict.ok
    assert [str(k) for k in verdict.keys] == [vkey]
    assert str(parsed) == note


def test_go_open_one_key_known_then_both_then_none() -> None:
    """[go-note] TestOpen: lines of keys not given are ignored, not failed."""
    note = parse_note(GO_TEXT + "\n" + PETER_SIG + ENOCH_SIG)
    peter_key, enoch_key = VerifierKey.parse(PETER_VKEY), VerifierKey.parse(ENOCH_VKEY)
    one = verify_note(note, [peter_key])
    assert (one.ok, one.keys, [s.name for s in one.unknown]) == (True, (peter_key,), ["EnochRoot"])
    both = verify_note(note, [peter_key, enoch_key])
    assert (both.ok, both.keys, both.unknown) == (True, (peter_key, enoch_key), ())
    none = verify_note(note, [])
    assert (none.ok, none.keys, len(none.unknown)) == (False, (), 2)


def test_go_open_a_corrupted_signature_of_a_known_key_fails() -> None:
    """[go-note] TestOpen "Invalid signature": four base64 characters inserted."""
    corrupted = PETER_SIG[:60] + "ABCD" + PETER_SIG[60:]
    verdict = verify_note(parse_note(GO_TEXT + "\n" + corrupted), [VerifierKey.parse(PETER_VKEY)])
    assert (verdict.ok, verdict.failed) == (False, (VerifierKey.parse(PETER_VKEY),))


def test_the_published_checkpoint_and_cosignature_parse() -> None:
    """[c2sp-checkpoint]: no public keys are published for it, so parsing is what we check."""
    note = parse_note(SOFA_NOTE)
    parsed = note.checkpoint()
    assert (parsed.origin, parsed.size) == ("example.com/behind-the-sofa", 20852163)
    assert parsed.root == base64.b64decode("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=")
    log, witness = note.signatures
    assert (log.name, log.key_id.hex(), len(log.signature)) == (
        "example.com/behind-the-sofa",
        "033de0ae",
        64,
    )
    assert (witness.name, witness.key_id.hex()) == ("witness.example.com/w1", "8d66cf3f")
    assert cosignature_timestamp(witness) == 1679315147
    assert str(note) == SOFA_NOTE


def test_the_published_cosignature_timestamp_is_read_and_a_plain_signature_is_not_one() -> None:
    """[formats] TestCoSigV1Timestamp."""
    raw = base64.b64decode(FORMATS_COSIGNATURE)
    assert cosignature_timestamp(Signature("w", raw[:4], raw[4:])) == 1727964367
    raw = base64.b64decode(FORMATS_PLAIN_SIGNATURE)
    with pytest.raises(MalformedNoteError) as refused:
        cosignature_timestamp(Signature("w", raw[:4], raw[4:]))
    assert refused.value.problem == "not-a-cosignature"


def test_every_mangling_of_a_published_vkey_is_refused() -> None:
    """From go-note, TestNewVerifier: every proper substring and every one-character change."""
    whole = (0, len(PETER_VKEY))
    substrings = [
        PETER_VKEY[i:j]
        for i in range(len(PETER_VKEY) + 1)
        for j in range(i + 1, len(PETER_VKEY) + 1)
        if (i, j) != whole
    ]
    changed = [
        PETER_VKEY[:i] + chr(ord(ch) + 1) + PETER_VKEY[i + 1 :] for i, ch in enumerate(PETER_VKEY)
    ]
    accepted = [text for text in substrings + changed if parses_as_vkey(text)]
    assert accepted == []


def parses_as_vkey(text: str) -> bool:
    try:
        VerifierKey.parse(text)
    except MalformedKeyError:
        return False
    return True


@pytest.mark.parametrize(
    ("vkey", "problem"),
    [
        # [go-note] TestNewVerifier: a key of the wrong length, an unknown algorithm (each
        # with its key id adjusted to match).
        (
            # Go decodes its base64 leniently into 37 bytes; we stop at its non-zero
            # padding bits ("Y==" leaves 4 bits set), before the length.
            "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==",
            "bad-base64",
        ),
        (
            "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
            "unsupported-signature-type",
        ),
        # [formats] TestCoSigV1NewVerifier's refusals.
        ("bananas.sigstore.dev+12344556", "bad-vkey"),
        ("rekor.sigstore.dev+12345678+THIS_IS_NOT_BASE64!", "bad-base64"),
        ("rekor.sigstore.dev+12345678+AwEB", "unsupported-signature-type"),
        ("rekor.sigstore.dev+NOT_A_NUMBER+" + PETER_VKEY.split("+")[2], "bad-key-id"),
        ("PeterNeumann+00000000+" + PETER_VKEY.split("+")[2], "key-id-mismatch"),
        ("PeterNeumann+C74F20A3+" + PETER_VKEY.split("+")[2], "bad-key-id"),
        ("Peter Neumann+c74f20a3+" + PETER_VKEY.split("+")[2], "bad-key-name"),
        (
            "PeterNeumann+c74f20a3+" + base64.b64encode(b"\x01" + b"\x00" * 31).decode(),
            "bad-public-key",
        ),
        ("+c74f20a3+" + PETER_VKEY.split("+")[2], "bad-key-name"),
    ],
)
def test_bad_vkeys_are_refused_by_name(vkey: str, problem: str) -> None:
    with pytest.raises(MalformedKeyError) as refused:
        VerifierKey.parse(vkey)
    assert refused.value.problem == problem
    assert str(refused.value).startswith(f"{problem}: ")


# --- signing and verifying our checkpoints ------------------------------------------------


def test_a_signed_checkpoint_round_trips_and_verifies() -> None:
    note = sign_checkpoint(checkpoint(), SEALER)
    text = str(note)
    assert text.startswith(f"vtr.example/events-v1\n7\n{base64.b64encode(ROOT).decode()}\n\n— ")
    assert parse_note(text) == note
    opened, verdict = open_checkpoint(text, [SEALER.verifier_key()])
    assert opened == checkpoint()
    assert verdict.keys == (SEALER.verifier_key(),)
    assert open_checkpoint(text.encode("utf-8"), [SEALER.verifier_key()])[0] == checkpoint()


def test_a_note_signed_by_one_key_does_not_verify_with_another() -> None:
    """STRANGER has the same name but another key, hence another key id: its vkey is not
    asked about the line, so nothing verifies."""
    text = str(sign_checkpoint(checkpoint(), SEALER))
    verdict = verify_note(parse_note(text), [STRANGER.verifier_key()])
    assert (verdict.ok, verdict.verified, verdict.failed, len(verdict.unknown)) == (
        False,
        (),
        (),
        1,
    )
    with pytest.raises(NoteRejectedError) as refused:
        open_checkpoint(text, [STRANGER.verifier_key()])
    assert refused.value.problem == "no-verified-signature"


def test_the_same_key_with_its_id_forced_onto_another_line_fails() -> None:
    """A line claiming SEALER's name and id but made by another key is verified, and fails."""
    note = sign_checkpoint(checkpoint(), STRANGER)
    forged = Signature(SEALER.name, SEALER.verifier_key().key_id, note.signatures[0].signature)
    with pytest.raises(NoteRejectedError) as refused:
        open_checkpoint(str(SignedNote(note.text, (forged,))), [SEALER.verifier_key()])
    assert refused.value.problem == "bad-signature"
    assert SEALER.name in str(refused.value)


@pytest.mark.parametrize("position", range(len(checkpoint().text())))
def test_a_text_changed_in_one_byte_fails(position: int) -> None:
    text = str(sign_checkpoint(checkpoint(), SEALER))
    changed = text[:position] + chr(ord(text[position]) ^ 1) + text[position + 1 :]
    try:
        note = parse_note(changed)
    except MalformedNoteError:
        return  # the change broke the note's form (a newline, the base64): refused anyway
    verdict = verify_note(note, [SEALER.verifier_key()])
    assert not verdict.ok
    assert verdict.failed == (SEALER.verifier_key(),)


def test_key_rotation_adds_a_line_that_each_key_verifies_alone() -> None:
    rotated = add_signature(sign_checkpoint(checkpoint(), SEALER), NEW_SEALER)
    assert len(rotated.signatures) == 2
    text = str(rotated)
    for keys in ([SEALER.verifier_key()], [NEW_SEALER.verifier_key()]):
        assert open_checkpoint(text, keys)[1].keys == tuple(keys)
    both = [SEALER.verifier_key(), NEW_SEALER.verifier_key()]
    assert open_checkpoint(text, both)[1].keys == tuple(both)


def test_a_key_signs_a_note_once() -> None:
    with pytest.raises(MalformedNoteError) as refused:
        add_signature(sign_checkpoint(checkpoint(), SEALER), SEALER)
    assert refused.value.problem == "duplicate-signature"


class CollidingKey(VerifierKey):
    """A key whose id collides with any other CollidingKey's (ids are only 4 bytes long)."""

    @property
    def key_id(self) -> bytes:
        return b"\x00" * 4


def test_two_different_keys_under_one_name_and_id_are_ambiguous() -> None:
    one = CollidingKey(SEALER.name, SIG_ED25519, SEALER.verifier_key().public_key)
    other = CollidingKey(SEALER.name, SIG_ED25519, STRANGER.verifier_key().public_key)
    note = sign_checkpoint(checkpoint(), SEALER)
    with pytest.raises(ValueError, match="ambiguous verifier keys"):
        verify_note(note, [one, other])
    # The same key given twice is not ambiguous.
    assert verify_note(note, [SEALER.verifier_key(), SEALER.verifier_key()]).ok


def test_extension_lines_are_kept_and_signed() -> None:
    note = sign_checkpoint(checkpoint(extensions=("ext one", "ext two")), SEALER)
    opened, _ = open_checkpoint(str(note), [SEALER.verifier_key()])
    assert opened.extensions == ("ext one", "ext two")
    changed = str(note).replace("ext two", "ext 2wo")
    with pytest.raises(NoteRejectedError):
        open_checkpoint(changed, [SEALER.verifier_key()])


# --- cosignatures -------------------------------------------------------------------------


def test_a_cosignature_verifies_and_reports_its_time() -> None:
    note = add_cosignature(sign_checkpoint(checkpoint(), SEALER), WITNESS, 1_700_000_000)
    text = str(note)
    line = note.signatures[1]
    assert line.key_id == key_id(
        WITNESS.name, SIG_COSIGNATURE_V1, WITNESS.verifier_key().public_key
    )
    assert len(line.signature) == 8 + 64
    assert cosignature_timestamp(line) == 1_700_000_000
    _, verdict = open_checkpoint(text, [SEALER.verifier_key(), WITNESS.verifier_key()])
    assert [(v.key.name, v.timestamp) for v in verdict.verified] == [
        (SEALER.name, None),
        (WITNESS.name, 1_700_000_000),
    ]


def test_a_cosignature_signs_the_cosignature_v1_message() -> None:
    """The message is `cosignature/v1\\ntime <t>\\n` and the checkpoint text (tlog-cosignature)."""
    cp = checkpoint(extensions=("ext",))
    line = WITNESS.cosign(cp, 1679315147)
    message = ("cosignature/v1\ntime 1679315147\n" + cp.text()).encode()
    WITNESS.private_key.public_key().verify(line.signature[8:], message)


def test_a_cosignature_with_another_time_or_text_fails() -> None:
    note = add_cosignature(sign_checkpoint(checkpoint(), SEALER), WITNESS, 1_700_000_000)
    line = note.signatures[1]
    later = (1_700_000_001).to_bytes(8, "big") + line.signature[8:]
    moved = SignedNote(note.text, (note.signatures[0], Signature(line.name, line.key_id, later)))
    assert verify_note(moved, [WITNESS.verifier_key()]).failed == (WITNESS.verifier_key(),)
    elsewhere = SignedNote(checkpoint(size=8).text(), (line,))
    assert not verify_note(elsewhere, [WITNESS.verifier_key()]).ok


def test_a_cosigner_key_and_a_note_key_do_not_stand_in_for_each_other() -> None:
    """The same key pair has one id for notes (0x01) and another for cosignatures (0x04)."""
    as_note_key = NoteSigner(WITNESS.name, WITNESS.private_key).verifier_key()
    assert as_note_key.key_id != WITNESS.verifier_key().key_id
    note = add_cosignature(sign_checkpoint(checkpoint(), SEALER), WITNESS, 1)
    assert verify_note(note, [as_note_key]).verified == ()


@pytest.mark.parametrize("timestamp", [-1, 2**63, True])
def test_a_cosignature_time_is_unix_seconds_below_2_63(timestamp: int) -> None:
    with pytest.raises(ValueError, match="unix seconds"):
        WITNESS.cosign(checkpoint(), timestamp)


def test_a_cosignature_time_of_2_63_or_more_does_not_verify() -> None:
    cp = checkpoint()
    ts = 2**63
    signed = WITNESS.private_key.sign(f"cosignature/v1\ntime {ts}\n{cp.text()}".encode())
    line = Signature(WITNESS.name, WITNESS.verifier_key().key_id, ts.to_bytes(8, "big") + signed)
    assert verify_note(SignedNote(cp.text(), (line,)), [WITNESS.verifier_key()]).failed


# --- malformed notes ----------------------------------------------------------------------

GOOD = str(sign_note(GO_TEXT, peter()))
SIG_B64 = PETER_SIG.split(" ")[2].strip()


@pytest.mark.parametrize(
    ("note", "problem"),
    [
        # [go-note] TestOpen's bad messages.
        (GO_TEXT, "no-blank-line"),
        (GO_TEXT + "\n", "no-signature"),
        (GO_TEXT + "\n" + PETER_SIG[:-1], "no-final-newline"),
        ("\x01" + GO_TEXT + "\n" + PETER_SIG, "control-character"),
        (b"\xff" + (GO_TEXT + "\n" + PETER_SIG).encode(), "not-utf-8"),
        (GO_TEXT + "\n— Bad Name " + SIG_B64, "no-final-newline"),
        (GO_TEXT + "\n— Bad Name " + SIG_B64 + "\n", "bad-key-name"),
        (GO_TEXT + "\n" + PETER_SIG + "Unexpected line.\n", "bad-signature-line"),
        (GO_TEXT + "\n" + PETER_SIG * 101, "too-many-signatures"),
        # Go keeps one of two identical lines; we refuse the note.
        (GO_TEXT + "\n" + PETER_SIG * 2, "duplicate-signature"),
        # Ours.
        (GOOD.replace("— ", "- "), "bad-signature-line"),
        (GOOD.replace("— ", "—"), "bad-signature-line"),
        (GOOD.replace("PeterNeumann ", "PeterNeumann"), "bad-signature-line"),
        (GOOD.replace("PeterNeumann", "Peter+Neumann"), "bad-key-name"),
        (GOOD.replace("— PeterNeumann", "— "), "bad-key-name"),
        (GOOD.replace("— PeterNeumann", "— Peter\u00a0Neumann"), "bad-key-name"),
        (GOOD.replace(SIG_B64, SIG_B64.rstrip("=")), "bad-base64"),
        (GOOD.replace(SIG_B64, SIG_B64[:-2] + "N="), "bad-base64"),  # non-zero padding bits
        (GOOD.replace(SIG_B64, "x08go/Z="), "bad-base64"),  # likewise
        (GOOD.replace(SIG_B64, "x08go/ZJk"), "bad-base64"),
        (GOOD.replace(SIG_B64, "x08gow=="), "short-signature"),
        (GOOD.replace("\n", "\r\n"), "control-character"),
        (GOOD.replace("answer", "ans\twer"), "control-character"),
        (GOOD + "\n", "no-signature"),
        ("x" * (MAX_LINE_BYTES + 1) + "\n\n" + PETER_SIG, "line-too-long"),
        ("x\n" * (MAX_NOTE_BYTES // 2) + "\n" + PETER_SIG, "note-too-long"),
        ("\ud800\n\n" + PETER_SIG, "not-utf-8"),
    ],
)
def test_malformed_notes_are_refused_naming_the_problem(note: str | bytes, problem: str) -> None:
    with pytest.raises(MalformedNoteError) as refused:
        parse_note(note)
    assert refused.value.problem == problem
    assert str(refused.value).startswith(f"{problem}: ")


def test_a_note_text_may_hold_empty_lines_up_to_the_last_one() -> None:
    """The text runs to the last blank line (signed-note), empty lines and all."""
    text = "Note\n\nwith a gap\n\n"
    note = sign_note(text, SEALER)
    assert parse_note(str(note)) == note
    assert note.text == text
    assert verify_note(parse_note(str(note)), [SEALER.verifier_key()]).ok


def checkpoint_note(text: str) -> str:
    return text + "\n" + PETER_SIG


ROOT_B64 = base64.b64encode(ROOT).decode()
EMPTY_B64 = base64.b64encode(EMPTY_ROOT).decode()


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (f"log\n7\n{ROOT_B64}", "no-final-newline"),
        ("log\n7\n", "short-checkpoint"),
        (f"\n7\n{ROOT_B64}\n", "empty-origin"),
        (f"log\n07\n{ROOT_B64}\n", "bad-tree-size"),
        (f"log\n+7\n{ROOT_B64}\n", "bad-tree-size"),
        (f"log\n 7\n{ROOT_B64}\n", "bad-tree-size"),
        (f"log\n7.0\n{ROOT_B64}\n", "bad-tree-size"),
        (f"log\n\u0667\n{ROOT_B64}\n", "bad-tree-size"),  # ARABIC-INDIC DIGIT SEVEN
        (f"log\n-1\n{ROOT_B64}\n", "bad-tree-size"),
        (f"log\n{2**64}\n{ROOT_B64}\n", "bad-tree-size"),
        (f"log\n7\n{ROOT_B64.rstrip('=')}\n", "bad-root-hash"),
        (f"log\n7\n{ROOT.hex()}\n", "bad-root-hash"),
        (f"log\n7\n{base64.b64encode(ROOT[:31]).decode()}\n", "bad-root-hash"),
        (f"log\n0\n{ROOT_B64}\n", "bad-root-hash"),
        (f"log\n7\n{ROOT_B64}\n\n", "empty-extension-line"),
    ],
)
def test_malformed_checkpoints_are_refused_naming_the_problem(text: str, problem: str) -> None:
    with pytest.raises(MalformedNoteError) as refused:
        Checkpoint.parse(text)
    assert refused.value.problem == problem


def test_checkpoint_edges_that_are_well_formed() -> None:
    assert Checkpoint.parse(f"log\n0\n{EMPTY_B64}\n") == Checkpoint("log", 0, EMPTY_ROOT)
    assert Checkpoint.parse(f"log\n{2**64 - 1}\n{ROOT_B64}\n").size == 2**64 - 1
    assert Checkpoint.parse(f"a log with spaces\n1\n{ROOT_B64}\nx\ny\n").extensions == ("x", "y")


@pytest.mark.parametrize(
    ("make", "problem"),
    [
        (lambda: Checkpoint("log\nx", 1, ROOT), "control-character"),
        (lambda: Checkpoint("log", -1, ROOT), "bad-tree-size"),
        (lambda: Checkpoint("log", 1, ROOT[:31]), "bad-root-hash"),
        (lambda: Checkpoint("log", 1, ROOT, ("",)), "empty-extension-line"),
        (lambda: sign_note("no newline", SEALER), "no-final-newline"),
        (lambda: sign_note("a\tb\n", SEALER), "control-character"),
        (
            lambda: add_cosignature(sign_note("not a checkpoint\n", SEALER), WITNESS, 1),
            "short-checkpoint",
        ),
    ],
)
def test_what_we_would_sign_is_checked_first(make: Callable[[], object], problem: str) -> None:
    with pytest.raises(MalformedNoteError) as refused:
        make()
    assert refused.value.problem == problem


@pytest.mark.parametrize("name", ["", "a b", "a+b", "a\u2003b"])
def test_signers_need_a_key_name_without_spaces_or_plus(name: str) -> None:
    with pytest.raises(MalformedKeyError) as refused:
        NoteSigner(name, Ed25519PrivateKey.generate())
    assert refused.value.problem == "bad-key-name"


# --- property ------------------------------------------------------------------------------

line_text = st.text(
    st.characters(exclude_categories=["Cs"], min_codepoint=0x20), min_size=1, max_size=40
)


@settings(deadline=None, max_examples=50)
@given(
    origin=line_text,
    size=st.integers(1, 2**64 - 1),
    root=st.binary(min_size=32, max_size=32),
    extensions=st.lists(line_text, max_size=3),
    timestamp=st.integers(0, 2**63 - 1),
)
def test_any_checkpoint_round_trips_signed_and_cosigned(
    origin: str, size: int, root: bytes, extensions: list[str], timestamp: int
) -> None:
    cp = Checkpoint(origin, size, root, tuple(extensions))
    note = add_cosignature(sign_checkpoint(cp, SEALER), WITNESS, timestamp)
    opened, verdict = open_checkpoint(str(note), [SEALER.verifier_key(), WITNESS.verifier_key()])
    assert opened == cp
    assert [v.timestamp for v in verdict.verified] == [None, timestamp]
