"""How an event declares which of its fields are personal data.

A personal-data field is stored sealed (AES-256-GCM) under a data key that belongs to one
referral and one key group, so a group can later be erased by destroying its key alone:
the relatives named in a referral without the subject, or the reverse.

One group is never erased: the controller's own reasoning (why a case is held, reviewed or
erased). It may still mention people, so it is sealed like the rest, but under a key of its
own that no erasure can name, so the justification of an erasure outlives what it erased.

In memory such a field holds either its plain value (only just after the process captured
it, or when a reader asked to reveal it) or a `Withheld` marker (still sealed, or erased).
Personal fields are left out of `repr()`, so they cannot reach a traceback or a log line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field


class KeyGroup(StrEnum):
    """Whose personal data a field holds; each group of a referral has its own data key."""

    SUBJECT = "subject"
    THIRD_PARTY = "third_party"
    REFERRER = "referrer"
    CONTROLLER = "controller"


# The groups an erasure can name, in the order it names them; the controller's is not one.
ERASABLE_GROUPS = (KeyGroup.SUBJECT, KeyGroup.THIRD_PARTY, KeyGroup.REFERRER)
CONTROLLER_NOT_ERASABLE = (
    "The controller's reasoning is kept through erasure; name subject, third_party or referrer."
)


@dataclass(frozen=True, slots=True)
class PersonalData:
    """Field marker: this field is personal data of `group`, stored sealed."""

    group: KeyGroup


class Withheld(BaseModel):
    """A personal-data value that is not in memory: still `sealed`, or `erased` for good."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    withheld: Literal["sealed", "erased"]
    key_id: str


T = TypeVar("T")

SubjectData = Annotated[T | Withheld, PersonalData(KeyGroup.SUBJECT), Field(repr=False)]
ThirdPartyData = Annotated[T | Withheld, PersonalData(KeyGroup.THIRD_PARTY), Field(repr=False)]
ReferrerData = Annotated[T | Withheld, PersonalData(KeyGroup.REFERRER), Field(repr=False)]
ControllerData = Annotated[T | Withheld, PersonalData(KeyGroup.CONTROLLER), Field(repr=False)]


def reasoning_moved_to_the_controllers_key(state: dict[str, Any]) -> None:
    """Upcaster (v1 → v2) of an event whose free-text reasoning version 1 sealed under the
    subject's key. The stored value is the same; only the key changed. Records whose subject
    key still existed were re-sealed under the controller's key at startup
    (`reseal_controller_reasoning`); where it was destroyed first, the reason reads erased."""
    del state


def personal_data_group(metadata: list[object]) -> KeyGroup | None:
    """The key group a field's metadata declares, or None for a field in clear."""
    for marker in metadata:
        if isinstance(marker, PersonalData):
            return marker.group
    return None


@cache
def personal_fields(model: type[BaseModel]) -> Mapping[str, KeyGroup]:
    """The personal-data fields of an event class and the key group of each."""
    fields = {}
    for name, field in model.model_fields.items():
        group = personal_data_group(field.metadata)
        if group is not None:
            fields[name] = group
    return fields


def groups_carried(event: BaseModel) -> set[KeyGroup]:
    """The key groups whose personal data this event holds a value for."""
    return {
        group
        for name, group in personal_fields(type(event)).items()
        if getattr(event, name) is not None
    }
