"""Group commit for the access log: concurrent consultations share one durable commit.

Every consultation must be in the log before its answer leaves (DPA 2018 s.62), so each read
waits for a commit; on its own, each read would pay a transaction of its own. Here one
writer thread takes every consultation waiting at that moment, appends them in one
transaction, and only once it has committed releases their requests together. A read that
arrives while a commit is under way waits for the next one, with whatever else arrived
meanwhile: no timer, so a lone reader waits for its own commit and no longer.

What it keeps true:
- nothing is released before the transaction that holds it has committed;
- a batch that fails fails every request in it (the gate then answers 503), and its
  transaction holds all of its entries or none;
- entries are stored in the order they were handed over, and one writer per process means
  batches commit in turn, so entry numbers follow commit order (the sealer follows the log
  by entry number and must never find a gap that fills in later; see `append_all`).

A store that can append from the event loop itself (PostgreSQL, through an asynchronous
connection) is written by a writer task in the loop instead of the thread: the requests of
one server all wait in its loop, and handing each batch to a thread and waking the loop
again cost more than the commit. The same rules hold; the thread remains for callers
outside a loop and for the embedded store.
"""

from __future__ import annotations

import asyncio
import queue
import threading
import weakref
from collections.abc import Awaitable, Callable, Iterator, Sequence
from concurrent.futures import Future
from typing import Final, Protocol
from uuid import UUID

from api.access.log import AccessLog, Consultation, ConsultationQuery
from events.integrity.entries import StoredConsultation

MAX_BATCH = 500  # entries per transaction: bounds a transaction however long the queue grows
Waiting = tuple[Consultation, "Future[None]"]
_STOP: Final = None


class BatchLog(AccessLog, Protocol):
    """A store that appends several entries in one transaction, in the order given."""

    def append_all(self, consultations: Sequence[Consultation]) -> None: ...


InLoopAppend = Callable[[Sequence[Consultation]], Awaitable[None]]


class _LoopWriter:
    """The writer of one event loop: a task that appends every entry waiting when it takes
    them, and takes again until none is left (the thread's rules, in the loop)."""

    def __init__(self, append: InLoopAppend) -> None:
        self._append = append
        self._waiting: list[tuple[Consultation, asyncio.Future[None]]] = []
        self._task: asyncio.Task[None] | None = None

    def hand_over(self, consultation: Consultation) -> asyncio.Future[None]:
        committed = asyncio.get_running_loop().create_future()
        self._waiting.append((consultation, committed))
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._write())
        return committed

    async def _write(self) -> None:
        try:
            while self._waiting:
                batch = self._waiting[:MAX_BATCH]
                del self._waiting[:MAX_BATCH]
                try:
                    await self._append([consultation for consultation, _ in batch])
                except Exception as error:  # noqa: BLE001 (handed to every waiter, who raises it)
                    for _, committed in batch:
                        committed.set_exception(error)
                else:
                    for _, committed in batch:
                        committed.set_result(None)
        finally:
            self._task = None


class GroupCommitLog:
    """The access log with its appends gathered into shared commits by one writer thread.

    Reads go straight to the store. The writer starts with the first append and stops
    when the log is closed, after committing what it was handed."""

    def __init__(self, store: BatchLog) -> None:
        self.store = store
        self._waiting: queue.SimpleQueue[Waiting | None] = queue.SimpleQueue()
        self._writer: threading.Thread | None = None
        self._lock = threading.Lock()  # guards starting and stopping the writer
        self._closed = False
        self._append_in_loop: InLoopAppend | None = getattr(store, "append_all_async", None)
        self._loop_writers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopWriter] = (
            weakref.WeakKeyDictionary()
        )

    def append(self, consultation: Consultation) -> None:
        """Return once the consultation is committed; raise what failed its batch."""
        self._hand_over(consultation).result()

    async def append_async(self, consultation: Consultation) -> None:
        """`append` for the event loop: waits without holding a thread. Shielded: a request
        cancelled meanwhile (its client gone) still has its consultation logged."""
        if self._append_in_loop is None:
            await asyncio.shield(asyncio.wrap_future(self._hand_over(consultation)))
            return
        if self._closed:
            raise RuntimeError("the access log is closed")
        loop = asyncio.get_running_loop()
        writer = self._loop_writers.get(loop)
        if writer is None:
            writer = self._loop_writers[loop] = _LoopWriter(self._append_in_loop)
        await asyncio.shield(writer.hand_over(consultation))

    @property
    def waiting(self) -> int:
        """Entries handed over and not yet taken into a transaction."""
        return self._waiting.qsize()

    def _hand_over(self, consultation: Consultation) -> Future[None]:
        committed: Future[None] = Future()
        with self._lock:
            if self._closed:
                raise RuntimeError("the access log is closed")
            if self._writer is None:
                self._writer = threading.Thread(
                    target=self._write, name="access-log-writer", daemon=True
                )
                self._writer.start()
            self._waiting.put((consultation, committed))
        return committed

    def _write(self) -> None:
        while batch := self._next_batch():
            self._commit(batch)

    def _next_batch(self) -> list[Waiting]:
        """Wait for one entry, then take every other entry already waiting (an empty batch
        once the log is closed and everything before the close is committed)."""
        first = self._waiting.get()
        if first is _STOP:
            return []
        batch = [first]
        while len(batch) < MAX_BATCH:
            try:
                waiting = self._waiting.get_nowait()
            except queue.Empty:
                break
            if waiting is _STOP:
                self._waiting.put(_STOP)  # seen again after this batch is committed
                break
            batch.append(waiting)
        return batch

    def _commit(self, batch: list[Waiting]) -> None:
        # Running futures can no longer be cancelled, so every one of them gets its answer.
        # (None is cancelled before: requests wait shielded. Were one, its entry is still
        # written: the log may hold a read whose answer never left, never the reverse.)
        waiters = [committed for _, committed in batch if committed.set_running_or_notify_cancel()]
        try:
            self.store.append_all([consultation for consultation, _ in batch])
        except Exception as error:  # noqa: BLE001 (handed to every waiter, who raises it)
            for committed in waiters:
                committed.set_exception(error)
        else:
            for committed in waiters:
                committed.set_result(None)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            writer, self._writer = self._writer, None
        if writer is not None:
            self._waiting.put(_STOP)
            writer.join()
        self.store.close()

    # Everything else is the store's.

    def create_table(self) -> None:
        self.store.create_table()

    def consultations(self, query: ConsultationQuery) -> Iterator[Consultation]:
        return self.store.consultations(query)

    def latest_position(self) -> int:
        return self.store.latest_position()

    def read(self, after: int, up_to: int, limit: int) -> list[tuple[int, StoredConsultation]]:
        return self.store.read(after, up_to, limit)

    def case_entries(self, referral_id: UUID) -> list[StoredConsultation]:
        return self.store.case_entries(referral_id)

    def check_writable(self) -> None:
        self.store.check_writable()
