"""Wakes a projection worker as soon as PostgreSQL announces new events (LISTEN/NOTIFY).

The event store issues NOTIFY on its table's channel in every write transaction; listening
turns the worker's timer into a fallback rather than its pace.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping

import psycopg
import structlog
from psycopg.sql import SQL, Identifier

log = structlog.get_logger("vtr.projections")


class PostgresWakeUp:
    def __init__(
        self, connection_kwargs: Mapping[str, object], channel: str, wake: Callable[[], None]
    ) -> None:
        self._kwargs = dict(connection_kwargs)
        self._channel = channel
        self._wake = wake
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._listen_forever, name="pg-listen", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _listen_forever(self) -> None:
        while not self._stop.is_set():
            try:
                self._listen()
            except psycopg.Error as error:
                log.warning("listen_interrupted", error=type(error).__name__)
                self._stop.wait(2.0)

    def _listen(self) -> None:
        with psycopg.connect(**self._kwargs, autocommit=True) as conn:  # type: ignore[arg-type]
            conn.execute(SQL("LISTEN {0}").format(Identifier(self._channel)))
            while not self._stop.is_set():
                for _ in conn.notifies(timeout=1.0, stop_after=1):
                    self._wake()
