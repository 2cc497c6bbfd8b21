"""One log line per request, a request id on every response, and a last line of defence.

The log line names the route template, never the raw URL or body; an unexpected error
becomes a 500 problem that carries only the request id to quote. Bodies over 1 MiB are
refused whether or not they announce their length.
"""

from __future__ import annotations

import json
import re
import time
from uuid import UUID, uuid4

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from api.access.marking import PROTECTIVE_MARKING
from api.http.problems import PROBLEM_JSON

log = structlog.get_logger("vtr.api")
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
MAX_BODY_BYTES = 1024 * 1024
TOO_LARGE = (413, "body-too-large", "The request body is larger than 1 MiB.")


class RequestLog:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        exchange = _Exchange(scope, receive, send)
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=exchange.request_id)
        try:
            refusal = _refuse_by_length(exchange.header(b"content-length") or b"0")
            if refusal is not None:
                await exchange.problem(*refusal)
            else:
                await self.app(scope, exchange.receive, exchange.send)
        except Exception:
            log.exception("unhandled_error")
            if not exchange.started:
                detail = (
                    f"Something went wrong on our side; quote request id {exchange.request_id}."
                )
                await exchange.problem(500, "internal-error", detail)
        finally:
            exchange.log()


class _Exchange:
    """One request and its response, as the middleware sees them."""

    def __init__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.scope = scope
        self._receive = receive
        self._send = send
        self._headers: dict[bytes, bytes] = dict(scope["headers"])
        # Our id is always new, so no two requests share one in the logs; the client's own
        # id, when well formed, is kept beside it to correlate with their records.
        self.request_id = uuid4().hex
        offered = self.header(b"x-request-id").decode("latin-1")
        self.client_request_id = offered if REQUEST_ID.match(offered) else None
        state = scope.setdefault("state", {})
        state["request_id"] = self.request_id
        state["client_request_id"] = self.client_request_id
        self.status = 500
        self.started = False
        self.received = 0
        self.too_large = False
        self.began = time.perf_counter()

    def header(self, name: bytes) -> bytes:
        return self._headers.get(name, b"")

    async def receive(self) -> Message:
        message = await self._receive()
        self.received += len(message.get("body", b""))
        if self.received > MAX_BODY_BYTES:
            # The framework turns errors while reading into its own 400; remember the cause
            # and answer 413 in its place.
            self.too_large = True
            return {"type": "http.disconnect"}
        return message

    async def send(self, message: Message) -> None:
        if self.too_large:
            if message["type"] == "http.response.start" and not self.started:
                await self.problem(*TOO_LARGE)
            return
        if message["type"] == "http.response.start":
            self.status, self.started = message["status"], True
            message["headers"] = [
                *message.get("headers", []),
                *self._ids(),
                *self._marking(),
            ]
        await self._send(message)

    def _ids(self) -> list[tuple[bytes, bytes]]:
        ids = [(b"x-request-id", self.request_id.encode())]
        if self.client_request_id is not None:
            ids.append((b"x-client-request-id", self.client_request_id.encode()))
        return ids

    def _marking(self) -> list[tuple[bytes, bytes]]:
        """Case data carries its protective marking (the form's RESTRICTED, today's
        OFFICIAL-SENSITIVE) and is never cached."""
        grant = self.scope.get("state", {}).get("grant")
        if grant is None or grant.permission.consults is None:
            return []
        return [
            (b"protective-marking", PROTECTIVE_MARKING.encode()),
            (b"cache-control", b"no-store"),
        ]

    async def problem(self, status: int, slug: str, detail: str) -> None:
        body = json.dumps(
            {
                "type": f"urn:vtr-ledger:problem:{slug}",
                "title": detail,
                "status": status,
                "detail": detail,
            }
        ).encode()
        self.status, self.started = status, True
        await self._send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", PROBLEM_JSON.encode()),
                    (b"content-length", str(len(body)).encode()),
                    *self._ids(),
                ],
            }
        )
        await self._send({"type": "http.response.body", "body": body})

    def log(self) -> None:
        route = self.scope.get("route")
        failed = self.scope.get("state", {}).get("answer_failed")
        log.info(
            "request",
            method=self.scope["method"],
            route=getattr(route, "path", "unmatched"),
            command=getattr(route, "name", None),
            referral_id=_logged_id(self.scope.get("path_params", {}).get("referral_id")),
            status=self.status,
            client_request_id=self.client_request_id,
            outcome="failed after the answer began" if failed else None,
            duration_ms=round((time.perf_counter() - self.began) * 1000, 2),
        )


def _logged_id(value: object) -> str | None:
    """A path id as logged: only once it is a valid UUID, since anything else a client puts
    in the path (a name, a date of birth) must never reach the log."""
    if value is None:
        return None
    try:
        return str(UUID(str(value)))
    except ValueError:
        return "not-a-valid-id"


def _refuse_by_length(content_length: bytes) -> tuple[int, str, str] | None:
    if not content_length.isdigit():
        return 400, "bad-content-length", "The Content-Length header is not a number."
    if int(content_length) > MAX_BODY_BYTES:
        return TOO_LARGE
    return None


class ProblemHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's HTTP protocol, answering a request it cannot parse (a `Content-Length: abc`,
    a broken request line) with a problem document like every other refusal."""

    def send_400_response(self, msg: str) -> None:
        del msg  # the parser's words may quote the request
        body = json.dumps(
            {
                "type": "urn:vtr-ledger:problem:malformed-request",
                "title": "The request cannot be parsed",
                "status": 400,
                "detail": "The request is not valid HTTP (a header or the request line is "
                "malformed); nothing was recorded.",
            }
        ).encode()
        head = [
            b"HTTP/1.1 400 Bad Request\r\n",
            *(name + b": " + value + b"\r\n" for name, value in self.server_state.default_headers),
            f"content-type: {PROBLEM_JSON}\r\n".encode(),
            b"content-length: %d\r\n" % len(body),
            b"connection: close\r\n\r\n",
        ]
        self.transport.write(b"".join(head) + body)
        self.transport.close()
