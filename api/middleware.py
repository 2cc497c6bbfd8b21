"""One log line per request, a request id on every response, and a last line of defence.

The log line names the route template, never the raw URL or body; an unexpected error
becomes a 500 problem that carries only the request id to quote.
"""

from __future__ import annotations

import json
import re
import time
from uuid import uuid4

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import PROBLEM_JSON

log = structlog.get_logger("vtr.api")
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
MAX_BODY_BYTES = 1024 * 1024


class RequestLog:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        request_id = _request_id(headers.get(b"x-request-id", b"").decode("latin-1"))
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status = {"code": 500, "sent": False}

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"], status["sent"] = message["status"], True
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", request_id.encode()),
                ]
            await send(message)

        try:
            refusal = _refuse_body(headers.get(b"content-length", b"0"))
            if refusal is not None:
                await _send_problem(send_with_id, *refusal)
            else:
                await self.app(scope, receive, send_with_id)
        except Exception:
            log.exception("unhandled_error")
            if not status["sent"]:
                await _send_problem(
                    send_with_id,
                    500,
                    "internal-error",
                    f"Something went wrong on our side; quote request id {request_id}.",
                )
        finally:
            _log_request(scope, int(status["code"]), started)


def _refuse_body(content_length: bytes) -> tuple[int, str, str] | None:
    if not content_length.isdigit():
        return 400, "bad-content-length", "The Content-Length header is not a number."
    if int(content_length) > MAX_BODY_BYTES:
        return 413, "body-too-large", "The request body is larger than 1 MiB."
    return None


def _request_id(offered: str) -> str:
    return offered if REQUEST_ID.match(offered) else uuid4().hex


def _log_request(scope: Scope, status: int, started: float) -> None:
    route = scope.get("route")
    log.info(
        "request",
        method=scope["method"],
        route=getattr(route, "path", "unmatched"),
        command=getattr(route, "name", None),
        referral_id=scope.get("path_params", {}).get("referral_id"),
        status=status,
        duration_ms=round((time.perf_counter() - started) * 1000, 2),
    )


async def _send_problem(send: Send, status: int, slug: str, detail: str) -> None:
    body = json.dumps(
        {
            "type": f"urn:vtr-ledger:problem:{slug}",
            "title": detail,
            "status": status,
            "detail": detail,
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
