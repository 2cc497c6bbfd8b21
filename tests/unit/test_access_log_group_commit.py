"""The access log's group commit: concurrent consultations share one transaction, none is
released before its transaction has committed, a failed batch fails all of its requests and
leaves none of its entries, and entries keep the order they were handed over in."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest
from eventsourcing.persistence import IntegrityError

from api.access.group_commit import GroupCommitLog
from api.access.log import Consultation, ConsultationQuery, SQLiteAccessLog

READERS = 8


def consultation(n: int, **changes: object) -> Consultation:
    made = Consultation(
        recorded_at=datetime(2026, 11, 29, tzinfo=UTC),
        actor_id="police-1",
        role="police",
        agency="Norfolk Constabulary",
        credential="api-token",
        route="get_case",
        consulted="case",
        referral_id=None,
        agency_id=None,
        purpose=None,
        break_glass=False,
        revealed=False,
        outcome="allowed",
        reason=None,
        status=200,
        request_id=f"request-{n}",
    )
    return made.model_copy(update=changes)


class HeldStore(SQLiteAccessLog):
    """A real SQLite log whose first transaction waits until the test lets it commit, so
    the appends made meanwhile queue up; it remembers each transaction's request ids."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.started = threading.Event()
        self.release = threading.Event()
        self.transactions: list[list[str]] = []

    def append_all(self, consultations: Sequence[Consultation]) -> None:
        self.started.set()
        assert self.release.wait(timeout=10)
        super().append_all(consultations)
        self.transactions.append([c.request_id for c in consultations])

    def stored(self) -> list[str]:
        return [c.request_id for c in self.consultations(ConsultationQuery())]


@pytest.fixture(name="store")
def _store(tmp_path: Path) -> HeldStore:
    store = HeldStore(str(tmp_path / "access.sqlite"))
    store.create_table()
    return store


@pytest.fixture(name="log")
def _log(store: HeldStore) -> Iterator[GroupCommitLog]:
    log = GroupCommitLog(store)
    yield log
    store.release.set()
    log.close()


def append_concurrently(
    log: GroupCommitLog, store: HeldStore, entries: list[Consultation]
) -> list[object]:
    """Each entry appended from a thread of its own: the first is held at its commit until
    every other has been handed over, in the order given. What each append raised, or
    whether its entry was stored (committed) when it returned."""
    outcomes: list[object] = [None] * len(entries)

    def reader(n: int) -> None:
        try:
            log.append(entries[n])
            outcomes[n] = entries[n].request_id in store.stored()
        except Exception as error:  # noqa: BLE001 (the test looks at it)
            outcomes[n] = error

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(len(entries))]
    threads[0].start()
    assert store.started.wait(timeout=10)
    for n, thread in enumerate(threads[1:], start=1):
        thread.start()
        while log.waiting < n:  # handed over before the next one starts: a known order
            time.sleep(0.001)
    store.release.set()
    for thread in threads:
        thread.join(timeout=10)
    return outcomes


