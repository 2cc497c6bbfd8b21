"""C2SP signed notes and checkpoints, signed with Ed25519 and cosigned (cosignature/v1).

Written from c2sp.org/signed-note, c2sp.org/tlog-checkpoint and c2sp.org/tlog-cosignature
(the C2SP/C2SP repository, snapshot of July 2026). What we implement, exactly:

Signed note (signed-note). A note is its *text*, a blank line, then one or more signature
lines `— <key name> <base64(4-byte key id || signature)>\\n` (U+2014 EM DASH, a space). The
text ends in a newline and may hold empty lines: it runs to the *last* blank line. We parse
strictly and refuse with `MalformedNoteError`, whose `problem` names the fault: not UTF-8, an
ASCII control character other than newline, no final newline, no blank line, no signature
line, a line that is not `— name base64`, a key name that is empty or holds white space
(`str.isspace`) or `+`, base64 that is not canonical standard base64 with padding
(RFC 4648 §4), a signature of fewer than 5 bytes, the same key (name and id) signing
twice, more than MAX_SIGNATURES lines (the spec asks for at least 16; Go allows 100),
a line over MAX_LINE_BYTES or a note over MAX_NOTE_BYTES.

Keys. A key id is SHA-256(key name || 0x0A || signature type || 32-byte public key)[:4]. A
verifier key (vkey) is `<name>+<8 lowercase hex digits of the key id>+<base64(type || key)>`.
Two signature types: 0x01, Ed25519 (RFC 8032) over the note text; 0x04, the Ed25519
cosignature/v1 of tlog-cosignature. Others (ECDSA 0x02, RFC 6962 STH 0x05, ML-DSA-44
0x06) are not implemented: their lines parse, and are ignored as signatures of unknown keys.

Verifying (signed-note, "Signatures"). A line whose key name and id match no given key is
ignored; one that matches is verified. `verify_note` reports which keys verified, which
failed and which lines were unknown; `open_checkpoint` accepts a note only if at least one
given key verified (the spec's MUST) and none failed (its SHOULD: we refuse).

Checkpoint (tlog-checkpoint). The text is: the origin (non-empty), the tree size in ASCII
decimal with no leading zero (below 2**64), the root hash in base64 (32 bytes), then any
extension lines, each non-empty; we keep them, and they are signed like the rest. A size
of 0 must carry the empty tree's root, SHA-256 of nothing.

Cosignature (tlog-cosignature, Ed25519 only). The signed message is `cosignature/v1\\n`,
`time <unix seconds, decimal>\\n`, then the whole checkpoint text (extension lines too);
the signature line's payload is key id (type 0x04) || timestamp (8 bytes, big-endian,
below 2**63) || the 64-byte Ed25519 signature. We report the timestamp; refusing one from
the future is the caller's choice.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from events.integrity.merkle import EMPTY_ROOT, HASH_SIZE, MAX_SIZE

SIG_ED25519 = 0x01
SIG_COSIGNATURE_V1 = 0x04
KEY_ID_SIZE = 4
MAX_SIGNATURES = 100
MAX_LINE_BYTES = 8192  # room for the ML-DSA lines we ignore (about 3.3k characters)
MAX_NOTE_BYTES = 1 << 20
MAX_TIMESTAMP = 2**63  # exclusive
_SIGNATURE_PREFIX = "\u2014 "
_ED25519_KEY_SIZE = 32
_ED25519_SIG_SIZE = 64
_TIMESTAMP_SIZE = 8
_DECIMAL = re.compile("0|[1-9][0-9]{0,19}")
_HEX_KEY_ID = re.compile("[0-9a-f]{8}")
_CHECKPOINT_LINES = 3  # origin, size, root


class NoteError(ValueError):
    """A note, checkpoint or key refused; `problem` is a short name for what is wrong."""

    def __init__(self, problem: str, detail: str) -> None:
        super().__init__(f"{problem}: {detail}")
        self.problem = problem


class MalformedNoteError(NoteError):
    """The text is not a well-formed signed note or checkpoint."""


class MalformedKeyError(NoteError):
    """The text is not a verifier key we can use."""


class NoteRejectedError(NoteError):
    """The note is well formed but its signatures do not let it be trusted."""


def _strict_base64(text: str) -> bytes | None:
    """Standard base64 with padding and nothing else: exactly one spelling per value."""
    try:
        raw = base64.b64decode(text, validate=True)
    except binascii.Error:
        return None
    return raw if base64.b64encode(raw).decode("ascii") == text else None


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _name_fault(name: str) -> str | None:
    if not name:
        return "it is empty"
    if "+" in name or any(ch.isspace() or ch < " " for ch in name):
        return f"{name!r} holds white space, a control character or '+'"
    return None


def _check_key_name(name: str, error: type[NoteError]) -> None:
    fault = _name_fault(name)
    if fault is not None:
        raise error("bad-key-name", f"a key name must be non-empty, without spaces or '+': {fault}")


def key_id(name: str, signature_type: int, public_key: bytes) -> bytes:
    """SHA-256(name || 0x0A || type || public key)[:4]: names a key together with its use."""
    material = name.encode("utf-8") + b"\n" + bytes([signature_type]) + public_key
    return hashlib.sha256(material).digest()[:KEY_ID_SIZE]


@dataclass(frozen=True, slots=True)
class VerifierKey:
    """A public key, its name and its signature type (0x01 notes, 0x04 cosignatures)."""

    name: str
    signature_type: int
    public_key: bytes

    def __post_init__(self) -> None:
        _check_key_name(self.name, MalformedKeyError)
        if self.signature_type not in {SIG_ED25519, SIG_COSIGNATURE_V1}:
            raise MalformedKeyError(
                "unsupported-signature-type", f"type {self.signature_type:#04x}"
            )
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key)
        except ValueError as error:
            raise MalformedKeyError("bad-public-key", "not a 32-byte Ed25519 public key") from error

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.signature_type, self.public_key)

    @classmethod
    def parse(cls, vkey: str) -> VerifierKey:
        """A vkey `<name>+<hex key id>+<base64(type || key)>`, its key id checked."""
        name, _, rest = vkey.partition("+")
        hex_id, plus, material = rest.partition("+")
        if not plus:
            raise MalformedKeyError("bad-vkey", "expected <name>+<hex key id>+<base64 key>")
        if not _HEX_KEY_ID.fullmatch(hex_id):
            raise MalformedKeyError("bad-key-id", f"{hex_id!r} is not 8 lowercase hex digits")
        raw = _strict_base64(material)
        if not raw:
            raise MalformedKeyError("bad-base64", "the key is not canonical base64")
        key = cls(name, raw[0], raw[1:])
        if key.key_id.hex() != hex_id:
            raise MalformedKeyError("key-id-mismatch", f"{hex_id} is not the id of this key")
        return key

    def __str__(self) -> str:
        material = _b64(bytes([self.signature_type]) + self.public_key)
        return f"{self.name}+{self.key_id.hex()}+{material}"

    def verify(self, text: str, signature: bytes) -> Verified | None:
        """The signature (after its key id) checked against this key, or None if it fails."""
        public = Ed25519PublicKey.from_public_bytes(self.public_key)
        timestamp: int | None = None
        message = text.encode("utf-8")
        if self.signature_type == SIG_COSIGNATURE_V1:
            if len(signature) != _TIMESTAMP_SIZE + _ED25519_SIG_SIZE:
                return None
            timestamp = int.from_bytes(signature[:_TIMESTAMP_SIZE], "big")
            signature = signature[_TIMESTAMP_SIZE:]
            if timestamp >= MAX_TIMESTAMP:
                return None
            message = _cosigned_message(text, timestamp)
        if len(signature) != _ED25519_SIG_SIZE:
            return None
        try:
            public.verify(signature, message)
        except InvalidSignature:
            return None
        return Verified(self, timestamp)


@dataclass(frozen=True, slots=True)
class Verified:
    """A key whose signature verified; `timestamp` is a cosignature's time (None otherwise)."""

    key: VerifierKey
    timestamp: int | None


