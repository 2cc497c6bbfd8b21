"""Data keys of referrals, kept apart from the events and wrapped by the master key.

Each referral has one data key per key group (subject, third parties, referrer). A key is
stored only wrapped (AES-256-GCM under the master key, bound to its key id), in a key store
that is a different database from the event store, so event-store backups hold ciphertext
only. Destroying a key later erases its group's personal data everywhere at once.

The key store and the event store recognise each other by a ledger identity written in both
when they are first used together (`KeyRing.pair`). A key store that is not the event
store's, or that lacks a key the stored events were sealed under, is refused: the key ring
never makes a new key for a group a case already sealed data under, so a wrong or restored
store can be put right without losing what was recorded meanwhile.
"""

from __future__ import annotations

import hashlib
import math
import os
import time
from collections.abc import Callable, Collection, Iterable, Mapping
from datetime import datetime
from typing import NamedTuple, Protocol
from uuid import UUID, uuid4

import structlog
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from eventsourcing.application import LRUCache
from eventsourcing.persistence import Notification
from pydantic_core import from_json

from commands.errors import DataKeyMissingError, KeyStoreMismatchError
from commands.keystores import KeyStore, WrappedKey
from events.integrity.sealed_fields import SEALED
from events.personal import KeyGroup
from events.storage import DataKey

log = structlog.get_logger("vtr.keyring")

MASTER_KEY_BYTES = 32
NONCE_BYTES = 12
CACHE_SIZE = 10_000
# How long a check that the key store is still this ledger's holds before it is made again:
# readiness and every use of a key rely on it, so it must cost next to nothing.
PAIRING_RECHECK_SECONDS = 5.0


class KeyRingError(Exception):
    """The key ring cannot serve a key; the message names keys, never data."""


class EventStore(Protocol):
    """What the key ring needs of the event store: its ledger identity, and the stored events
    of an owner (the key ids their sealed fields name)."""

    def read_ledger_id(self) -> UUID | None: ...

    def write_ledger_id(self, ledger_id: UUID) -> UUID: ...

    def holds_sealed_events(self) -> bool: ...

    def select_history(
        self, originator_id: UUID, gt: int = 0, lte: int | None = None
    ) -> list[Notification]: ...


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
        self._events: EventStore | None = None
        self.ledger_id: UUID | None = None
        self.recheck_seconds = PAIRING_RECHECK_SECONDS
        self._checked_at = -math.inf
        self._mismatch: str | None = None

    def pair(self, events: EventStore) -> UUID:
        """Check that the key store belongs to the ledger of `events`, and hold on to both;
        returns the ledger's identity. New stores are given one identity; a key store made
        before identities existed takes the event store's. Raises `KeyStoreMismatchError`."""
        ledger_id = _reconcile(events, self._store, self._mismatch_error)
        self._events, self.ledger_id = events, ledger_id
        self._checked_at, self._mismatch = time.monotonic(), None
        return ledger_id

    def check_pairing(self, *, now: bool = False) -> None:
        """Raise `KeyStoreMismatchError` if the key store is no longer the one the ring was
        paired with (swapped or restored underneath a running service). The answer is kept
        for `recheck_seconds` unless `now`; a ring never paired checks nothing."""
        if self.ledger_id is None:
            return
        if now or time.monotonic() - self._checked_at >= self.recheck_seconds:
            self._mismatch = self._pairing_problem(self.ledger_id)
            self._checked_at = time.monotonic()
            if self._mismatch is not None:
                # Keys cached from the right store are not served while the wrong one is in
                # place, and come back from the store when it is right again.
                self._forget_all()
                log.error(
                    "key_store_mismatch", problem=self._mismatch_error(self._mismatch).for_operators
                )
        if self._mismatch is not None:
            raise self._mismatch_error(self._mismatch)

    def _pairing_problem(self, ledger_id: UUID) -> str | None:
        found = self._store.read_ledger_id()
        if found == ledger_id:
            return None
        if found is None:
            return f"it has no ledger identity; this service runs ledger {ledger_id}"
        return f"it is ledger {found}'s; this service runs ledger {ledger_id}"

    def _mismatch_error(self, reason: str) -> KeyStoreMismatchError:
        return KeyStoreMismatchError(
            reason, location=self._store.location, setting=self._store.setting
        )

    def _missing_key_error(
        self, owner_id: UUID | None, key_ids: Iterable[str]
    ) -> DataKeyMissingError:
        error = DataKeyMissingError(
            owner_id, sorted(key_ids), location=self._store.location, setting=self._store.setting
        )
        log.error("data_key_missing", problem=error.for_operators)
        return error

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
        self.check_pairing()
        keys = {group: key for group in groups if (key := self._cached(owner_id, group))}
        missing = [group for group in groups if group not in keys]
        if missing:
            keys.update(self._load_or_create(owner_id, missing))
        return keys

    def key_for_opening(self, key_id: str) -> DataKey | None:
        self.check_pairing()
        try:
            return self._by_id.get(key_id)
        except KeyError:
            pass
        wrapped = self._store.select_key(key_id)
        if wrapped is None:
            # A destroyed key is still there, as a tombstone: absent means missing.
            self.check_pairing(now=True)
            raise self._missing_key_error(None, [key_id])
        if wrapped.wrapped_key is None:
            return None
        key = self._unwrap(wrapped)
        self._by_id.put(key_id, key)
        return key

    def live_key_ids(self, owner_id: UUID) -> dict[KeyGroup, str]:
        """The ids of the owner's keys that still exist, by group. Refused when the store
        lacks a key the owner's events used: an erasure must name every key it destroys."""
        self.check_pairing()
        stored = self._store.select_owner_keys(owner_id)
        self._refuse_missing_keys(owner_id, stored)
        return {key.key_group: key.key_id for key in stored if key.wrapped_key is not None}

    def stored_keys(self, owner_id: UUID) -> list[WrappedKey]:
        """The owner's keys as the store holds them (destroyed ones with no key)."""
        return self._store.select_owner_keys(owner_id)

    def destroy(self, key_ids: Collection[str], *, at: datetime) -> None:
        """Destroy the keys for good; every field sealed under them is erased. `at` is the
        business time the store records as the keys' destruction."""
        if key_ids:
            self._store.destroy_keys(sorted(key_ids), destroyed_at=at)
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
            # A group is new only if the owner never sealed under it: a key its events used
            # and the store lacks means the wrong store, never a reason to make another key.
            self.check_pairing(now=True)
            self._refuse_missing_keys(owner_id, stored.values())
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

    def _refuse_missing_keys(self, owner_id: UUID, stored: Iterable[WrappedKey]) -> None:
        if self._events is None:
            return
        used = _key_ids_sealed_under(self._events.select_history(owner_id))
        missing = used - {key.key_id for key in stored}
        if missing:
            # Read again: a key another writer made after `stored` was read is there by now,
            # because its events were committed after it.
            missing -= {key.key_id for key in self._store.select_owner_keys(owner_id)}
        if missing:
            raise self._missing_key_error(owner_id, missing)

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


