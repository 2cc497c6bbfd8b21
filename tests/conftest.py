"""Backends for the tests: a real SQLite directory, and a fresh PostgreSQL database per test.

PostgreSQL tests run by default and fail loudly when no server is reachable; set
VTR_TEST_SKIP_POSTGRES=1 to opt out explicitly.
"""

from __future__ import annotations

import base64
import gc
import logging
import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast
from uuid import uuid4

import psycopg
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from psycopg.sql import SQL, Identifier
from pydantic import SecretStr

from api.http.app import create_app
from api.settings import Settings
from tests.api_client import Api
from tests.faults.fault_tally import FaultTally
from tests.faults.fault_tally import tally as fault_tally
from tests.scheduling import ByFileScheduling
from tests.support import FixedClock, new_signing_key_file, write_token_table

PG_SERVER = {
    "host": os.environ.get("VTR_TEST_PG_HOST", "127.0.0.1"),
    "port": int(os.environ.get("VTR_TEST_PG_PORT", "5432")),
    "user": os.environ.get("VTR_TEST_PG_USER", "postgres"),
    "password": os.environ.get("VTR_TEST_PG_PASSWORD", ""),
}
SKIP_POSTGRES = os.environ.get("VTR_TEST_SKIP_POSTGRES") == "1"
BACKENDS = ("sqlite", "postgres")


@pytest.fixture(autouse=True, scope="session")
def _hermetic_environment() -> None:
    """Tests configure the service explicitly; a developer's VTR_* variables must not leak in."""
    for name in [
        name for name in os.environ if name.startswith("VTR_") and not name.startswith("VTR_TEST_")
    ]:
        del os.environ[name]


@pytest.fixture(autouse=True)
def _logging_restored() -> Iterator[None]:
    """A test that points the logs at its captured output leaves them as it found them, so
    later tests never write to a closed capture; and a library that configures logging when
    called in-process (import-linter does) cannot silence the service's loggers for the
    tests after it."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    loggers = dict(logging.Logger.manager.loggerDict)
    disabled = {
        name: logger.disabled
        for name, logger in loggers.items()
        if isinstance(logger, logging.Logger)
    }
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, logger in logging.Logger.manager.loggerDict.items():
        if isinstance(logger, logging.Logger):
            logger.disabled = disabled.get(name, False)


@pytest.fixture(scope="session")
def postgres_server() -> dict[str, Any]:
    if SKIP_POSTGRES:
        pytest.skip("PostgreSQL tests opted out with VTR_TEST_SKIP_POSTGRES=1")
    try:
        psycopg.connect(dbname="postgres", connect_timeout=3, **PG_SERVER).close()  # type: ignore[arg-type]
    except psycopg.OperationalError as error:
        pytest.fail(
            f"PostgreSQL is not reachable at {PG_SERVER['host']}:{PG_SERVER['port']}: {error}\n"
            "Start it (e.g. `pg_ctlcluster --skip-systemctl-redirect 15 main start`), or opt out "
            "explicitly with VTR_TEST_SKIP_POSTGRES=1.",
            pytrace=False,
        )
    return PG_SERVER


def drop_databases(server: dict[str, Any], names: list[str]) -> None:
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as conn:
        for name in names:
            conn.execute(SQL("DROP DATABASE IF EXISTS {0} WITH (FORCE)").format(Identifier(name)))


# A test's databases are dropped when its test process ends, not after each test: PostgreSQL
# 15 makes every DROP DATABASE wait for a checkpoint of the whole server, which mid-run
# flushes every other test's writes and stalls them all (about 170 of them in a run).
_DROP_AT_END: list[str] = []


def drop_at_end(names: list[str]) -> None:
    """Drop the databases when this test process ends; close every connection to them now
    (as the drop did), so none a test left open outlives it."""
    with psycopg.connect(dbname="postgres", autocommit=True, **PG_SERVER) as conn:  # type: ignore[arg-type]
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ANY(%s)",
            [names],
        )
    _DROP_AT_END.extend(names)


def pytest_sessionfinish(session: pytest.Session) -> None:
    if _DROP_AT_END:
        drop_databases(PG_SERVER, _DROP_AT_END)
        _DROP_AT_END.clear()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


def make_settings(
    backend: str, root: Path, request: pytest.FixtureRequest, **overrides: Any
) -> Iterator[Settings]:
    tokens = root / "tokens.json"
    write_token_table(tokens)
    common: dict[str, Any] = {"data_dir": root / "data", "tokens_file": tokens, **overrides}
    if backend == "sqlite":
        yield Settings(store="sqlite", **common)
        return
    server = request.getfixturevalue("postgres_server")
    database = f"vtr_test_{uuid4().hex[:12]}"
    postgres: dict[str, Any] = {
        "store": "postgres",
        "pg_host": server["host"],
        "pg_port": server["port"],
        "pg_user": server["user"],
        "pg_database": database,
        # One connection kept open per pool (two at most): a test runtime's four pools, its
        # listener and its access log's loop connection, times three test processes, stay
        # far within PostgreSQL's default 100 connections.
        "pg_pool_size": 1,
        "master_key": SecretStr(base64.b64encode(os.urandom(32)).decode()),
        "signing_key_file": new_signing_key_file(root / "signing.key"),
    }
    create_databases(server, [database, f"{database}_keys"])
    try:
        yield Settings(**{**postgres, **common})
    finally:
        drop_at_end([database, f"{database}_keys"])


def create_databases(server: dict[str, Any], names: list[str]) -> None:
    """A test's databases commit without waiting for the WAL to reach the disk: what a
    transaction commits is still what every other session and process sees, and no test
    crashes the PostgreSQL server itself (the service's own crashes, kill -9 of the API or a
    worker, lose nothing either way). Most of the suite's time was spent waiting on fsync."""
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as conn:
        for name in names:
            conn.execute(SQL("CREATE DATABASE {0}").format(Identifier(name)))
            conn.execute(
                SQL("ALTER DATABASE {0} SET synchronous_commit = off").format(Identifier(name))
            )


