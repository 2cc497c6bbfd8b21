"""Strict JSON for command bodies: the one media type, UTF-8, no duplicate keys, no NaN.

The framework would accept any `+json` media type, decode UTF-16 and let the last of two
duplicate keys win; a record that must stand up in a dispute takes only what it can read
one way. Checked after the gate, so an anonymous caller learns nothing from it.
"""

from __future__ import annotations

import json
from email.message import Message
from typing import Any, NoReturn

from fastapi import HTTPException, Request
from fastapi.exceptions import RequestValidationError
from starlette.requests import ClientDisconnect

JSON = "application/json"


class BodyRefusedError(HTTPException):
    def __init__(self, status: int, rule: str, detail: str) -> None:
        super().__init__(status, detail)
        self.rule = rule


async def check_json_body(request: Request) -> None:
    try:
        body = await request.body()
    except ClientDisconnect:
        # The body was cut off (by the size limit, or by the client): as the framework does.
        raise HTTPException(400, "The body could not be read.") from None
    if not body:
        return  # a missing body is the framework's 422, naming the missing fields
    _check_media_type(request.headers.get("content-type"))
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        _invalid(f"The body is not UTF-8 (byte {error.start}).")
    if text.startswith("\ufeff"):
        _invalid("The body starts with a byte-order mark; send plain UTF-8.")
    try:
        json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constant)
    except _NotStrictJsonError as error:
        _invalid(f"The body is not strict JSON: {error}.")
    except json.JSONDecodeError as error:
        _invalid(
            f"The body is not valid JSON (line {error.lineno}, column {error.colno}): {error.msg}."
        )


def _check_media_type(content_type: str | None) -> None:
    message = Message()
    message["content-type"] = content_type or ""
    charset = (message.get_param("charset") or "utf-8") if content_type else "utf-8"
    if message.get_content_type() != JSON or not content_type or str(charset).lower() != "utf-8":
        _refuse(415, "unsupported-media-type", f"Send the body as {JSON} (UTF-8).")


class _NotStrictJsonError(ValueError):
    pass


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise _NotStrictJsonError(f"the key {key[:60]!r} appears twice in one object")
        found[key] = value
    return found


def _no_constant(name: str) -> NoReturn:
    raise _NotStrictJsonError(f"{name} is not a JSON number")


def _refuse(status: int, rule: str, detail: str) -> NoReturn:
    raise BodyRefusedError(status, rule, detail)


def _invalid(message: str) -> NoReturn:
    """A body that cannot be read one way: the same 422 as any invalid field, naming it."""
    raise RequestValidationError([{"loc": ("body",), "msg": message, "type": "json_invalid"}])