def _cosigned_message(checkpoint_text: str, timestamp: int) -> bytes:
    return f"cosignature/v1\ntime {timestamp}\n{checkpoint_text}".encode()


@dataclass(frozen=True, slots=True)
class Signature:
    """One signature line: key name, key id, and the signature bytes that follow the id."""

    name: str
    key_id: bytes
    signature: bytes

    def __post_init__(self) -> None:
        _check_key_name(self.name, MalformedNoteError)
        if len(self.key_id) != KEY_ID_SIZE or not self.signature:
            raise MalformedNoteError("short-signature", "a key id is 4 bytes, then a signature")

    def line(self) -> str:
        return f"{_SIGNATURE_PREFIX}{self.name} {_b64(self.key_id + self.signature)}\n"


@dataclass(frozen=True, slots=True)
class NoteSigner:
    """Signs note text with an Ed25519 key under a name (type 0x01)."""

    name: str
    private_key: Ed25519PrivateKey = field(repr=False)

    def __post_init__(self) -> None:
        _check_key_name(self.name, MalformedKeyError)

    def verifier_key(self) -> VerifierKey:
        return VerifierKey(self.name, SIG_ED25519, self.private_key.public_key().public_bytes_raw())

    def sign(self, text: str) -> Signature:
        signature = self.private_key.sign(text.encode("utf-8"))
        return Signature(self.name, self.verifier_key().key_id, signature)


