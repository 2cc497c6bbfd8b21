"""When a store fails: a fast, honest answer instead of a 500, and a log line that says why.

A database that is down, saturated, read-only or full is not the client's mistake and not a
bug: it is `503 Service Unavailable` (with `Retry-After`), or `507 Insufficient Storage` for
a full disk. An answer to a command never claims that nothing was stored, because a store
that failed mid-commit may have stored it: it says how to find out (retry with the same
Idempotency-Key, which answers with the recorded outcome).
"""

from __future__ import annotations

import errno
import sqlite3
from http import HTTPStatus

import psycopg
import structlog
from eventsourcing.persistence import InterfaceError, OperationalError, PersistenceError
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from psycopg_pool import PoolTimeout

from api.http.problems import problem

log = structlog.get_logger("vtr.api")
RETRY_AFTER_SECONDS = 2
OUTAGES: tuple[type[Exception], ...] = (
    OperationalError,
    InterfaceError,
    PersistenceError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
    sqlite3.OperationalError,
    OSError,
)


class AccessLogUnavailableError(Exception):
    """A read that would be served cannot be recorded in the access log: it is not served."""


def install_outage_handlers(app: FastAPI) -> None:
    for outage in (*OUTAGES, AccessLogUnavailableError):
        app.add_exception_handler(outage, _unavailable)


def outage_kind(error: BaseException) -> str:
    """What failed, in the operator's words: read from the error and the errors it wraps."""
    for cause in _chain(error):
        if isinstance(cause, AccessLogUnavailableError):
            return "access-log-unavailable"
        if _disk_full(cause):
            return "insufficient-storage"
        if _read_only(cause):
            return "store-read-only"
        if isinstance(cause, PoolTimeout):
            return "database-busy-or-down"
    return "database-unavailable"


async def _unavailable(request: Request, error: Exception) -> JSONResponse:
    kind = outage_kind(error)
    log.error("store_unavailable", kind=kind, error=describe(error))
    status = HTTPStatus.INSUFFICIENT_STORAGE if kind == "insufficient-storage" else 503
    response = problem(status, kind, "The service cannot answer now", _detail(kind, request.method))
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _detail(kind: str, method: str) -> str:
    what = {
        "access-log-unavailable": "The access log cannot be written, and no case data is served "
        "without a record of who read it.",
        "insufficient-storage": "The store is out of disk space.",
        "store-read-only": "The store cannot be written at the moment.",
        "database-busy-or-down": "The database gave no connection in time (down or saturated).",
        "database-unavailable": "The database is unavailable.",
    }[kind]
    if method == "POST":
        return (
            f"{what} The command may or may not have been recorded: send it again with the same "
            "Idempotency-Key (a recorded command is answered with its outcome, nothing twice), "
            "or read the case before deciding again."
        )
    return f"{what} Retry shortly."


def describe(error: BaseException) -> str:
    """The failure as an operator needs it: the class, and the driver's or the system's own
    message (never a message that could quote request content). A PostgreSQL error gives its
    primary message only: its detail lines can quote row values."""
    parts = []
    for cause in _chain(error):
        name = type(cause).__name__
        if isinstance(cause, psycopg.Error):
            primary = cause.diag.message_primary
            parts.append(f"{name}: {primary or _first_line(cause)}")
        elif isinstance(cause, sqlite3.Error | OSError | PoolTimeout):
            parts.append(f"{name}: {_first_line(cause)}")
        else:
            parts.append(name)
    return " <- ".join(parts)


def _chain(error: BaseException) -> list[BaseException]:
    found: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in found:
        found.append(current)
        current = current.__cause__ or current.__context__
    return found


def _disk_full(error: BaseException) -> bool:
    if isinstance(error, OSError) and error.errno == errno.ENOSPC:
        return True
    return getattr(error, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL


def _read_only(error: BaseException) -> bool:
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None and code & 0xFF == sqlite3.SQLITE_READONLY:
        return True
    return isinstance(error, OSError) and error.errno in {errno.EROFS, errno.EACCES}


def _first_line(error: BaseException) -> str:
    return str(error).splitlines()[0][:300] if str(error) else ""
