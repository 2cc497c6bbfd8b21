"""A case's history as a timeline in words: each event's step, who took it (in which role,
for which agency), when it was recorded and when it took effect, and its fields, with sealed
and erased personal data said as such."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from events.base import UK_TIME, DomainEvent
from events.registry import ALL_EVENTS

_CLASSES: dict[str, type[DomainEvent]] = {cls.__name__: cls for cls in ALL_EVENTS}
MOMENT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)")
SEALED = "sealed"
ERASED = "erased"
# Fields that name an agency as {agency_id, name, agency_type}: shown by name.
_LEGAL_BASIS_FIELDS = ("legal_bases", "legal_basis_ids")


@dataclass(frozen=True)
class Field:
    label: str
    value: str
    withheld: str | None = None  # "sealed" or "erased"


@dataclass(frozen=True)
class TimelineEntry:
    position: int
    event: str
    step: str
    explanation: str
    actor_id: str
    role: str
    agency: str
    recorded_at: str
    effective: str | None
    legal_bases: tuple[str, ...]
    fields: tuple[Field, ...]
    sealed_fields: int
    erased_fields: int


def timeline_entries(events: list[dict[str, Any]]) -> list[TimelineEntry]:
    return [_entry(event) for event in events]


def _entry(event: dict[str, Any]) -> TimelineEntry:
    name = str(event["event"])
    cls = _CLASSES.get(name)
    data: dict[str, Any] = event.get("data") or {}
    effective_field = cls.EFFECTIVE if cls is not None else None
    fields = tuple(
        _field(label, value)
        for label, value in data.items()
        if label not in _LEGAL_BASIS_FIELDS and value not in (None, [], {})
    )
    return TimelineEntry(
        position=int(event["position"]),
        event=name,
        step=_sentence(name),
        explanation=_explanation(cls),
        actor_id=str(event["actor_id"]),
        role=str(event["actor_role"]).replace("_", " "),
        agency=str(event["actor_agency"]),
        recorded_at=str(event["occurred_at"]),
        effective=str(data[effective_field]) if effective_field in data else None,
        legal_bases=tuple(_legal_bases(data)),
        fields=fields,
        sealed_fields=sum(1 for field in fields if field.withheld == SEALED),
        erased_fields=sum(1 for field in fields if field.withheld == ERASED),
    )


def _field(label: str, value: Any) -> Field:
    words = label.replace("_", " ")
    withheld = _withheld(value)
    if withheld is not None:
        shown = "Sealed personal data" if withheld == SEALED else "Erased"
        return Field(words, shown, withheld)
    return Field(words, _text(value))


def _withheld(value: Any) -> str | None:
    if isinstance(value, dict) and value.get("withheld") in (SEALED, ERASED):
        return str(value["withheld"])
    return None


def _text(value: Any) -> str:
    """A field's value in words: agencies by name, lists joined, codes spaced out, moments in
    UK time."""
    if isinstance(value, dict):
        return _record_text(value)
    if isinstance(value, list):
        return ", ".join(_text(inner) for inner in value) or "none"
    if value is None or isinstance(value, bool):
        return {None: "—", True: "yes", False: "no"}[value]
    text = str(value)
    if MOMENT.fullmatch(text):
        return datetime.fromisoformat(text).astimezone(UK_TIME).strftime("%-d %b %Y, %H:%M")
    return text.replace("_", " ") if text.isidentifier() else text


def _record_text(value: dict[str, Any]) -> str:
    if "name" in value and "agency_id" in value:
        return str(value["name"])
    withheld = _withheld(value)
    if withheld is not None:
        return "Sealed personal data" if withheld == SEALED else "Erased"
    return "; ".join(
        f"{key.replace('_', ' ')}: {_text(inner)}"
        for key, inner in value.items()
        if inner is not None
    )


def _legal_bases(data: dict[str, Any]) -> list[str]:
    found: list[str] = []
    for name in _LEGAL_BASIS_FIELDS:
        for basis in data.get(name) or []:
            if isinstance(basis, dict):
                found.append(str(basis.get("citation") or basis.get("entry_id") or ""))
            else:
                found.append(str(basis))
    return [basis for basis in found if basis]


def _sentence(name: str) -> str:
    words: list[str] = []
    for char in name:
        if char.isupper() and words:
            words.append(" ")
        words.append(char.lower() if words else char)
    return "".join(words)


def _explanation(cls: type[DomainEvent] | None) -> str:
    doc = (cls.__doc__ or "") if cls is not None else ""
    return " ".join(doc.strip().split("\n\n")[0].split())
