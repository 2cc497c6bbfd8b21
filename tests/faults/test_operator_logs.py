"""Operators see why a store failed (the class, and the driver's or the system's message),
while messages of errors that can carry request content stay withheld."""

from __future__ import annotations

import errno
import json
import sqlite3

import psycopg
import pytest
import structlog

from api.http.outages import describe, outage_kind
from api.logging import configure_logging
from tests.support import SUBJECT_NAME


def log_failure(error: BaseException, capfd: pytest.CaptureFixture[str]) -> dict[str, object]:
    configure_logging("json", "INFO")
    structlog.get_logger("vtr.api").error("unhandled_error", exc_info=error)
    line = capfd.readouterr().err.strip().splitlines()[-1]
    entry: dict[str, object] = json.loads(line)
    return entry


def test_infrastructure_messages_are_kept_and_others_withheld(
    capfd: pytest.CaptureFixture[str],
) -> None:
    refused = log_failure(ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused"), capfd)
    assert "Connection refused" in json.dumps(refused)
    disk = log_failure(sqlite3.OperationalError("database or disk is full"), capfd)
    assert "database or disk is full" in json.dumps(disk)
    personal = log_failure(ValueError(f"bad value {SUBJECT_NAME}"), capfd)
    assert SUBJECT_NAME not in json.dumps(personal)
    assert "withheld" in json.dumps(personal)


def test_a_postgres_error_shows_its_primary_message_never_its_detail(
    postgres_server: dict[str, object],
) -> None:
    with psycopg.connect(dbname="postgres", **postgres_server) as conn:  # type: ignore[arg-type]
        conn.execute("CREATE TEMP TABLE t (name text PRIMARY KEY)")
        conn.execute("INSERT INTO t VALUES (%s)", (SUBJECT_NAME,))
        with pytest.raises(psycopg.errors.UniqueViolation) as failed:
            conn.execute("INSERT INTO t VALUES (%s)", (SUBJECT_NAME,))
    assert SUBJECT_NAME in str(failed.value)  # the driver's full text quotes the row
    described = describe(failed.value)
    assert "duplicate key value violates unique constraint" in described
    assert SUBJECT_NAME not in described


def test_failures_are_named_as_operators_need() -> None:
    assert outage_kind(OSError(errno.ENOSPC, "No space left on device")) == "insufficient-storage"
    full = sqlite3.OperationalError("database or disk is full")
    full.sqlite_errorcode = sqlite3.SQLITE_FULL
    assert outage_kind(full) == "insufficient-storage"
    assert outage_kind(psycopg.OperationalError("server closed")) == "database-unavailable"