class TestGroupCommit:
    def test_concurrent_appends_share_commits_and_return_only_once_committed(
        self, log: GroupCommitLog, store: HeldStore
    ) -> None:
        """Eight reads at once: two transactions (the first alone, the seven that waited for
        it together), and every read's entry is stored before its append returns."""
        outcomes = append_concurrently(log, store, [consultation(n) for n in range(READERS)])
        assert outcomes == [True] * READERS
        assert len(store.transactions) == 2
        assert sorted(store.stored()) == sorted(f"request-{n}" for n in range(READERS))

    def test_a_failed_batch_fails_every_waiter_and_writes_none_of_it(
        self, log: GroupCommitLog, store: HeldStore
    ) -> None:
        """A batch with an entry the table refuses (no route) is rolled back whole, and every
        request in it is told so; the batch before it and the next are written as usual."""
        broken = Consultation.model_construct(**{**consultation(2).model_dump(), "route": None})
        entries = [consultation(0), consultation(1), broken, consultation(3)]
        outcomes = append_concurrently(log, store, entries)
        assert outcomes[0] is True
        assert all(isinstance(outcome, IntegrityError) for outcome in outcomes[1:]), outcomes
        assert store.stored() == ["request-0"]
        log.append(consultation(4))
        assert store.stored() == ["request-0", "request-4"]

    def test_entries_keep_the_order_they_were_handed_over_in(
        self, log: GroupCommitLog, store: HeldStore
    ) -> None:
        append_concurrently(log, store, [consultation(n) for n in range(READERS)])
        assert store.transactions[1] == [f"request-{n}" for n in range(1, READERS)]
        assert store.stored() == [f"request-{n}" for n in range(READERS)]

    def test_the_event_loop_waits_without_a_thread(
        self, log: GroupCommitLog, store: HeldStore
    ) -> None:
        """Requests answered in the event loop await their commit, many at once."""
        store.release.set()

        async def reads() -> None:
            await asyncio.gather(*(log.append_async(consultation(n)) for n in range(READERS)))

        asyncio.run(reads())
        assert sorted(store.stored()) == sorted(f"request-{n}" for n in range(READERS))

    def test_close_commits_what_was_handed_over_and_refuses_more(
        self, log: GroupCommitLog, store: HeldStore
    ) -> None:
        store.release.set()
        log.append(consultation(1))
        log.close()
        with pytest.raises(RuntimeError, match="closed"):
            log.append(consultation(2))


class LoopHeldStore(SQLiteAccessLog):
    """A store that appends from the event loop (as the PostgreSQL log does), whose first
    transaction waits until the test lets it commit."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.release = asyncio.Event()
        self.transactions: list[list[str]] = []
        self.refused = "request-3"

    async def append_all_async(self, consultations: Sequence[Consultation]) -> None:
        await self.release.wait()
        if any(c.request_id == self.refused for c in consultations):
            raise IntegrityError("the table refused an entry")
        self.append_all(consultations)
        self.transactions.append([c.request_id for c in consultations])

    def stored(self) -> list[str]:
        return [c.request_id for c in self.consultations(ConsultationQuery())]


class TestTheWriterInTheEventLoop:
    """A store that can append from the event loop is written by a task in the loop: the
    same rules as the thread's."""

    @pytest.fixture(name="loop_store")
    def _loop_store(self, tmp_path: Path) -> LoopHeldStore:
        store = LoopHeldStore(str(tmp_path / "access.sqlite"))
        store.create_table()
        return store

    def test_reads_waiting_meanwhile_share_the_next_commit_in_order(
        self, loop_store: LoopHeldStore
    ) -> None:
        log = GroupCommitLog(loop_store)
        loop_store.refused = ""

        async def reads() -> None:
            first = asyncio.ensure_future(log.append_async(consultation(0)))
            await asyncio.sleep(0)  # the writer has taken the first entry alone
            rest = [asyncio.ensure_future(log.append_async(consultation(n))) for n in range(1, 8)]
            await asyncio.sleep(0.05)
            assert not first.done(), "released before its commit"
            assert loop_store.stored() == []
            loop_store.release.set()
            await asyncio.gather(first, *rest)

        asyncio.run(reads())
        assert loop_store.transactions == [
            ["request-0"],
            [f"request-{n}" for n in range(1, 8)],
        ]
        assert loop_store.stored() == [f"request-{n}" for n in range(8)]
        assert log._writer is None, "no thread was needed"

    def test_a_refused_entry_fails_its_whole_batch_and_writes_none(
        self, loop_store: LoopHeldStore
    ) -> None:
        log = GroupCommitLog(loop_store)

        async def reads() -> list[BaseException | None]:
            first = asyncio.ensure_future(log.append_async(consultation(0)))
            await asyncio.sleep(0)
            rest = [asyncio.ensure_future(log.append_async(consultation(n))) for n in (2, 3, 4)]
            loop_store.release.set()
            outcomes = await asyncio.gather(first, *rest, return_exceptions=True)
            after = await asyncio.gather(log.append_async(consultation(5)))
            return [*outcomes, *after]

        outcomes = asyncio.run(reads())
        assert outcomes[0] is None
        assert all(isinstance(outcome, IntegrityError) for outcome in outcomes[1:4])
        assert outcomes[4] is None, "the next batch is written"
        assert loop_store.stored() == ["request-0", "request-5"]
        log.close()