@pytest.fixture
def settings(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Settings]:
    yield from make_settings(backend, tmp_path, request)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def app(settings: Settings, clock: FixedClock) -> FastAPI:
    return create_app(settings, clock=clock)


@pytest.fixture
def api(app: FastAPI) -> Iterator[Api]:
    with TestClient(app) as client:
        yield Api(client)


@pytest.fixture(autouse=True)
def _faults_reported(request: pytest.FixtureRequest) -> Iterator[None]:
    """What a test injected travels with its report, so the summary counts it even when the
    test ran in another worker process (pytest-xdist)."""
    faults, acknowledged = Counter(fault_tally.faults), fault_tally.acknowledged_writes_checked
    yield
    injected = fault_tally.faults - faults
    if injected:
        checked = fault_tally.acknowledged_writes_checked - acknowledged
        request.node.user_properties.append(("faults", (dict(injected), checked)))


REPORTED_FAULTS = FaultTally()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    for name, value in report.user_properties:
        if name == "faults" and report.when == "teardown":
            injected, checked = cast("tuple[dict[str, int], int]", value)
            REPORTED_FAULTS.faults.update(injected)
            REPORTED_FAULTS.acknowledged(checked)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        params = getattr(item, "callspec", None)
        if params is not None and params.params.get("backend") in BACKENDS:
            item.add_marker(params.params["backend"])


def pytest_collection_finish(session: pytest.Session) -> None:
    """What collection built (every module of the service and its libraries, every test
    item) lives to the end of the run: kept out of the cyclic garbage collector's passes,
    which otherwise scan it again and again (about 4 % of a test process's CPU)."""
    del session
    gc.collect()
    gc.freeze()


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> ByFileScheduling:
    return ByFileScheduling(config, log)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    tally: dict[str, Counter[str]] = {}
    for outcome in ("passed", "failed", "error", "skipped"):
        for report in terminalreporter.stats.get(outcome, []):
            if report.when != "call" and outcome == "passed":
                continue
            keywords = getattr(report, "keywords", {})
            where = next((b for b in BACKENDS if b in keywords), "backend-independent")
            tally.setdefault(where, Counter())[outcome] += 1
    faults = REPORTED_FAULTS.summary()
    if faults is not None:
        terminalreporter.section("fault injection")
        terminalreporter.write_line(faults)
    terminalreporter.section("tests per backend")
    for where in (*BACKENDS, "backend-independent"):
        counts = tally.get(where, Counter())
        summary = ", ".join(f"{counts[o]} {o}" for o in ("passed", "failed", "error", "skipped"))
        terminalreporter.write_line(f"{where}: {summary}")
