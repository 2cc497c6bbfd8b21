"""What a command lets in: every field typed strictly and bounded, text held to the input
rules; and the same value objects read generously when they come back from storage."""

from __future__ import annotations

import importlib
import pkgutil
import unicodedata
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, TypeAdapter, ValidationError

import commands
from api.http.app import api_routes
from commands.agency import RegisterAgency
from commands.base import Command
from commands.consent import DecideConsentApproach
from commands.sharing import SanctionOnwardDisclosure
from events.forms import (
    BIDI_CONTROLS,
    BLANK_LOOKING,
    InputText,
    Line,
    Narrative,
    ReferralConcern,
    SharingPrinciples,
    SubjectDetails,
    validating_input,
)

CONTAINERS = {"list", "set", "frozenset", "tuple", "dict"}
NUMBERS = {"int", "bool", "float"}
NOT_SCHEMAS = {"metadata", "serialization", "function", "cls", "members", "config", "default"}


def command_classes() -> list[type[Command]]:
    """Every command model of the `commands` package, bases included."""
    for module in pkgutil.iter_modules(commands.__path__):
        importlib.import_module(f"commands.{module.name}")
    found, pending = [], [Command]
    while pending:
        command = pending.pop()
        found.append(command)
        pending.extend(command.__subclasses__())
    return [command for command in found if command.__module__.startswith("commands.")]


def leaf_schemas(model: type[BaseModel]) -> Iterator[tuple[str, dict[str, Any], bool]]:
    """(where, schema, under the input text rules) for every value schema the model
    validates, nested models included: read from the core schema, which is what runs."""
    definitions: dict[str, Any] = {}
    pending: list[tuple[Any, str, bool]] = [(model.__pydantic_core_schema__, "", False)]
    while pending:
        node, where, text_rules = pending.pop()
        if node.get("type") == "definitions":
            definitions.update({item["ref"]: item for item in node["definitions"]})
        if node.get("type") == "definition-ref":
            node = definitions.pop(node["schema_ref"], {})
        kind = node.get("type")
        if kind == "model":
            where, text_rules = f"{where} > {node['cls'].__name__}", False
        text_rules = text_rules or _applies_text_rules(node)
        if kind in CONTAINERS | NUMBERS | {"str"}:
            yield where, node, text_rules
        pending.extend((child, at, text_rules) for child, at in _children(node, where))


def _applies_text_rules(node: dict[str, Any]) -> bool:
    if node.get("type") not in {"function-before", "function-after"}:
        return False
    return isinstance(getattr(node["function"]["function"], "__self__", None), InputText)


def _children(node: dict[str, Any], where: str) -> Iterator[tuple[dict[str, Any], str]]:
    if node.get("type") == "model-fields":
        for name, field in node["fields"].items():
            yield field, f"{where}.{name}"
        return
    for key, value in node.items():
        if key not in NOT_SCHEMAS:
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, dict):
                    yield item, where


def input_problems(model: type[BaseModel]) -> list[str]:
    problems = []
    for where, schema, text_rules in leaf_schemas(model):
        kind = schema["type"]
        if kind in CONTAINERS and "max_length" not in schema:
            problems.append(f"{where}: a {kind} without max_length")
        if kind in NUMBERS and schema.get("strict") is not True:
            problems.append(f"{where}: a {kind} that is not strict")
        if kind == "str" and "max_length" not in schema:
            problems.append(f"{where}: a str without max_length")
        if kind == "str" and not (text_rules or "pattern" in schema):
            problems.append(f"{where}: a str without the input text rules (or a pattern)")
    return problems


