"""Structured logs: JSON lines (or console on a terminal), one canonical line per request.

Tracebacks keep the exception type and the frames but neither local variables nor the
exception's message: either can hold personal data that some library copied from input.
Standard-library loggers (uvicorn, the libraries) go through the same pipeline.
"""

from __future__ import annotations

import logging
import sys
import traceback
from typing import Any, Literal, TextIO

import structlog
from structlog.tracebacks import ExceptionDictTransformer
from structlog.types import EventDict, ExcInfo, Processor, WrappedLogger

WITHHELD = "(message withheld from logs: it may contain personal data)"

SHARED: list[Processor] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def configure_logging(
    log_format: Literal["auto", "json", "console"] = "auto", level: str = "INFO"
) -> None:
    console = log_format == "console" or (log_format == "auto" and sys.stderr.isatty())
    renderer: Processor = (
        structlog.dev.ConsoleRenderer(exception_formatter=_traceback_without_message)
        if console
        else structlog.processors.JSONRenderer()
    )
    no_locals = ExceptionDictTransformer(show_locals=False)
    exceptions: list[Processor] = (
        []
        if console
        else [structlog.processors.ExceptionRenderer(no_locals), _withhold_exception_messages]
    )
    structlog.configure(
        processors=[*SHARED, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=SHARED,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            *exceptions,
            renderer,
        ],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("uvicorn.access",):
        logging.getLogger(noisy).disabled = True
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True


# Failures of the infrastructure (the database driver, its pool, the operating system): their
# messages say why a store failed (connection refused, disk full, lock timeout) and never
# quote a request, so operators see them. Only the first line: a PostgreSQL error's detail
# lines can quote row values.
INFRASTRUCTURE_ERRORS = frozenset(
    {
        "OperationalError",
        "InterfaceError",
        "PoolTimeout",
        "TooManyRequests",
        "QueryCanceled",
        "LockNotAvailable",
        "AdminShutdown",
        "CannotConnectNow",
        "ConnectionTimeout",
        "OSError",
        "ConnectionRefusedError",
        "ConnectionResetError",
        "BrokenPipeError",
        "TimeoutError",
        "PermissionError",
        "FileNotFoundError",
    }
)


def _withhold_exception_messages(
    _logger: WrappedLogger, _method: str, event: EventDict
) -> EventDict:
    stacks: Any = event.get("exception")
    if isinstance(stacks, list):
        for stack in stacks:
            if isinstance(stack, dict) and "exc_value" in stack:
                stack["exc_value"] = _shown_message(stack)
    return event


def _shown_message(stack: dict[str, Any]) -> str:
    value = str(stack.get("exc_value") or "")
    if stack.get("exc_type") in INFRASTRUCTURE_ERRORS and value:
        return value.splitlines()[0][:300]
    return WITHHELD


def _traceback_without_message(stream: TextIO, exc_info: ExcInfo) -> None:
    exc_type, _value, tb = exc_info
    stream.write("Traceback (most recent call last):\n")
    stream.writelines(traceback.format_tb(tb))
    stream.write(f"{exc_type.__name__}: {WITHHELD}\n")
