"""What only a real HTTP server shows: a request its parser refuses still gets a problem
document, from the server the service runs in production (uvicorn with our protocol)."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn

from api.http.app import create_app
from api.http.middleware import ProblemHttpToolsProtocol
from api.settings import Settings
from tests.support import FixedClock

pytestmark = pytest.mark.parametrize("backend", ["sqlite"])  # the parser is the same on both


@pytest.fixture
def live_port(settings: Settings, clock: FixedClock) -> Iterator[int]:
    config = uvicorn.Config(
        create_app(settings, clock=clock),
        host="127.0.0.1",
        port=0,
        http=ProblemHttpToolsProtocol,
        log_config=None,
        access_log=False,
        lifespan="on",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    port: int = server.servers[0].sockets[0].getsockname()[1]
    yield port
    server.should_exit = True
    thread.join(timeout=20)


def raw_exchange(port: int, request: bytes) -> tuple[str, dict[str, str], bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    status, *header_lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in header_lines)
    return status, headers, body


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"POST /referrals HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}",
        b"GET /referrals HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n",
        b"GARBAGE\r\n\r\n",
    ],
)
def test_a_request_the_parser_cannot_read_is_answered_with_a_problem(
    live_port: int, request_bytes: bytes
) -> None:
    status, headers, body = raw_exchange(live_port, request_bytes)
    assert status.startswith("HTTP/1.1 400")
    assert headers["content-type"] == "application/problem+json"
    problem = json.loads(body)
    assert (problem["status"], problem["type"]) == (400, "urn:vtr-ledger:problem:malformed-request")
