"""How a personal-data field is sealed in a stored event, as anyone holding its key opens it.

A sealed field is stored as `{"$sealed": <key id>, "ct": base64(nonce || ciphertext)}`:
AES-256-GCM under its referral's data key of one key group, with associated data binding
the ciphertext to its slot (referral, version, field name, key id), so a value cannot be
moved to another event or field. The event store and a dispute pack's verifier both open
fields with this module, so what a pack reveals is checked the way the store opens it.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

SEALED = "$sealed"
NONCE_BYTES = 12


class SealedFieldError(ValueError):
    """A sealed field that is malformed or does not open under the key given."""


def binding(originator_id: UUID | str, version: int, field: str, key_id: str) -> bytes:
    """The associated data of a sealed field: where it belongs, and under which key."""
    return f"{originator_id}|{version}|{field}|{key_id}".encode()


def sealed_key_id(value: object) -> str | None:
    """The key id a stored field value is sealed under, or None for a value in clear."""
    if isinstance(value, Mapping) and SEALED in value:
        return str(value[SEALED])
    return None


def open_sealed(
    key: bytes | AESGCM,
    originator_id: UUID | str,
    version: int,
    field: str,
    sealed: Mapping[str, str],
) -> Any:
    """The field's value, opened with `key` (raw, or its cipher made once for many fields)
    and checked against its slot."""
    try:
        raw = binascii.a2b_base64(sealed["ct"])
    except (KeyError, TypeError, binascii.Error):
        raise SealedFieldError("the sealed value has no base64 ciphertext") from None
    aad = binding(originator_id, version, field, sealed[SEALED])
    try:
        cipher = key if isinstance(key, AESGCM) else AESGCM(key)
        plain = cipher.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], aad)
    except (InvalidTag, ValueError):
        raise SealedFieldError("the value does not open under that key in this slot") from None
    return json.loads(plain)


def key_text(key: bytes) -> str:
    return base64.b64encode(key).decode()
