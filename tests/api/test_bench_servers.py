"""The bench's server without its gate really has none (`authz_overhead` compares against it),
its server without the access log keeps the gate and writes nothing, and the bench's
ordinary server has both; otherwise they run alike."""

from __future__ import annotations

import http.client
import sqlite3
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
    return _status_of(server, f"/referrals/{uuid4()}", headers)


def _status_of(server: LiveServer, path: str, headers: dict[str, str]) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.request("GET", path, headers=headers)
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


def _entries(settings: Settings) -> int:
    with sqlite3.connect(settings.data_dir / "access.sqlite") as log:
        count: int = log.execute("SELECT COUNT(*) FROM vtr_access_log").fetchone()[0]
    return count


def test_the_unlogged_server_keeps_the_gate_and_writes_no_entry(sqlite_settings: Settings) -> None:
    """A refusal and a served read: logged by the ordinary server, decided the same way and
    not written by the unlogged one."""
    for module, written in ((("api", "serve"), 2), (("bench.open_server", "unlogged"), 0)):
        server = LiveServer(sqlite_settings, [POLICE], module=module)
        try:
            token = server.tokens[POLICE.actor_id]
            before = _entries(sqlite_settings)
            assert _status_of(server, "/referrals", {}) == 401
            assert _status_of(server, "/referrals", {"Authorization": f"Bearer {token}"}) == 200
            assert _entries(sqlite_settings) == before + written, module
        finally:
            server.close()
