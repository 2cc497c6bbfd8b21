"""Data keys of referrals, kept apart from the events and wrapped by the master key.

Each referral has one data key per key group (subject, third parties, referrer). A key is
stored only wrapped (AES-256-GCM under the master key, bound to its key id), in a key store
that is a different database from the event store, so event-store backups hold ciphertext
only. Destroying a key later erases its group's personal data everywhere at once.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Collection, Mapping
from uuid import UUID, uuid4

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from eventsourcing.application import LRUCache

from commands.keystores import KeyStore, WrappedKey
from events.personal import KeyGroup
from events.storage import DataKey

MASTER_KEY_BYTES = 32
NONCE_BYTES = 12
CACHE_SIZE = 10_000


class KeyRingError(Exception):
    """The key ring cannot serve a key; the message names keys, never data."""


def master_key_fingerprint(master_key: bytes) -> str:
    return hashlib.sha256(b"vtr-ledger master key\x00" + master_key).hexdigest()[:16]


class KeyRing:
    def __init__(self, store: KeyStore, master_key: bytes) -> None:
        if len(master_key) != MASTER_KEY_BYTES:
            raise KeyRingError(f"the master key must be {MASTER_KEY_BYTES} bytes")
        self._store = store
        self._master_key = master_key
        self._wrapper = AESGCM(master_key)
        self.fingerprint = master_key_fingerprint(master_key)
        self._by_id: LRUCache[str, DataKey] = LRUCache(CACHE_SIZE)
        self._by_owner: LRUCache[tuple[UUID, KeyGroup], DataKey] = LRUCache(CACHE_SIZE)

    def check_master_key(self) -> None:
        """Refuse to run with a master key other than the one that wrapped the stored keys."""
        other = self._store.foreign_fingerprint(self.fingerprint)
        if other is not None:
            raise KeyRingError(
                "the configured master key is not the one that wrapped the stored data keys "
                f"(stored under {other}, configured {self.fingerprint})"
            )

    def derived_secret(self, purpose: str) -> bytes:
        """A secret for `purpose`, derived from the master key and independent of it."""
        hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode())
        return hkdf.derive(self._master_key)

    def keys_for_sealing(
        self, owner_id: UUID, groups: Collection[KeyGroup]
    ) -> Mapping[KeyGroup, DataKey]:
        keys = {group: key for group in groups if (key := self._cached(owner_id, group))}
        missing = [group for group in groups if group not in keys]
        if missing:
            keys.update(self._load_or_create(owner_id, missing))
        return keys

    def key_for_opening(self, key_id: str) -> DataKey | None:
        try:
            return self._by_id.get(key_id)
        except KeyError:
            pass
        wrapped = self._store.select_key(key_id)
        if wrapped is None:
            raise KeyRingError(f"data key {key_id} is not in the key store")
        if wrapped.wrapped_key is None:
            return None
        key = self._unwrap(wrapped)
        self._by_id.put(key_id, key)
        return key

    def _cached(self, owner_id: UUID, group: KeyGroup) -> DataKey | None:
        try:
            return self._by_owner.get((owner_id, group))
        except KeyError:
            return None

    def _load_or_create(
        self, owner_id: UUID, groups: Collection[KeyGroup]
    ) -> dict[KeyGroup, DataKey]:
        stored = {key.key_group: key for key in self._store.select_owner_keys(owner_id)}
        new = [self._wrap_new(owner_id, group) for group in groups if group not in stored]
        if new:
            # Another writer may create the same group's key at the same moment; the store
            # keeps the first and we read back whichever won.
            self._store.insert_keys(new)
            stored = {key.key_group: key for key in self._store.select_owner_keys(owner_id)}
        keys = {}
        for group in groups:
            wrapped = stored[group]
            if wrapped.wrapped_key is None:
                raise KeyRingError(f"the {group} key of {owner_id} was destroyed; cannot seal")
            keys[group] = self._unwrap(wrapped)
            self._by_owner.put((owner_id, group), keys[group])
        return keys

    def _wrap_new(self, owner_id: UUID, group: KeyGroup) -> WrappedKey:
        key_id = str(uuid4())
        nonce = os.urandom(NONCE_BYTES)
        data_key = AESGCM.generate_key(bit_length=256)
        wrapped = nonce + self._wrapper.encrypt(nonce, data_key, _binding(key_id))
        return WrappedKey(key_id, owner_id, group, wrapped, self.fingerprint)

    def _unwrap(self, wrapped: WrappedKey) -> DataKey:
        assert wrapped.wrapped_key is not None  # noqa: S101 (callers check for destroyed keys)
        blob = wrapped.wrapped_key
        try:
            raw = self._wrapper.decrypt(
                blob[:NONCE_BYTES], blob[NONCE_BYTES:], _binding(wrapped.key_id)
            )
        except InvalidTag:
            raise KeyRingError(
                f"data key {wrapped.key_id} does not open with the configured master key"
            ) from None
        return DataKey(wrapped.key_id, AESGCM(raw))


def _binding(key_id: str) -> bytes:
    return f"vtr-ledger data key {key_id}".encode()
