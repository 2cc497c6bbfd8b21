"""Private key files for the log's signer and a witness's cosigner.

One key per line, in the shape of Go's `note` signer keys:
`PRIVATE+KEY+<name>+<8 hex digits of the key id>+<base64(type || 32-byte Ed25519 seed)>`,
type 0x01 for a key that signs checkpoints, 0x04 for a witness's cosignature key. The key id
is the public key's (see `note.key_id`), so a file can be checked against the verifier key
it was registered with. A log's key file may hold several lines: every key in it signs, so
rotating adds a signature line and verifiers that know only the old key keep verifying.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Sequence
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from events.integrity.note import (
    SIG_COSIGNATURE_V1,
    SIG_ED25519,
    Cosigner,
    MalformedKeyError,
    NoteSigner,
    key_id,
)

PREFIX = "PRIVATE+KEY+"
SEED_BYTES = 32


def private_key_line(name: str, signature_type: int, private_key: Ed25519PrivateKey) -> str:
    seed = private_key.private_bytes_raw()
    public = private_key.public_key().public_bytes_raw()
    material = base64.b64encode(bytes([signature_type]) + seed).decode()
    return f"{PREFIX}{name}+{key_id(name, signature_type, public).hex()}+{material}"


def new_key_line(name: str, signature_type: int) -> str:
    """A fresh random key of `signature_type` under `name`, as a key file line."""
    line = private_key_line(name, signature_type, Ed25519PrivateKey.generate())
    parse_key_line(line)  # the name is checked as a note key name
    return line


def parse_key_line(line: str) -> tuple[str, int, Ed25519PrivateKey]:
    """(name, signature type, private key) of one key file line; MalformedKeyError if not one."""
    if not line.startswith(PREFIX):
        raise MalformedKeyError("bad-private-key", f"a key line starts with {PREFIX}")
    # A key name holds no "+" (note.py refuses it); the base64 after the id may.
    name, _, rest = line[len(PREFIX) :].partition("+")
    hex_id, _, rest = rest.partition("+")
    try:
        raw = base64.b64decode(rest, validate=True)
    except (binascii.Error, ValueError):
        raise MalformedKeyError("bad-private-key", "the key is not base64") from None
    if len(raw) != 1 + SEED_BYTES or raw[0] not in {SIG_ED25519, SIG_COSIGNATURE_V1}:
        raise MalformedKeyError("bad-private-key", "expected a type byte and a 32-byte seed")
    private = Ed25519PrivateKey.from_private_bytes(raw[1:])
    public = private.public_key().public_bytes_raw()
    if not name or key_id(name, raw[0], public).hex() != hex_id:
        raise MalformedKeyError("key-id-mismatch", "the key id does not match the key")
    # Building the signer checks the name as the notes will.
    (NoteSigner if raw[0] == SIG_ED25519 else Cosigner)(name, private)
    return name, raw[0], private


def read_key_lines(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text(encoding="ascii").splitlines() if line.strip()]


def note_signers(lines: Sequence[str]) -> list[NoteSigner]:
    """The log's signers from its key file; MalformedKeyError for a cosigner's key."""
    signers = []
    for line in lines:
        name, signature_type, private = parse_key_line(line)
        if signature_type != SIG_ED25519:
            raise MalformedKeyError("not-a-log-key", f"{name} is a witness's cosigning key")
        signers.append(NoteSigner(name, private))
    if not signers:
        raise MalformedKeyError("no-key", "the key file holds no key")
    return signers


def cosigner(lines: Sequence[str]) -> Cosigner:
    """A witness's cosigner from its key file (one cosigning key)."""
    if len(lines) != 1:
        raise MalformedKeyError("one-key", "a witness key file holds exactly one key")
    name, signature_type, private = parse_key_line(lines[0])
    if signature_type != SIG_COSIGNATURE_V1:
        raise MalformedKeyError("not-a-witness-key", f"{name} is a log signing key")
    return Cosigner(name, private)


def write_new_key_file(path: Path, lines: Sequence[str]) -> None:
    """Write a key file readable by its owner only; refuses to overwrite one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as key_file:
        key_file.write("".join(f"{line}\n" for line in lines))
