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
from typing import NamedTuple
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

    def live_key_ids(self, owner_id: UUID) -> dict[KeyGroup, str]:
        """The ids of the owner's keys that still exist, by group."""
        return {
            key.key_group: key.key_id
            for key in self._store.select_owner_keys(owner_id)
            if key.wrapped_key is not None
        }

    def destroy(self, key_ids: Collection[str]) -> None:
        """Destroy the keys for good; every field sealed under them is erased."""
        if key_ids:
            self._store.destroy_keys(sorted(key_ids))
        self._forget_all()

    def forget_destroyed(self, owner_id: UUID) -> None:
        """Drop cached keys of the owner that another process may have destroyed since."""
        destroyed = [k for k in self._store.select_owner_keys(owner_id) if k.wrapped_key is None]
        if any(self._is_cached(key.key_id) for key in destroyed):
            self._forget_all()

    def _is_cached(self, key_id: str) -> bool:
        try:
            self._by_id.get(key_id)
        except KeyError:
            return False
        return True

    def _forget_all(self) -> None:
        # New caches, not clear(): the library's LRUCache.clear() keeps its lookup dict.
        self._by_id = LRUCache(CACHE_SIZE)
        self._by_owner = LRUCache(CACHE_SIZE)

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
        blank = WrappedKey(str(uuid4()), owner_id, group, None, self.fingerprint)
        return self.wrap_raw(blank, AESGCM.generate_key(bit_length=256))

    def wrap_raw(self, key: WrappedKey, raw: bytes) -> WrappedKey:
        """`key` with `raw` wrapped under this ring's master key."""
        nonce = os.urandom(NONCE_BYTES)
        wrapped = nonce + self._wrapper.encrypt(nonce, raw, _binding(key.key_id))
        return key._replace(wrapped_key=wrapped, master_key_fingerprint=self.fingerprint)

    def unwrap_raw(self, wrapped: WrappedKey) -> bytes:
        assert wrapped.wrapped_key is not None  # noqa: S101 (callers check for destroyed keys)
        blob = wrapped.wrapped_key
        try:
            return self._wrapper.decrypt(
                blob[:NONCE_BYTES], blob[NONCE_BYTES:], _binding(wrapped.key_id)
            )
        except InvalidTag:
            raise KeyRingError(
                f"data key {wrapped.key_id} does not open with the configured master key"
            ) from None

    def _unwrap(self, wrapped: WrappedKey) -> DataKey:
        return DataKey(wrapped.key_id, AESGCM(self.unwrap_raw(wrapped)))


def _binding(key_id: str) -> bytes:
    return f"vtr-ledger data key {key_id}".encode()


class RotationReport(NamedTuple):
    rewrapped: int
    destroyed: int
    already_rotated: int
    fingerprint: str


def rotate_master_key(store: KeyStore, current: bytes, new: bytes) -> RotationReport:
    """Re-wrap every data key under `new`, in one transaction; events are not touched.

    Keys already wrapped under `new` are left as they are, so an interrupted rotation can be
    run again. Destroyed keys only take the new fingerprint: there is nothing to re-wrap.
    """
    if current == new:
        raise KeyRingError("the new master key is the same as the current one")
    old_ring, new_ring = KeyRing(store, current), KeyRing(store, new)
    keys = store.select_all_keys()
    foreign = {k.master_key_fingerprint for k in keys} - {
        old_ring.fingerprint,
        new_ring.fingerprint,
    }
    if foreign:
        raise KeyRingError(
            "the current master key is not the one that wrapped the stored data keys "
            f"(stored under {sorted(foreign)}, current {old_ring.fingerprint})"
        )
    rewrapped: list[WrappedKey] = []
    counts = {"rewrapped": 0, "destroyed": 0, "already": 0}
    for key in keys:
        if key.master_key_fingerprint == new_ring.fingerprint:
            counts["already"] += 1
            continue
        if key.wrapped_key is None:
            counts["destroyed"] += 1
            rewrapped.append(key._replace(master_key_fingerprint=new_ring.fingerprint))
            continue
        raw = old_ring.unwrap_raw(key)
        rewrapped.append(new_ring.wrap_raw(key, raw))
        counts["rewrapped"] += 1
    store.rewrap_keys(rewrapped)
    return RotationReport(
        counts["rewrapped"], counts["destroyed"], counts["already"], new_ring.fingerprint
    )
