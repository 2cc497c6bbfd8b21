"""Every id the ledger records and every time it stamps come from what it was given: the ids
of commands issued over HTTP from its id source, the destruction of an erased case's keys
from its clock. A replay or a test that fixes both gets the same record every time."""

from __future__ import annotations

import itertools
import sqlite3
from contextlib import closing
from uuid import NAMESPACE_URL, UUID, uuid5

import psycopg
import pytest
from fastapi import FastAPI

from api.bootstrap import Runtime
from api.http.app import create_app
from api.settings import Settings
from tests.api_client import Api
from tests.section8_support import erase_case
from tests.support import FixedClock, referral_form


class DrawnIds:
    """An id source that remembers every id it handed out."""

    def __init__(self) -> None:
        self._numbers = itertools.count(1)
        self.drawn: list[UUID] = []

    def __call__(self) -> UUID:
        drawn = uuid5(NAMESPACE_URL, f"urn:vtr-ledger:test:{next(self._numbers)}")
        self.drawn.append(drawn)
        return drawn


@pytest.fixture
def ids() -> DrawnIds:
    return DrawnIds()


@pytest.fixture
def app(settings: Settings, clock: FixedClock, ids: DrawnIds) -> FastAPI:
    return create_app(settings, clock=clock, new_id=ids)


def test_commands_issued_over_http_take_their_ids_from_the_ledgers_id_source(
    api: Api, app: FastAPI, ids: DrawnIds
) -> None:
    referral_id = api.received(referral_form())
    api.ok(referral_id, "security-checks", by="triage-1")
    api.ok(referral_id, "screen-in", {"rationale": "Meets the threshold."}, by="triage-1")

    runtime: Runtime = app.state.runtime
    command_ids = [event.audit.command_id for _, event in runtime.ledger.history(referral_id)]
    assert len(command_ids) == len(set(command_ids)) == 3
    assert referral_id in ids.drawn
    assert set(command_ids) <= set(ids.drawn)


def test_an_erased_cases_keys_are_stamped_destroyed_by_the_ledgers_clock(
    api: Api, settings: Settings, clock: FixedClock
) -> None:
    referral_id = api.received(referral_form())
    executed_at = clock.advance(days=400)
    erase_case(api, referral_id)

    stamps = destruction_stamps(settings, referral_id)
    assert stamps, "the case had keys to destroy"
    assert set(stamps) == {executed_at.isoformat()}


def destruction_stamps(settings: Settings, owner_id: UUID) -> list[str]:
    """When the key store says each destroyed key of the owner was destroyed."""
    query = "SELECT destroyed_at FROM {table} WHERE owner_id = {mark} AND wrapped_key IS NULL"
    if settings.store == "sqlite":
        path = settings.data_dir / "keys.sqlite"
        with closing(sqlite3.connect(path)) as conn:
            rows = conn.execute(query.format(table="data_keys", mark="?"), (str(owner_id),))
            return [str(stamp) for (stamp,) in rows.fetchall()]
    connection = settings.postgres_connection(settings.keystore_database)
    with psycopg.connect(**connection) as conn:  # type: ignore[arg-type]
        found = conn.execute(query.format(table="vtr_data_keys", mark="%s"), (str(owner_id),))
        return [str(stamp) for (stamp,) in found.fetchall()]
