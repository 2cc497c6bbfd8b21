"""Every refusal as `application/problem+json` (RFC 9457), from one table.

Problem details never repeat what the client sent: a field is named, its value is not.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from aggregates.errors import (
    DomainError,
    InvalidInstructionError,
    NotPermittedError,
    ProcessRuleViolationError,
)
from api.access.gate import refused_after_gate
from api.dispute_pack import PackNotReadyError
from api.http.problems import problem
from api.integrity import (
    CheckpointNotFoundError,
    CosignatureRefusedError,
    ProofRequestError,
    UnregisteredWitnessError,
)
from commands.errors import (
    AgencyNameTakenError,
    AgencyNotFoundError,
    ConcurrentChangeError,
    DataKeyMissingError,
    ErasedCaseError,
    IdempotencyKeyReusedError,
    KeyStoreMismatchError,
    ReferralNotFoundError,
    StaleVersionError,
)

ERROR_TABLE: dict[type[Exception], tuple[int, str, str]] = {
    ProcessRuleViolationError: (409, "process-rule", "The process does not allow this step now"),
    StaleVersionError: (409, "stale-version", "The referral has changed since it was loaded"),
    ConcurrentChangeError: (409, "concurrent-change", "The referral changed at the same moment"),
    ErasedCaseError: (409, "erased-case", "The command was for a case since erased"),
    NotPermittedError: (403, "not-permitted", "Your role does not allow this step"),
    ReferralNotFoundError: (404, "referral-not-found", "There is no such referral"),
    AgencyNotFoundError: (404, "agency-not-found", "There is no such agency"),
    AgencyNameTakenError: (409, "agency-name-taken", "An agency of that name is registered"),
    InvalidInstructionError: (422, "invalid-instruction", "The instruction contradicts the case"),
    IdempotencyKeyReusedError: (
        422,
        "idempotency-key-reused",
        "The idempotency key was already used for another command",
    ),
    CheckpointNotFoundError: (404, "checkpoint-not-found", "There is no such checkpoint"),
    ProofRequestError: (422, "bad-proof-request", "No proof can be given for this"),
    UnregisteredWitnessError: (403, "unregistered-witness", "Not a registered witness's key"),
    CosignatureRefusedError: (422, "cosignature-refused", "The cosignature is not accepted"),
    PackNotReadyError: (503, "pack-not-ready", "The log's seals have not reached the case yet"),
    KeyStoreMismatchError: (503, "key-store-mismatch", "The key store is not this ledger's"),
    DataKeyMissingError: (503, "key-store-mismatch", "A data key is missing from the key store"),
}
# An operator must put the right key store back: not worth retrying every second or two.
KEY_STORE_RETRY_AFTER_SECONDS = 30


def install_error_handlers(app: FastAPI) -> None:
    for error_type in ERROR_TABLE:
        app.add_exception_handler(error_type, _domain_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(HTTPException, _http_error)


async def _domain_error(request: Request, error: Exception) -> JSONResponse:
    status, slug, title = ERROR_TABLE[type(error)]
    structlog.contextvars.bind_contextvars(refusal=slug)
    details = _details(error)
    if status == HTTPStatus.FORBIDDEN:
        # A rule only some roles or agencies may pass refused the caller after the gate let
        # them in: a refusal, logged as every refusal is.
        await run_in_threadpool(refused_after_gate, request, status, details.get("rule", slug))
    response = problem(status, slug, title, str(error), **details)
    if status == HTTPStatus.SERVICE_UNAVAILABLE:
        response.headers["Retry-After"] = str(KEY_STORE_RETRY_AFTER_SECONDS)
    return response


def _details(error: Exception) -> dict[str, Any]:
    refused = (
        {"refused_attempt_id": str(error.recorded_as)}
        if isinstance(error, DomainError) and error.recorded_as
        else {}
    )
    if isinstance(error, ProcessRuleViolationError):
        return {"rule": error.rule.code, "stage": str(error.stage), **refused}
    if isinstance(error, NotPermittedError):
        return {"rule": error.rule.code, **refused}
    if isinstance(error, InvalidInstructionError):
        return {"errors": [{"field": error.field, "message": error.message}]}
    return _identifying(error)


def _identifying(error: Exception) -> dict[str, Any]:
    """What names the record a refusal is about (never the content the client sent)."""
    if isinstance(error, StaleVersionError):
        return {"expected_version": error.expected, "current_version": error.actual}
    if isinstance(error, AgencyNameTakenError):
        return {"agency_id": str(error.agency_id)}
    if isinstance(error, ErasedCaseError):
        return {"referral_id": str(error.referral_id)}
    if isinstance(error, DataKeyMissingError):
        return {"key_ids": error.key_ids}
    return {}


async def _invalid_request(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)  # noqa: S101 (registered for it)
    errors = [
        {"field": ".".join(str(part) for part in item["loc"]), "message": item["msg"]}
        for item in error.errors()
    ]
    structlog.contextvars.bind_contextvars(refusal="invalid-request")
    return problem(
        422,
        "invalid-request",
        "The request is not valid",
        f"{len(errors)} field(s) are missing or invalid; nothing was recorded.",
        errors=errors,
    )


async def _http_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)  # noqa: S101 (registered for it)
    phrase = HTTPStatus(error.status_code).phrase
    detail = error.detail or phrase
    rule = getattr(error, "rule", None)
    extra = {"rule": rule} if rule else {}
    response = problem(error.status_code, f"http-{error.status_code}", phrase, detail, **extra)
    response.headers.update(error.headers or {})
    return response
