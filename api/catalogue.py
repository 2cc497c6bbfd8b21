"""The event catalogue as Markdown, generated from the event classes so it cannot drift."""

from __future__ import annotations

import types
from enum import Enum
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel

from events.base import AuditEnvelope, DomainEvent
from events.forms import ValueObject
from events.personal import Withheld, personal_data_group
from events.registry import AGENCY_EVENTS, ALL_EVENTS, REFERRAL_EVENTS, REFUSAL_EVENTS

HEADER = """# Event catalogue

Generated from the code by `python -m api catalogue > docs/event-catalogue.md`;
a test fails when this file and the code disagree.

Every event is immutable and stored under its **topic**, which never changes. Its
**version** counts changes to its fields; older stored versions are upcast when read.
Every event is recorded at the ledger's own time (`occurred_at` in its audit envelope); an
**effective date** names the field holding the date the step took place in the world, as
the person stated it, where the step has one (`GET /referrals/{id}/changes` shows entries
recorded after it as back-dated).

**Personal data** is stored sealed: each marked field is encrypted on its own
(AES-256-GCM) under the referral's data key for the named key group, held in a key store
apart from the events. Destroying a group's key erases those fields everywhere; every
unmarked field is the audit envelope and stays readable.

## Audit envelope (field `audit` of every event)

| field | type | meaning |
|---|---|---|
| actor_id | text | the authenticated person who issued the command |
| actor_role | Role | the role they acted in |
| actor_agency | text | the agency they acted for |
| occurred_at | date-time | business time, from the service's clock |
| command_id | UUID | the command that caused the event |
"""


READABLE = {
    "str": "text",
    "datetime": "date-time",
    "AwareDatetime": "date-time",
    "int": "integer",
    "bool": "yes/no",
}
STREAMS: tuple[tuple[str, str, tuple[type[DomainEvent], ...]], ...] = (
    (
        "Referral",
        (
            "One stream per referral: the process from receipt to conclusion, and all the "
            "information sharing on the case."
        ),
        REFERRAL_EVENTS,
    ),
    (
        "Agency",
        (
            "One stream per agency in the directory: its registration and its Information "
            "Sharing Protocol signatures."
        ),
        AGENCY_EVENTS,
    ),
    (
        "Refused sharing",
        (
            "One stream per refused invitation or disclosure: who tried, when, and the rule that "
            "refused it. The refused content is never stored."
        ),
        REFUSAL_EVENTS,
    ),
)


def render_catalogue() -> str:
    parts = [HEADER]
    for stream, meaning, event_classes in STREAMS:
        parts.append(f"\n## {stream} events\n\n{meaning}\n")
        parts.extend(_event_section(event_class) for event_class in event_classes)
    parts.append(
        "\n## Structured values\n\nA structured value is sealed, or not, as a whole: "
        "by the event field that holds it.\n"
    )
    for value_class in _value_classes():
        parts.append(f"\n### {value_class.__name__}\n\n{_doc(value_class)}\n")
        parts.append(_value_table(value_class))
    parts.append("\n## Codes\n")
    for enum_class in _enums():
        values = ", ".join(f"`{member.value}`" for member in enum_class)
        parts.append(f"\n- **{enum_class.__name__}**: {values}")
    return "".join(parts) + "\n"


def _event_section(event_class: type[DomainEvent]) -> str:
    return (
        f"\n### {event_class.__name__}\n"
        f"`{event_class.TOPIC}` · version {event_class.class_version}"
        + (f" · effective date `{event_class.EFFECTIVE}`" if event_class.EFFECTIVE else "")
        + f"\n\n{_doc(event_class)}\n"
        + _fields_table(event_class, skip={"originator_id", "originator_version", "audit"})
    )


def _doc(cls: type) -> str:
    return " ".join((cls.__doc__ or "").split())


def _fields_table(model: type[BaseModel], skip: set[str]) -> str:
    fields = {name: field for name, field in model.model_fields.items() if name not in skip}
    if not fields:
        return "\nNo fields beyond the audit envelope.\n"
    rows = ["\n| field | type | personal data |\n|---|---|---|\n"]
    for name, field in fields.items():
        group = personal_data_group(field.metadata)
        sealed = f"sealed ({group.value})" if group else "—"
        rows.append(f"| {name} | {_type_name(field.annotation)} | {sealed} |\n")
    return "".join(rows)


def _value_table(model: type[BaseModel]) -> str:
    rows = ["\n| field | type |\n|---|---|\n"]
    rows.extend(
        f"| {name} | {_type_name(field.annotation)} |\n"
        for name, field in model.model_fields.items()
    )
    return "".join(rows)


def _type_name(annotation: Any) -> str:
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        names = [
            _type_name(arg) for arg in get_args(annotation) if arg not in (Withheld, type(None))
        ]
        optional = type(None) in get_args(annotation)
        return " or ".join(names) + (" (optional)" if optional else "")
    if origin in (list, tuple):  # a tuple field is stored as a JSON array, as a list is
        return f"list of {_type_name(get_args(annotation)[0])}"
    if origin is Literal:
        return " or ".join(repr(arg) for arg in get_args(annotation))
    if getattr(annotation, "__metadata__", None) is not None:
        return _type_name(annotation.__origin__)
    name = getattr(annotation, "__name__", str(annotation))
    return READABLE.get(name, name)


def _value_classes() -> list[type[BaseModel]]:
    return sorted(
        (cls for cls in _walk_models() if issubclass(cls, ValueObject)),
        key=lambda cls: cls.__name__,
    )


def _enums() -> list[type[Enum]]:
    found: set[type[Enum]] = set()
    models: list[type[BaseModel]] = [*ALL_EVENTS, AuditEnvelope, *_walk_models()]
    for model in models:
        for field in model.model_fields.values():
            found.update(
                arg
                for arg in _leaves(field.annotation)
                if isinstance(arg, type) and issubclass(arg, Enum)
            )
    return sorted(found, key=lambda cls: cls.__name__)


def _walk_models() -> set[type[BaseModel]]:
    seen: set[type[BaseModel]] = set()
    pending: list[type[BaseModel]] = list(ALL_EVENTS)
    while pending:
        model = pending.pop()
        for field in model.model_fields.values():
            for leaf in _leaves(field.annotation):
                if isinstance(leaf, type) and issubclass(leaf, ValueObject) and leaf not in seen:
                    seen.add(leaf)
                    pending.append(leaf)
    return seen


def _leaves(annotation: Any) -> list[Any]:
    args = get_args(annotation)
    if not args:
        return [annotation]
    return [leaf for arg in args for leaf in _leaves(arg)]
