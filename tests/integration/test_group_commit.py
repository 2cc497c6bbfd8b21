"""Group commit on PostgreSQL: concurrent commands on different referrals share one
transaction, each in its own savepoint; a conflict fails its own command only; a retry
inside a batch gets the first outcome; the log's order stays the order of commits."""

from __future__ import annotations

import pytest
from fastapi import FastAPI

from api.settings import Settings
from commands.errors import ConcurrentChangeError
from tests.api_client import Api
from tests.group_commit_support import Batch
from tests.support import referral_form

pytestmark = pytest.mark.parametrize("backend", ["postgres"])


@pytest.fixture
def batch(api: Api, app: FastAPI, settings: Settings) -> Batch:
    del api  # started: the runtime is open
    return Batch(app, settings)


def test_concurrent_commands_share_a_transaction_in_commit_order(api: Api, batch: Batch) -> None:
    referrals = [api.received(referral_form()) for _ in range(5)]
    before = api.log_position()
    transactions, futures = batch.run([batch.checks(r) for r in referrals])
    assert transactions == 1
    outcomes = [future.result() for future in futures]
    assert [o.version for o in outcomes] == [2] * 5
    # Issued under the lock in one transaction: one run of positions, after those before.
    positions = sorted(o.position for o in outcomes)
    assert positions == list(range(before + 1, before + 6))
    for referral_id, outcome in zip(referrals, outcomes, strict=True):
        history = api.history(referral_id)
        assert [(e["event"], e["position"]) for e in history][-1] == (
            "SecurityChecksRecorded",
            outcome.position,
        )
    assert api.log_position() == max(positions)


def test_a_conflict_in_a_batch_fails_alone(api: Api, batch: Batch) -> None:
    contested, *others = [api.received(referral_form()) for _ in range(3)]
    commands = [
        batch.checks(others[0]),
        batch.checks(contested),
        batch.checks(contested),  # decided on the same version: its versions are taken
        batch.checks(others[1]),
    ]
    transactions, futures = batch.run(commands)
    assert transactions == 1
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
    retried, other = [api.received(referral_form()) for _ in range(2)]
    commands = [
        batch.checks(retried, key="checks-7"),
        batch.checks(other),
        batch.checks(retried, key="checks-7"),  # the same command sent again
    ]
    transactions, futures = batch.run(commands)
    assert transactions == 1
    one, neighbour, another = (f.result() for f in futures)
    first, retry = sorted([one, another], key=lambda outcome: outcome.replayed)
    assert not first.replayed
    assert retry.replayed
    assert (retry.version, retry.position) == (first.version, first.position)
    assert neighbour.version == 2
    assert [e["event"] for e in api.history(retried)].count("SecurityChecksRecorded") == 1
