"""Wakes a projection worker as soon as PostgreSQL announces new events (LISTEN/NOTIFY).

The event store issues NOTIFY on its table's channel in every write transaction; listening
turns the worker's timer into a fallback rather than its pace.
"""

from __future__ import annotations

import selectors
import socket
import threading
from collections.abc import Callable, Mapping

import psycopg
import structlog
from psycopg.sql import SQL, Identifier

log = structlog.get_logger("vtr.projections")


class PostgresWakeUp:
    def __init__(
        self,
        connection_kwargs: Mapping[str, object],
        channel: str,
        wake: Callable[[], None],
        check_seconds: float = 1.0,
    ) -> None:
        self._kwargs = dict(connection_kwargs)
        self._channel = channel
        self._wake = wake
        self._check_seconds = check_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        # Stopping writes a byte to the second of these: the listener waits on its
        # connection and on the first at once, so it ends now rather than at its next check.
        self._stop_signal: tuple[socket.socket, socket.socket] | None = None

    def start(self) -> None:
        self._stop.clear()
        self._stop_signal = socket.socketpair()
        self._thread = threading.Thread(
            target=self._listen_forever, args=(self._stop_signal[0],), name="pg-listen", daemon=True
        )
        self._thread.start()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def stop(self) -> None:
        if self._thread is None or self._stop_signal is None:
            return
        self._stop.set()
        self._stop_signal[1].send(b"\0")
        self._thread.join(timeout=5)
        if not self._thread.is_alive():
            for end in self._stop_signal:
                end.close()
            self._thread = self._stop_signal = None

    def _listen_forever(self, stopping: socket.socket) -> None:
        while not self._stop.is_set():
            try:
                self._listen(stopping)
            except psycopg.Error as error:
                log.warning("listen_interrupted", error=type(error).__name__)
                self._stop.wait(2.0)

    def _listen(self, stopping: socket.socket) -> None:
        with (
            psycopg.connect(**self._kwargs, autocommit=True) as conn,  # type: ignore[arg-type]
            selectors.DefaultSelector() as waiting,
        ):
            conn.execute(SQL("LISTEN {0}").format(Identifier(self._channel)))
            waiting.register(conn.fileno(), selectors.EVENT_READ)
            waiting.register(stopping, selectors.EVENT_READ)
            while not self._stop.is_set():
                waiting.select(self._check_seconds)
                # Reads what arrived (or finds the connection gone: psycopg.Error).
                for _ in conn.notifies(timeout=0.0):
                    self._wake()