@dataclass(frozen=True, slots=True)
class Cosigner:
    """A witness: cosigns checkpoints with an Ed25519 key (cosignature/v1, type 0x04)."""

    name: str
    private_key: Ed25519PrivateKey = field(repr=False)

    def __post_init__(self) -> None:
        _check_key_name(self.name, MalformedKeyError)

    def verifier_key(self) -> VerifierKey:
        public = self.private_key.public_key().public_bytes_raw()
        return VerifierKey(self.name, SIG_COSIGNATURE_V1, public)

    def cosign(self, checkpoint: Checkpoint, timestamp: int) -> Signature:
        """States that at `timestamp` (unix seconds) this is the largest tree seen for the log."""
        if type(timestamp) is not int or not 0 <= timestamp < MAX_TIMESTAMP:
            raise ValueError("a cosignature time is unix seconds in [0, 2**63)")
        signed = self.private_key.sign(_cosigned_message(checkpoint.text(), timestamp))
        payload = timestamp.to_bytes(_TIMESTAMP_SIZE, "big") + signed
        return Signature(self.name, self.verifier_key().key_id, payload)


def cosignature_timestamp(signature: Signature) -> int:
    """The time a cosignature line claims, unverified (a witness keeps its own times rising)."""
    if len(signature.signature) != _TIMESTAMP_SIZE + _ED25519_SIG_SIZE:
        raise MalformedNoteError("not-a-cosignature", "expected 8 + 64 bytes after the key id")
    return int.from_bytes(signature.signature[:_TIMESTAMP_SIZE], "big")


def _check_line(line: str, what: str) -> None:
    if any(ch < " " for ch in line):
        raise MalformedNoteError("control-character", f"{what} holds an ASCII control character")
    if len(line.encode("utf-8")) > MAX_LINE_BYTES:
        raise MalformedNoteError("line-too-long", f"{what} is over {MAX_LINE_BYTES} bytes")


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A log's tree head: origin, tree size, root hash, and any extension lines."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_line(self.origin, "the origin")
        if not self.origin:
            raise MalformedNoteError("empty-origin", "a checkpoint's first line names its log")
        if type(self.size) is not int or not 0 <= self.size < MAX_SIZE:
            raise MalformedNoteError("bad-tree-size", "the tree size is an int in [0, 2**64)")
        if len(self.root) != HASH_SIZE or (self.size == 0 and self.root != EMPTY_ROOT):
            raise MalformedNoteError(
                "bad-root-hash", "the root is 32 bytes, SHA-256('') for size 0"
            )
        for extension in self.extensions:
            _check_line(extension, "an extension line")
            if not extension:
                raise MalformedNoteError("empty-extension-line", "extension lines are non-empty")

    def text(self) -> str:
        """The note text: origin, size, base64 root and the extension lines, each ending in \\n."""
        lines = [self.origin, str(self.size), _b64(self.root), *self.extensions]
        return "".join(f"{line}\n" for line in lines)

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        """The checkpoint a note text holds, strictly; MalformedNoteError otherwise."""
        if not text.endswith("\n"):
            raise MalformedNoteError("no-final-newline", "a checkpoint ends in a newline")
        lines = text[:-1].split("\n")
        if len(lines) < _CHECKPOINT_LINES:
            raise MalformedNoteError(
                "short-checkpoint", "a checkpoint has origin, size and root lines"
            )
        origin, size, root, *extensions = lines
        if not _DECIMAL.fullmatch(size) or int(size) >= MAX_SIZE:
            raise MalformedNoteError("bad-tree-size", f"{size!r} is not a tree size in decimal")
        raw = _strict_base64(root)
        if raw is None or len(raw) != HASH_SIZE:
            raise MalformedNoteError("bad-root-hash", "the third line is not a base64 32-byte hash")
        return cls(origin, int(size), raw, tuple(extensions))


