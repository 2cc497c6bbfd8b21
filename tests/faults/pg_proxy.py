"""A TCP proxy between the service and PostgreSQL that injects the faults of a real network:
an outage (every connection cut, new ones refused) and the loss of a COMMIT's acknowledgement
(the server committed; the client never hears so). Loopback only.
"""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress

# PostgreSQL's CommandComplete message for a COMMIT: type 'C', length 11, "COMMIT\0".
COMMIT_COMPLETE = b"C\x00\x00\x00\x0bCOMMIT\x00"
# The event store takes this lock in every write transaction, and nothing else does: it marks
# the connection whose COMMIT is the one to lose.
EVENT_WRITE = b"LOCK TABLE"
# The library prepares that statement: a connection's later writes only name it (a Bind of
# the statement its Parse named), so the names it was prepared under are remembered too.
PREPARED_WRITE = re.compile(rb"P.{4}(_pg3_\d+)\x00[^\x00]*LOCK TABLE", re.DOTALL)


class PostgresProxy:
    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self._upstream = (upstream_host, upstream_port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._down = False
        self._drop_next_commit = False
        self.commits_dropped = 0
        self.outages = 0
        self._stopping = False
        self._thread = threading.Thread(target=self._accept, name="pg-proxy", daemon=True)
        self._thread.start()

    def drop_next_commit_acknowledgement(self) -> None:
        """The next event-store COMMIT reaches the server, which commits; its answer is lost
        on the way back and the connection dies, as when a network fails at the worst moment."""
        with self._lock:
            self._drop_next_commit = True

    @contextmanager
    def outage(self) -> Iterator[None]:
        """PostgreSQL unreachable: open connections cut, new ones refused, until the block ends."""
        with self._lock:
            self._down = True
            self.outages += 1
            doomed = list(self._open)
        for connection in doomed:
            _close(connection)
        try:
            yield
        finally:
            with self._lock:
                self._down = False

    def close(self) -> None:
        self._stopping = True
        _close(self._listener)
        with self._lock:
            doomed = list(self._open)
        for connection in doomed:
            _close(connection)

    def _accept(self) -> None:
        while not self._stopping:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                down = self._down
            if down:
                _close(client)
                continue
            try:
                server = socket.create_connection(self._upstream, timeout=5)
            except OSError:
                _close(client)
                continue
            server.settimeout(None)
            with self._lock:
                self._open.update({client, server})
            writing = _Writes()  # this connection has begun an event-store write
            threading.Thread(
                target=self._pump, args=(client, server, writing, False), daemon=True
            ).start()
            threading.Thread(
                target=self._pump, args=(server, client, writing, True), daemon=True
            ).start()

    def _pump(
        self,
        source: socket.socket,
        target: socket.socket,
        writing: _Writes,
        from_server: bool,
    ) -> None:
        try:
            while chunk := source.recv(65536):
                if not from_server and writing.begun_in(chunk):
                    writing.set()
                if from_server and COMMIT_COMPLETE in chunk and writing.is_set():
                    writing.clear()
                    if self._take_commit():
                        before, _, _ = chunk.partition(COMMIT_COMPLETE)
                        target.sendall(before)
                        break
                target.sendall(chunk)
        except OSError:
            pass
        finally:
            for connection in (source, target):
                _close(connection)
                with self._lock:
                    self._open.discard(connection)

    def _take_commit(self) -> bool:
        with self._lock:
            if not self._drop_next_commit:
                return False
            self._drop_next_commit = False
            self.commits_dropped += 1
            return True


class _Writes(threading.Event):
    """Whether a connection has begun an event-store write, and the names under which it
    prepared the statement that begins one."""

    def __init__(self) -> None:
        super().__init__()
        self.prepared: set[bytes] = set()

    def begun_in(self, chunk: bytes) -> bool:
        self.prepared.update(PREPARED_WRITE.findall(chunk))
        named = (b"\x00" + name + b"\x00" for name in self.prepared)
        return EVENT_WRITE in chunk or any(name in chunk for name in named)


def _close(connection: socket.socket) -> None:
    with suppress(OSError):
        connection.shutdown(socket.SHUT_RDWR)
    connection.close()
