"""The stored form of events: JSON, with every personal-data field sealed on its own.

A sealed field is stored as `{"$sealed": <key id>, "ct": base64(nonce || ciphertext)}`,
AES-256-GCM under the data key of its referral and key group. The associated data binds
the ciphertext to its slot (referral, version, field name, key id), so a sealed value
cannot be moved to another event or field. Everything else (topic, versions, codes,
dates, who acted) stays in clear: that is the audit envelope, readable forever.

Reading conceals by default: sealed fields come back as `Withheld("sealed")` and no key is
touched. Only `to_revealed_event` opens them, and a destroyed key reads as
`Withheld("erased")`.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from typing import Any, NamedTuple, Protocol
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import ApplicationRecorder, JSONTranscoder, Mapper, StoredEvent
from pydantic import ValidationError
from pydantic_core import from_json, to_json

from events.base import DomainEvent
from events.integrity.sealed_fields import NONCE_BYTES, SEALED, binding
from events.personal import KeyGroup, personal_fields
from events.registry import event_class_for


class DataKey(NamedTuple):
    key_id: str
    cipher: AESGCM


class DataKeys(Protocol):
    """Where the mapper gets data keys; the key store itself lives outside the event store."""

    def keys_for_sealing(
        self, owner_id: UUID, groups: Collection[KeyGroup]
    ) -> Mapping[KeyGroup, DataKey]: ...

    def key_for_opening(self, key_id: str) -> DataKey | None:
        """The key, or None when it was destroyed (its data is erased)."""
        ...


class EventStorageError(Exception):
    """A stored event cannot be written or read; the message names the event, never its content."""


class EventMapper(Mapper[UUID]):
    def __init__(self, keys: DataKeys | None, *, sealing: bool = True) -> None:
        """`sealing=False` stores personal data in clear: only for measuring what sealing
        costs (the benchmark); nothing in the service turns it off."""
        super().__init__(transcoder=JSONTranscoder())
        self._keys = keys
        self._sealing = sealing

    def to_stored_event(self, domain_event: DomainEventProtocol[UUID]) -> StoredEvent:
        if not isinstance(domain_event, DomainEvent):
            raise EventStorageError(f"{type(domain_event).__name__} is not a DomainEvent")
        state = domain_event.model_dump(
            mode="json", exclude={"originator_id", "originator_version"}
        )
        if self._sealing:
            self._seal_personal_fields(domain_event, state)
        if domain_event.class_version > 1:
            state["class_version"] = domain_event.class_version
        return StoredEvent(
            originator_id=domain_event.originator_id,
            originator_version=domain_event.originator_version,
            topic=domain_event.TOPIC,
            state=to_json(state),
        )

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEvent:
        """The event with its personal data still sealed (no key is used)."""
        return self._decode(stored_event, _conceal)

    def to_revealed_event(self, stored_event: StoredEvent) -> DomainEvent:
        """The event with its personal data opened; erased fields read as withheld."""
        return self._decode(stored_event, self._opener(stored_event))

    def _seal_personal_fields(self, event: DomainEvent, state: dict[str, Any]) -> None:
        plan = {
            name: group
            for name, group in personal_fields(type(event)).items()
            if state[name] is not None
        }
        if not plan:
            return
        if self._keys is None:
            raise EventStorageError("this event store was opened without a key ring")
        keys = self._keys.keys_for_sealing(event.originator_id, set(plan.values()))
        for name, group in plan.items():
            if isinstance(state[name], dict) and "withheld" in state[name]:
                raise EventStorageError(f"{event.TOPIC}.{name} holds withheld data; cannot re-seal")
            key = keys[group]
            aad = _associated_data(event.originator_id, event.originator_version, name, key.key_id)
            nonce = os.urandom(NONCE_BYTES)
            ciphertext = key.cipher.encrypt(nonce, to_json(state[name]), aad)
            state[name] = {SEALED: key.key_id, "ct": base64.b64encode(nonce + ciphertext).decode()}

    def _opener(self, stored: StoredEvent) -> FieldOpener:
        """Opens the sealed fields of one event: its key looked up once, its binding built once."""
        keys = self._keys
        if keys is None:
            raise EventStorageError("revealing personal data needs the key ring")
        slot = _associated_data(stored.originator_id, stored.originator_version, "", "")[:-2]
        found: dict[str, DataKey | None] = {}

        def open_field(name: str, sealed: Mapping[str, str]) -> Any:
            key_id = sealed[SEALED]
            if key_id not in found:
                found[key_id] = keys.key_for_opening(key_id)
            key = found[key_id]
            if key is None:
                return {"withheld": "erased", "key_id": key_id}
            raw = binascii.a2b_base64(sealed["ct"])
            aad = b"%s|%s|%s" % (slot, name.encode(), key_id.encode())
            try:
                return from_json(key.cipher.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], aad))
            except InvalidTag:
                raise EventStorageError(
                    f"sealed field {name!r} of {_describe(stored)} fails its integrity check"
                ) from None

        return open_field

    def _decode(self, stored: StoredEvent, open_field: FieldOpener) -> DomainEvent:
        event_class = event_class_for(stored.topic)
        state: dict[str, Any] = from_json(stored.state)
        from_version = state.pop("class_version", 1)
        if from_version > event_class.class_version:
            raise EventStorageError(
                f"{_describe(stored)} is version {from_version}, newer than this code"
            )
        for name, value in state.items():
            if isinstance(value, dict) and SEALED in value:
                state[name] = open_field(name, value)
        event_class.upcast(state, from_version)
        state["originator_id"] = stored.originator_id
        state["originator_version"] = stored.originator_version
        try:
            return event_class.model_validate(state)
        except ValidationError as error:
            raise EventStorageError(
                f"{_describe(stored)} does not match its class: {error}"
            ) from None


FieldOpener = Callable[[str, Mapping[str, str]], Any]


def _conceal(_name: str, sealed: Mapping[str, str]) -> dict[str, str]:
    return {"withheld": "sealed", "key_id": sealed[SEALED]}


_associated_data = binding


def _describe(stored: StoredEvent) -> str:
    return f"event {stored.topic} of {stored.originator_id} v{stored.originator_version}"


def logged_events(
    recorder: ApplicationRecorder,
    topics: Sequence[str] = (),
    page_size: int = 500,
    mapper: EventMapper | None = None,
) -> Iterator[tuple[int, DomainEvent]]:
    """The whole log (or the events of `topics`) in order, with positions, personal data
    left sealed (by `mapper`: a key-less `EventMapper` unless given); read a page at a time."""
    mapper = mapper or EventMapper(keys=None)
    after = 0
    while True:
        page = recorder.select_notifications(
            start=after, limit=page_size, topics=topics, inclusive_of_start=False
        )
        for notification in page:
            yield notification.id, mapper.to_domain_event(notification)
        if len(page) < page_size:
            return
        after = page[-1].id