def _check_text(text: str) -> None:
    if not text.endswith("\n"):
        raise MalformedNoteError("no-final-newline", "the note text must end in a newline")
    for line in text[:-1].split("\n"):
        _check_line(line, "a line of the text")


@dataclass(frozen=True, slots=True)
class SignedNote:
    """A note text and its signature lines; `str()` gives the note as sent."""

    text: str
    signatures: tuple[Signature, ...]

    def __post_init__(self) -> None:
        _check_text(self.text)
        if not self.signatures:
            raise MalformedNoteError(
                "no-signature", "a signed note has at least one signature line"
            )
        if len(self.signatures) > MAX_SIGNATURES:
            raise MalformedNoteError("too-many-signatures", f"more than {MAX_SIGNATURES}")
        keys = {(s.name, s.key_id) for s in self.signatures}
        if len(keys) != len(self.signatures):
            raise MalformedNoteError("duplicate-signature", "a key signs a note once")
        for signature in self.signatures:
            _check_line(signature.line()[:-1], "a signature line")

    def __str__(self) -> str:
        return self.text + "\n" + "".join(s.line() for s in self.signatures)

    def checkpoint(self) -> Checkpoint:
        return Checkpoint.parse(self.text)


def sign_note(text: str, signer: NoteSigner) -> SignedNote:
    """A new note of `text` with one signature."""
    _check_text(text)
    return SignedNote(text, (signer.sign(text),))


def sign_checkpoint(checkpoint: Checkpoint, signer: NoteSigner) -> SignedNote:
    """The log's signed checkpoint: what leaves the database for witnesses and WORM storage."""
    return sign_note(checkpoint.text(), signer)


def add_signature(note: SignedNote, signer: NoteSigner) -> SignedNote:
    """The note with one more signature line (a key rotation signs with old and new keys)."""
    return SignedNote(note.text, (*note.signatures, signer.sign(note.text)))


def add_cosignature(note: SignedNote, cosigner: Cosigner, timestamp: int) -> SignedNote:
    """The checkpoint note with a witness's cosignature line added."""
    signature = cosigner.cosign(note.checkpoint(), timestamp)
    return SignedNote(note.text, (*note.signatures, signature))


def _parse_signature_line(line: str) -> Signature:
    if not line.startswith(_SIGNATURE_PREFIX):
        raise MalformedNoteError("bad-signature-line", "a signature line starts with '— '")
    name, space, encoded = line[len(_SIGNATURE_PREFIX) :].partition(" ")
    if not space:
        raise MalformedNoteError("bad-signature-line", "expected '— <key name> <base64>'")
    _check_key_name(name, MalformedNoteError)
    if " " in encoded:
        raise MalformedNoteError("bad-key-name", f"a key name holds no space: {line!r}")
    raw = _strict_base64(encoded)
    if raw is None:
        raise MalformedNoteError("bad-base64", f"the signature of {name} is not canonical base64")
    if len(raw) <= KEY_ID_SIZE:
        raise MalformedNoteError(
            "short-signature", f"the signature of {name} has no bytes after its id"
        )
    return Signature(name, raw[:KEY_ID_SIZE], raw[KEY_ID_SIZE:])


