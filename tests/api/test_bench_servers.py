"""The bench's server without its gate really has none (`authz_overhead` compares against it),
and the bench's ordinary server really has one; otherwise the two run alike."""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import pytest

from api.settings import Settings
from bench.http_load import LiveServer
from bench.workload import POLICE
from tests.conftest import make_settings


@pytest.fixture
def sqlite_settings(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Settings]:
    yield from make_settings("sqlite", tmp_path, request)


def _status_without_token(server: LiveServer) -> int:
    return _status(server, {})


def _status(server: LiveServer, headers: dict[str, str]) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.request("GET", f"/referrals/{uuid4()}", headers=headers)
        return connection.getresponse().status
    finally:
        connection.close()


def test_the_open_server_reads_without_a_token_and_the_gated_one_refuses(
    sqlite_settings: Settings,
) -> None:
    gated = LiveServer(sqlite_settings, [POLICE])
    try:
        assert _status_without_token(gated) == 401
    finally:
        gated.close()
    open_server = LiveServer(sqlite_settings, [POLICE], module=("bench.open_server",))
    try:
        # No such referral: the read went past where the gate would have stopped it.
        assert _status_without_token(open_server) == 404
    finally:
        open_server.close()


def test_the_open_server_logs_as_the_api_server_does(sqlite_settings: Settings) -> None:
    """Both write their log at the level they are given (the bench gives WARNING): a read
    writes no line. An open server that logged every read would be slower for it, and the
    gate's cost would look smaller than it is."""
    servers = {
        "gated": LiveServer(sqlite_settings, [POLICE]),
        "open": LiveServer(sqlite_settings, [POLICE], module=("bench.open_server",)),
    }
    try:
        before = {name: server.written() for name, server in servers.items()}
        token = servers["gated"].tokens[POLICE.actor_id]
        assert _status(servers["gated"], {"Authorization": f"Bearer {token}"}) == 404
        assert _status_without_token(servers["open"]) == 404
        for name, server in servers.items():
            server.process.terminate()  # a request's line is written after its answer
            server.process.wait(timeout=30)
            assert "get_case" not in server.written()[len(before[name]) :], name
    finally:
        for server in servers.values():
            server.close()