def _key_ids_sealed_under(stored: Iterable[Notification]) -> set[str]:
    """The ids of the keys the sealed fields of these stored events name."""
    mark = f'"{SEALED}"'.encode()
    used = set()
    for event in stored:
        if mark in event.state:
            for value in from_json(event.state).values():
                if isinstance(value, dict) and SEALED in value:
                    used.add(str(value[SEALED]))
    return used


def _reconcile(
    events: EventStore, keys: KeyStore, mismatch: Callable[[str], KeyStoreMismatchError]
) -> UUID:
    """The ledger identity both stores hold, written where it is missing and may be written.

    The key store is read first: the event store is always written first, so a key store
    with an identity means an event store with one, even while another process starts."""
    key_store_id = keys.read_ledger_id()
    event_store_id = events.read_ledger_id()
    if key_store_id is not None:
        if event_store_id is None:
            raise mismatch(f"it is ledger {key_store_id}'s; the event store has no identity")
        if key_store_id != event_store_id:
            raise mismatch(
                f"it is ledger {key_store_id}'s; the event store is ledger {event_store_id}'s"
            )
        return key_store_id
    if not keys.holds_keys() and events.holds_sealed_events():
        whose = "" if event_store_id is None else f" (ledger {event_store_id})"
        raise mismatch(f"it holds no keys, but the event store{whose} holds sealed data")
    # A new ledger, or stores made before identities existed: the key store's keys (if any)
    # are taken as the event store's; a key the events need and it lacks is refused on use.
    ledger_id = events.write_ledger_id(event_store_id or uuid4())
    written = keys.write_ledger_id(ledger_id)
    if written != ledger_id:
        raise mismatch(f"it is ledger {written}'s; the event store is ledger {ledger_id}'s")
    log.info(
        "ledger_identity_written",
        ledger_id=str(ledger_id),
        from_event_store=event_store_id is not None,
        key_store=keys.location,
    )
    return ledger_id


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
