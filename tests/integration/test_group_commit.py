"""Group commit on PostgreSQL: concurrent commands on different referrals share one
transaction, each in its own savepoint; a conflict fails its own command only; a retry
inside a batch gets the first outcome; the log's order stays the order of commits."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from uuid import UUID, uuid4

import psycopg
import pytest
from fastapi import FastAPI

from api.settings import Settings
from commands.application import ReferralLedger
from commands.context import Issued, Outcome
from commands.errors import ConcurrentChangeError
from commands.group_commit import GroupCommitLedgerRecorder
from commands.intake import RecordSecurityChecks
from tests.api_client import Api
from tests.support import ACTORS, referral_form

pytestmark = pytest.mark.parametrize("backend", ["postgres"])


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
    """A first command (the writer, held at the lock), then the others queued behind it: they
    are written together, in one transaction, when the lock is let go."""

    def __init__(self, app: FastAPI, settings: Settings) -> None:
        self.ledger: ReferralLedger = app.state.runtime.ledger
        recorder = self.ledger.recorder
        assert isinstance(recorder, GroupCommitLedgerRecorder), "group commit is on by default"
        self.recorder = recorder
        self.settings = settings

    def checks(self, referral_id: UUID, key: str | None = None) -> Callable[[], Outcome]:
        command = RecordSecurityChecks(expected_version=1)
        return lambda: self.ledger.record_security_checks(referral_id, command, by("triage-1", key))

    def run(
        self, first: Callable[[], Outcome], others: list[Callable[[], Outcome]]
    ) -> tuple[int, list[Future[Outcome]]]:
        """How many transactions the commands took, and their futures (the first's first)."""
        before = self.recorder.batches_committed
        with ThreadPoolExecutor(len(others) + 1) as pool:
            with writes_held(self.settings):
                leader = pool.submit(first)
                until(lambda: self.recorder.writing)
                futures = [pool.submit(command) for command in others]
                until(lambda: self.recorder.waiting == len(others))
            leader.result(timeout=10)
            for future in futures:
                future.exception(timeout=10)
        return self.recorder.batches_committed - before, [leader, *futures]


@pytest.fixture
def batch(api: Api, app: FastAPI, settings: Settings) -> Batch:
    del api  # started: the runtime is open
    return Batch(app, settings)


def test_concurrent_commands_share_a_transaction_in_commit_order(api: Api, batch: Batch) -> None:
    referrals = [api.received(referral_form()) for _ in range(5)]
    transactions, (leader, *futures) = batch.run(
        batch.checks(referrals[0]), [batch.checks(r) for r in referrals[1:]]
    )
    assert transactions == 2  # the writer's own, then the four queued behind it together
    outcomes = [future.result() for future in futures]
    assert [o.version for o in outcomes] == [2, 2, 2, 2]
    # Issued under the lock in one transaction: one run of positions, after the first's.
    positions = sorted(o.position for o in outcomes)
    assert positions == list(range(positions[0], positions[0] + 4))
    assert leader.result().position < positions[0]
    for referral_id, outcome in zip(referrals[1:], outcomes, strict=True):
        history = api.history(referral_id)
        assert [(e["event"], e["position"]) for e in history][-1] == (
            "SecurityChecksRecorded",
            outcome.position,
        )
    assert api.log_position() == max(positions)


def test_a_conflict_in_a_batch_fails_alone(api: Api, batch: Batch) -> None:
    leader, contested, *others = [api.received(referral_form()) for _ in range(4)]
    queued = [
        batch.checks(others[0]),
        batch.checks(contested),
        batch.checks(contested),  # decided on the same version: its versions are taken
        batch.checks(others[1]),
    ]
    transactions, (_, *futures) = batch.run(batch.checks(leader), queued)
    assert transactions == 2
    first, one, another, last = (f.exception() for f in futures)
    assert first is None
    assert last is None
    # Whichever of the two was written first in the batch stands; the other alone is refused.
    assert {type(one), type(another)} == {type(None), ConcurrentChangeError}
    assert [e["event"] for e in api.history(contested)] == [
        "ReferralReceived",
        "SecurityChecksRecorded",
    ]
    for referral_id in others:
        assert [e["event"] for e in api.history(referral_id)][-1] == "SecurityChecksRecorded"


def test_a_retry_inside_a_batch_gets_the_first_outcome(api: Api, batch: Batch) -> None:
    leader, retried, other = [api.received(referral_form()) for _ in range(3)]
    queued = [
        batch.checks(retried, key="checks-7"),
        batch.checks(other),
        batch.checks(retried, key="checks-7"),  # the same command sent again
    ]
    transactions, (_, *futures) = batch.run(batch.checks(leader), queued)
    assert transactions == 2
    one, neighbour, another = (f.result() for f in futures)
    first, retry = sorted([one, another], key=lambda outcome: outcome.replayed)
    assert not first.replayed
    assert retry.replayed
    assert (retry.version, retry.position) == (first.version, first.position)
    assert neighbour.version == 2
    assert [e["event"] for e in api.history(retried)].count("SecurityChecksRecorded") == 1