def test_every_command_field_is_strict_bounded_and_held_to_the_text_rules() -> None:
    """A new field, however deeply nested, cannot come in as "1", unbounded, or raw text."""
    classes = command_classes()
    bodies = {route.body_field.field_info.annotation for route in api_routes() if route.body_field}
    assert bodies <= set(classes)
    assert RegisterAgency in classes
    assert sum(len(input_problems(command)) for command in classes) == 0, [
        problem for command in classes for problem in input_problems(command)
    ]
    nested = {
        where.split(" > ")[-1].split(".")[0] for c in classes for where, *_ in leaf_schemas(c)
    }
    assert {"SubjectDetails", "Address", "RiskAssessment", "NeedToKnow"} <= nested


def test_the_walk_finds_each_kind_of_loose_field() -> None:
    class Inner(BaseModel):
        note: str

    class Loose(BaseModel):
        count: int
        flag: bool
        name: Line
        raw: str
        tags: list[Line]
        inner: list[Inner] | None = None

    assert sorted(input_problems(Loose)) == [
        " > Loose.count: a int that is not strict",
        " > Loose.flag: a bool that is not strict",
        " > Loose.inner > Inner.note: a str without max_length",
        " > Loose.inner > Inner.note: a str without the input text rules (or a pattern)",
        " > Loose.inner: a list without max_length",
        " > Loose.raw: a str without max_length",
        " > Loose.raw: a str without the input text rules (or a pattern)",
        " > Loose.tags: a list without max_length",
    ]


# --- the text rules, character class by character class ---

CONTROLS = st.characters(categories=["Cc"])
LINE_SEPARATORS = st.sampled_from(["\u2028", "\u2029"])
BIDI = st.sampled_from(sorted(BIDI_CONTROLS))
INVISIBLE = st.one_of(
    st.sampled_from(["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u180e"]),
    st.sampled_from(sorted(BLANK_LOOKING)),
    st.characters(categories=["Zs"]),
    st.characters(min_codepoint=0xFE00, max_codepoint=0xFE0F),
)
FORBIDDEN_IN_A_LINE = {
    "text_control_character": st.one_of(CONTROLS, LINE_SEPARATORS),
    "text_bidi_control": BIDI,
}
NAME_PARTS = st.text(
    st.characters(categories=["L", "M", "N", "P", "S"]), min_size=1, max_size=20
).filter(lambda part: unicodedata.category(part[0])[0] == "L" and part[0] not in BLANK_LOOKING)


def validated_as_input(annotation: Any, value: Any) -> Any:
    with validating_input():
        return TypeAdapter(annotation).validate_python(value)


def refusal(annotation: Any, value: Any) -> dict[str, Any]:
    with pytest.raises(ValidationError) as refused:
        validated_as_input(annotation, value)
    (error,) = refused.value.errors()
    return dict(error)


@given(
    st.sampled_from(sorted(FORBIDDEN_IN_A_LINE)).flatmap(
        lambda kind: st.tuples(st.just(kind), FORBIDDEN_IN_A_LINE[kind])
    ),
    NAME_PARTS,
    NAME_PARTS,
)
def test_a_name_with_a_control_or_bidi_character_anywhere_inside_is_refused(
    forbidden: tuple[str, str], given_name: str, family_name: str
) -> None:
    kind, character = forbidden
    error = refusal(Line, f"{given_name}{character}{family_name}")
    assert error["type"] == kind
    assert error["ctx"] == {"code_point": f"U+{ord(character):04X}"}
    assert error["msg"] == refusal(Line, f"x{character}y")["msg"]  # the name is not in it


@given(st.text(INVISIBLE, min_size=1, max_size=12))
def test_a_name_of_only_blank_or_invisible_characters_is_refused(blank: str) -> None:
    assert refusal(Line, blank)["type"] in {"text_invisible_only", "string_too_short"}
    assert refusal(Narrative, blank)["type"] in {"text_invisible_only", "string_too_short"}


@given(NAME_PARTS, st.text(INVISIBLE, max_size=2), NAME_PARTS)
def test_a_visible_name_is_kept_in_nfc(given_name: str, between: str, family_name: str) -> None:
    written = f"{given_name}{between or ' '}{family_name}"
    kept = validated_as_input(Line, written)
    assert kept == unicodedata.normalize("NFC", written).strip()
    assert validated_as_input(Line, kept) == kept


