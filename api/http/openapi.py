"""The API description, told truthfully: every error a route can answer, as the problem
document it really is, and every header the gate reads or the answer carries.

The framework describes the successes from the routes; the failures come from one place
here, derived from what each route is (gated or public, with a body or not, naming a case or
an agency, a command or a consultation), so a new route is described like its siblings.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from api.access.marking import PROTECTIVE_MARKING
from api.access.permissions import MATRIX
from api.http.command_examples import EXAMPLES
from api.http.problems import PROBLEM_JSON
from api.http.schemas import Problem

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
REQUEST_ID = {
    "X-Request-ID": {
        "description": "This service's id of the request (unique): quote it when reporting.",
        "schema": {"type": "string"},
    },
    "X-Client-Request-ID": {
        "description": "The X-Request-ID the client sent, when well formed.",
        "schema": {"type": "string"},
    },
}
ERRORS = {
    400: "The request cannot be parsed (a malformed header, request line or body stream).",
    401: "No, or an unknown, expired or revoked bearer token.",
    403: "Your role, agency or case scope does not allow this (the `rule` says which).",
    404: "No such referral or agency (for those who may see every case), or no such checkpoint.",
    405: "The path does not take this method.",
    409: "A process rule refuses the step now, or the version is stale (the `rule` says).",
    413: "The body is larger than 1 MiB (a cosignature line: 1,000 bytes).",
    415: "The body is not application/json in UTF-8 (a cosignature: text/plain).",
    422: "Invalid or missing fields or parameters (each named in `errors`); nothing recorded.",
    503: "A store is unavailable (down, busy or read-only; for a command: it may or may not have "
    "been recorded), the key store is not this ledger's (`key-store-mismatch`), or a view has "
    "not reached `after_position` yet: retry after the seconds in Retry-After.",
    507: "The store is out of disk space.",
}
# Routes that answer errors their path and body do not show.
OWN_ERRORS = {"latest_checkpoint": [404], "add_cosignature": [404, 413, 415]}
REQUEST_HEADERS: dict[str, dict[str, Any]] = {
    "X-Request-ID": {"description": "Your own id for the request; kept beside ours."},
    "Acting-Role": {"description": "Which of your roles to act in (default: the first allowed)."},
    "Break-Glass": {
        "description": "An emergency read beyond your agency's cases: the reason (at least 10 "
        "characters), kept in the access log for review. Never allowed on a change."
    },
    "Access-Purpose": {
        "description": "Why sealed content is opened (`reveal=true`, a dispute pack); a compliance "
        "officer must state it. Kept in the access log."
    },
}


def install_openapi(app: FastAPI, routes: Sequence[APIRoute]) -> None:
    def describe() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _schema(app, routes)
        return app.openapi_schema

    app.openapi = describe  # type: ignore[method-assign]


def _schema(app: FastAPI, routes: Sequence[APIRoute]) -> dict[str, Any]:
    schema = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    for route in routes:
        for method in route.methods or ():
            operation = schema["paths"][route.path_format][method.lower()]
            _describe(operation, route, method)
    return schema


def _describe(operation: dict[str, Any], route: APIRoute, method: str) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    for code in list(responses):
        if int(code) >= 400:  # noqa: PLR2004 (HTTP status)
            del responses[code]
    for code, content in responses.items():
        content.setdefault("headers", {}).update(_success_headers(route, method, int(code)))
    for status in _errors(route, method):
        responses[str(status)] = {
            "description": ERRORS[status],
            "content": {PROBLEM_JSON: {"schema": PROBLEM_REF}},
            "headers": {**REQUEST_ID, **_error_headers(status)},
        }
    operation["parameters"] = [*operation.get("parameters", []), *_headers(route, method)]
    example = EXAMPLES.get(route.name)
    body = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if example is not None and body is not None:
        body["example"] = example


def _errors(route: APIRoute, method: str) -> list[int]:
    permission = MATRIX.get(route.name)
    if permission is not None and permission.public:
        return [503] if route.name == "readyz" else []
    errors = [400, 401, 403, 405, 422, 503, 507]
    if "{referral_id}" in route.path or "{agency_id}" in route.path:
        errors.append(404)
    if route.body_field is not None:
        errors += [409, 413, 415]
    if method == "POST":
        errors.append(409)
    errors += OWN_ERRORS.get(route.name, [])
    return sorted(set(errors))


def _headers(route: APIRoute, method: str) -> list[dict[str, Any]]:
    permission = MATRIX.get(route.name)
    if permission is None or permission.public:
        return [_header("X-Request-ID")]
    names = ["X-Request-ID", "Acting-Role"]
    if permission.consults is not None:
        names += ["Break-Glass", "Access-Purpose"]
    del method
    return [_header(name) for name in names]


def _header(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "header",
        "required": False,
        "schema": {"type": "string", "maxLength": 500},
        **REQUEST_HEADERS[name],
    }


def _success_headers(route: APIRoute, method: str, status: int) -> dict[str, Any]:
    headers: dict[str, Any] = dict(REQUEST_ID)
    permission = MATRIX.get(route.name)
    if permission is not None and permission.consults is not None:
        headers["Protective-Marking"] = {
            "description": f"Case data: {PROTECTIVE_MARKING} (the form's RESTRICTED).",
            "schema": {"type": "string"},
        }
        headers["Cache-Control"] = {"description": "no-store", "schema": {"type": "string"}}
    if method == "POST":
        headers["Idempotent-Replayed"] = {
            "description": "true when this answers a retry of an earlier command.",
            "schema": {"type": "string"},
        }
    if status == 201:  # noqa: PLR2004 (HTTP status)
        headers["Location"] = {"description": "Where the new record is read.", "schema": {}}
    return headers


def _error_headers(status: int) -> dict[str, Any]:
    if status == 401:  # noqa: PLR2004 (HTTP status)
        return {"WWW-Authenticate": {"description": "Bearer", "schema": {"type": "string"}}}
    if status in {503, 507}:
        return {"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "string"}}}
    return {}
