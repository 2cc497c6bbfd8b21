"""Commands sent together to the group-commit recorder, held at the event table's lock until
all of them queue up, so they are written in one transaction."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from uuid import UUID, uuid4

import psycopg
from fastapi import FastAPI

from api.settings import Settings
from commands.application import ReferralLedger
from commands.context import Issued, Outcome
from commands.group_commit import GroupCommitLedgerRecorder
from commands.intake import RecordSecurityChecks
from tests.support import ACTORS


def by(actor_id: str, key: str | None = None) -> Issued:
    return Issued(ACTORS[actor_id], uuid4(), key)


def until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 10
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


@contextmanager
def writes_held(settings: Settings) -> Iterator[None]:
    """Another session holds the event table's write lock until the block ends, so the
    commands sent meanwhile queue up behind the writer."""
    connection = psycopg.connect(**settings.postgres_connection(settings.pg_database))  # type: ignore[arg-type]
    try:
        connection.execute("LOCK TABLE vtr_events IN EXCLUSIVE MODE")
        yield
    finally:
        connection.rollback()
        connection.close()


class Batch:
    """Commands sent while another session holds the event table's lock: they queue up behind
    the writer waiting for it, and are written together when it is let go."""

    def __init__(self, app: FastAPI, settings: Settings) -> None:
        self.ledger: ReferralLedger = app.state.runtime.ledger
        recorder = self.ledger.recorder
        assert isinstance(recorder, GroupCommitLedgerRecorder), "group commit is on by default"
        self.recorder = recorder
        self.settings = settings

    def checks(self, referral_id: UUID, key: str | None = None) -> Callable[[], Outcome]:
        command = RecordSecurityChecks(expected_version=1)
        return lambda: self.ledger.record_security_checks(referral_id, command, by("triage-1", key))

    def run(self, commands: list[Callable[[], Outcome]]) -> tuple[int, list[Future[Outcome]]]:
        """How many transactions the commands took, and their futures."""
        before = self.recorder.batches_committed
        with ThreadPoolExecutor(len(commands)) as pool:
            with writes_held(self.settings):
                futures = [pool.submit(command) for command in commands]
                until(lambda: self.recorder.writing and self.recorder.waiting == len(commands))
            for future in futures:
                future.exception(timeout=10)
        return self.recorder.batches_committed - before, futures