def test_nfc_is_what_the_length_limit_counts() -> None:
    decomposed = "e\u0301" * 500  # 1,000 code points, 500 once composed
    assert validated_as_input(Line, decomposed) == "\u00e9" * 500


@given(st.one_of(CONTROLS, BIDI).filter(lambda c: c not in "\n\t\r"), NAME_PARTS)
def test_a_narrative_keeps_line_feeds_and_tabs_but_refuses_other_controls(
    character: str, words: str
) -> None:
    assert refusal(Narrative, f"{words}{character}{words}")["type"] in {
        "text_control_character",
        "text_bidi_control",
    }


def test_a_narrative_takes_every_line_end_as_a_line_feed() -> None:
    written = "First line\r\nsecond\rthird\u2028fourth\u2029\tfifth\nsixth"
    expected = "First line\nsecond\nthird\nfourth\n\tfifth\nsixth"
    assert validated_as_input(Narrative, written) == expected


def test_a_command_applies_the_rules_to_its_nested_values() -> None:
    with pytest.raises(ValidationError) as refused:
        SanctionOnwardDisclosure(
            expected_version=3,
            disclosure_no=1,
            to_bodies=("Probation", "Home Office\u202e"),
            official_purpose="Risk management.",
        )
    assert [error["loc"] for error in refused.value.errors()] == [("to_bodies", 1)]


@given(st.one_of(*FORBIDDEN_IN_A_LINE.values(), st.text(INVISIBLE, min_size=1, max_size=3)))
def test_outside_a_command_the_form_values_read_whatever_they_hold(odd: str) -> None:
    """Stored events (and projection rows) are validated again on every read; what was
    stored before the input rules, or written raw, still reads as it was written."""
    subject = SubjectDetails.model_validate(
        {"full_name": f"A{odd}B", "other_names": [f"Z{odd}Z"], "address": {"lines": [f"1{odd}2"]}}
    )
    assert subject.full_name == f"A{odd}B"
    assert subject.address.lines == [f"1{odd}2"]
    concern = ReferralConcern.model_validate(
        {
            "reasons_for_referral": f"x{odd}\r\ny",
            "background_and_risk": "b",
            "indicators_observed": ["material", "material"],
        }
    )
    assert concern.reasons_for_referral == f"x{odd}\r\ny"


@pytest.mark.parametrize("value", ["1", 1.0, True, "true", None])
def test_a_number_must_come_as_a_json_number(value: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        SanctionOnwardDisclosure.model_validate(
            {
                "expected_version": value,
                "disclosure_no": 1,
                "to_bodies": ["Probation"],
                "official_purpose": "Risk management.",
            }
        )
    assert [error["loc"] for error in refused.value.errors()] == [("expected_version",)]


@pytest.mark.parametrize("value", ["true", "yes", 1, 0, 1.0, None])
def test_a_flag_must_come_as_a_json_boolean(value: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        DecideConsentApproach.model_validate(
            {"expected_version": 2, "stage": "panel", "seek": value}
        )
    assert [error["loc"] for error in refused.value.errors()] == [("seek",)]
    principles = dict.fromkeys(SharingPrinciples.model_fields, True)
    with pytest.raises(ValidationError):
        validated_as_input(SharingPrinciples, {**principles, "necessary": value})


def test_a_set_of_choices_names_each_choice_once_and_no_more_than_there_are() -> None:
    concern = {"reasons_for_referral": "r", "background_and_risk": "b"}
    twice = {**concern, "indicators_observed": ["material", "material"]}
    assert refusal(ReferralConcern, twice)["type"] == "choices_repeated"
    many = {**concern, "indicators_observed": ["material"] * 40_000}
    assert refusal(ReferralConcern, many)["type"] == "too_long"
