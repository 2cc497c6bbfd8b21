"""Following the notification log into the case view, a batch per transaction.

The feed decodes events with their personal data still sealed: a projection worker needs
no key and never holds plaintext. Each batch of view updates is saved with the log position
it reaches, in one transaction, so a crash or restart repeats nothing and skips nothing; and
only if the view still stands where the batch was read from, so workers following the same
view never apply an event twice.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Sequence
from typing import Generic, Protocol, TypeVar

import structlog
from eventsourcing.persistence import ApplicationRecorder

from events.base import DomainEvent
from events.storage import EventMapper

log = structlog.get_logger("vtr.projections")

Positioned = tuple[int, DomainEvent]
Entry = TypeVar("Entry")
Entry_contra = TypeVar("Entry_contra", contravariant=True)


class Feed(Protocol[Entry]):
    """A log read in order: each entry with its position."""

    def latest_position(self) -> int: ...

    def read(self, after: int, up_to: int, limit: int) -> list[tuple[int, Entry]]: ...


class Follower(Protocol[Entry_contra]):
    """What follows a log: where it stands, and how it applies a batch (see `Projection`)."""

    @property
    def name(self) -> str: ...

    def position(self) -> int: ...

    def apply(self, batch: Sequence[tuple[int, Entry_contra]], after: int, up_to: int) -> bool: ...


EventFeed = Feed[DomainEvent]


class RecorderFeed:
    """The application's notification log, decoded with personal data left sealed."""

    def __init__(
        self,
        recorder: ApplicationRecorder,
        topics: Iterable[str],
        mapper: EventMapper | None = None,
    ) -> None:
        self._recorder = recorder
        self._mapper = mapper or EventMapper(keys=None)
        self._topics = tuple(topics)

    def latest_position(self) -> int:
        return self._recorder.max_notification_id() or 0

    def read(self, after: int, up_to: int, limit: int) -> list[Positioned]:
        notifications = self._recorder.select_notifications(
            start=after, limit=limit, stop=up_to, topics=self._topics, inclusive_of_start=False
        )
        return [(n.id, self._mapper.to_domain_event(n)) for n in notifications]


class Projection(Protocol):
    """A read model that follows the log: what it reads, where it stands, how it applies."""

    @property
    def name(self) -> str: ...

    @property
    def topics(self) -> tuple[str, ...]: ...

    def position(self) -> int: ...

    def apply(self, batch: Sequence[Positioned], after: int, up_to: int) -> bool:
        """Apply a batch read after `after` and move to `up_to`, all in one transaction, if
        the view still stands at `after`; False, with nothing written, if another worker
        moved it first."""
        ...


class ProjectionWorker(Generic[Entry]):
    """Keeps a projection up to date with the log, waking on saves, notifications or a timer."""

    def __init__(
        self,
        feed: Feed[Entry],
        projection: Follower[Entry],
        *,
        batch_size: int = 500,
        poll_interval: float = 1.0,
        gather: float = 0.0,
    ) -> None:
        self.feed = feed
        self.projection = projection
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        # A follower nobody waits for (the sealer) lets a wake-up gather the saves that
        # follow it, so one pass seals many commands instead of one pass each.
        self.gather = gather
        self.last_error: str | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def catch_up(self) -> int:
        """Project everything recorded so far; returns how many events were applied."""
        target = self.feed.latest_position()
        position = self.projection.position()
        applied = 0
        while position < target:
            batch = self.feed.read(after=position, up_to=target, limit=self.batch_size)
            up_to = batch[-1][0] if len(batch) == self.batch_size else target
            if self.projection.apply(batch, position, up_to):
                position = up_to
                applied += len(batch)
                continue
            # Another worker applied this batch first: nothing is wrong, go on from where
            # it left the view.
            log.debug(
                "projection_batch_superseded",
                projection=self.projection.name,
                after=position,
                up_to=up_to,
            )
            position = self.projection.position()
        return applied

    def lag(self) -> int:
        return self.feed.latest_position() - self.projection.position()

    def wake(self, _position: int | None = None) -> None:
        self._wake.set()

    def run(self) -> None:
        """Follow the log until `stop()` is called; a failure is logged and retried."""
        failures = 0
        while not self._stop.is_set():
            self._wake.clear()
            try:
                self.catch_up()
            except Exception as error:  # a worker must survive and retry
                failures += 1
                self.last_error = type(error).__name__
                log.exception("projection_failed", error=type(error).__name__, failures=failures)
                self._stop.wait(min(30.0, 0.5 * 2**failures))
                continue
            failures = 0
            self.last_error = None
            if self._wake.wait(self.poll_interval) and self.gather:
                self._stop.wait(self.gather)

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self.run, name=f"projection-{self.projection.name}", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()


def wait_for_position(
    projection: Follower[Entry], position: int, timeout: float, poll: float = 0.02
) -> bool:
    """Wait until the view reflects `position` (read-your-writes); False if time ran out."""
    deadline = time.monotonic() + timeout
    while projection.position() < position:
        if time.monotonic() >= deadline:
            return False
        time.sleep(poll)
    return True
