"""The example body of every command: one for each command route, accepted as the API accepts
a body, shown in docs/commands.md and in the OpenAPI description."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from click.testing import CliRunner
from fastapi.routing import APIRoute
from pydantic import BaseModel

from api.access.permissions import MATRIX
from api.cli import cli
from api.http.app import api_routes, create_app
from api.http.command_examples import EXAMPLES, PLACEHOLDER_IDS, render_command_examples
from api.settings import Settings
from commands.base import Command

ROOT = Path(__file__).resolve().parents[2]
COMMAND_ROUTES = {route.name: route for route in api_routes() if route.body_field is not None}


def body_model(route: APIRoute) -> type[BaseModel]:
    assert route.body_field is not None
    model = route.body_field.field_info.annotation
    assert isinstance(model, type)
    assert issubclass(model, Command), f"{route.name} takes a command"
    return model


def test_every_command_route_has_an_example_and_every_example_a_route() -> None:
    assert len(COMMAND_ROUTES) > 40, "the command routes are found"
    assert sorted(set(COMMAND_ROUTES) - set(EXAMPLES)) == [], "commands without an example"
    assert sorted(set(EXAMPLES) - set(COMMAND_ROUTES)) == [], "examples of no command route"


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_the_example_is_accepted_as_the_api_accepts_a_body(name: str) -> None:
    """Plain JSON values, validated in Python mode as FastAPI validates the parsed body."""
    example = EXAMPLES[name]
    as_sent = json.loads(json.dumps(example, ensure_ascii=False))
    assert as_sent == example, "the example is plain JSON (no tuples, dates or ids as objects)"
    body_model(COMMAND_ROUTES[name]).model_validate(as_sent)


def test_the_examples_name_only_placeholder_ids() -> None:
    """No id that could be a real case or agency is published as an example."""
    found = {value for example in EXAMPLES.values() for value in _strings(example) if _is_id(value)}
    assert found, "the examples name ids"
    assert found <= PLACEHOLDER_IDS, sorted(found - PLACEHOLDER_IDS)


def test_the_published_command_examples_match_the_code() -> None:
    published = (ROOT / "docs" / "commands.md").read_text(encoding="utf-8")
    assert published == render_command_examples(api_routes()), (
        "docs/commands.md is stale: run `make docs`"
    )


def test_the_command_line_prints_the_document() -> None:
    result = CliRunner().invoke(cli, ["command-examples"])
    assert result.exit_code == 0, result.output
    assert result.output == render_command_examples(api_routes())


def test_the_document_shows_each_command_with_its_roles_and_its_example() -> None:
    document = render_command_examples(api_routes())
    sections = document.split("\n### ")[1:]
    plain = [s for s in sections if "```text\n" in s]  # the witness's cosignature line
    assert [s.split("`")[1] for s in plain] == ["add_cosignature"]
    assert "```text\n\u2014 witness." in plain[0]
    sections = [s for s in sections if s not in plain]
    assert len(sections) == len(COMMAND_ROUTES)
    for section in sections:
        name = section.split("`")[1]
        route = COMMAND_ROUTES[name]
        assert f"POST `{route.path}`" in section
        roles = ", ".join(f"`{role.value}`" for role in sorted(MATRIX[name].roles))
        assert f"Roles: {roles}\n" in section
        shown = section.split("```json\n")[1].split("\n```")[0]
        assert json.loads(shown) == EXAMPLES[name]
    screen_out = next(s for s in sections if s.startswith("`screen_out`"))
    assert "Decide that the referral does not continue" in screen_out, "the command's docstring"


def test_the_openapi_description_carries_each_example(tmp_path: Path) -> None:
    schema = create_app(Settings(store="sqlite", data_dir=tmp_path)).openapi()
    for name, route in COMMAND_ROUTES.items():
        body = schema["paths"][route.path]["post"]["requestBody"]["content"]["application/json"]
        assert body["example"] == EXAMPLES[name], name
    reads = schema["paths"]["/referrals"]["get"]
    assert "requestBody" not in reads, "a read takes no body, so no example"


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _is_id(value: str) -> bool:
    try:
        UUID(value)
    except ValueError:
        return False
    return True