def _decode(data: str | bytes) -> str:
    try:
        raw = data.encode("utf-8") if isinstance(data, str) else data
        if len(raw) > MAX_NOTE_BYTES:
            raise MalformedNoteError("note-too-long", f"a note is at most {MAX_NOTE_BYTES} bytes")
        return raw.decode("utf-8")
    except UnicodeError as error:
        raise MalformedNoteError("not-utf-8", "a note is valid UTF-8") from error


def parse_note(data: str | bytes) -> SignedNote:
    """A signed note, parsed strictly (the module docstring lists what is refused)."""
    text = _decode(data)
    if not text.endswith("\n"):
        raise MalformedNoteError("no-final-newline", "a note ends in a newline")
    if any(ch < " " and ch != "\n" for ch in text):
        raise MalformedNoteError("control-character", "a note holds no control character but \\n")
    cut = text.rfind("\n\n")
    if cut < 0:
        raise MalformedNoteError("no-blank-line", "no blank line separates text and signatures")
    lines = text[cut + 2 : -1].split("\n") if cut + 2 < len(text) else []
    if not lines:
        raise MalformedNoteError("no-signature", "a signed note has at least one signature line")
    if len(lines) > MAX_SIGNATURES:
        raise MalformedNoteError("too-many-signatures", f"more than {MAX_SIGNATURES}")
    for line in lines:
        _check_line(line, "a signature line")
    return SignedNote(text[: cut + 1], tuple(_parse_signature_line(line) for line in lines))


@dataclass(frozen=True, slots=True)
class NoteVerdict:
    """Which given keys verified the note, which failed, and which lines had no given key."""

    verified: tuple[Verified, ...]
    failed: tuple[VerifierKey, ...]
    unknown: tuple[Signature, ...]

    @property
    def ok(self) -> bool:
        """At least one given key verified and none failed."""
        return bool(self.verified) and not self.failed

    @property
    def keys(self) -> tuple[VerifierKey, ...]:
        return tuple(v.key for v in self.verified)


def _key_index(keys: Iterable[VerifierKey]) -> dict[tuple[str, bytes], VerifierKey]:
    index: dict[tuple[str, bytes], VerifierKey] = {}
    for key in keys:
        known = index.setdefault((key.name, key.key_id), key)
        if known != key:
            # Two keys that one signature line could name: which one is meant is unknowable.
            raise ValueError(f"ambiguous verifier keys {key.name}+{key.key_id.hex()}")
    return index


def verify_note(note: SignedNote, keys: Iterable[VerifierKey]) -> NoteVerdict:
    """Checks each signature line whose key name and id match a given key; ignores the rest.

    Raises ValueError only if two different given keys share a name and id.
    """
    index = _key_index(keys)
    verified: list[Verified] = []
    failed: list[VerifierKey] = []
    unknown: list[Signature] = []
    for signature in note.signatures:
        key = index.get((signature.name, signature.key_id))
        if key is None:
            unknown.append(signature)
            continue
        outcome = key.verify(note.text, signature.signature)
        if outcome is None:
            failed.append(key)
        else:
            verified.append(outcome)
    return NoteVerdict(tuple(verified), tuple(failed), tuple(unknown))


def open_checkpoint(
    data: str | bytes, keys: Iterable[VerifierKey]
) -> tuple[Checkpoint, NoteVerdict]:
    """A checkpoint note parsed and verified; MalformedNoteError or NoteRejectedError if not."""
    note = parse_note(data)
    checkpoint = note.checkpoint()
    verdict = verify_note(note, keys)
    if verdict.failed:
        names = ", ".join(f"{k.name}+{k.key_id.hex()}" for k in verdict.failed)
        raise NoteRejectedError("bad-signature", f"the signature of {names} does not verify")
    if not verdict.verified:
        raise NoteRejectedError("no-verified-signature", "no signature from a given key")
    return checkpoint, verdict
