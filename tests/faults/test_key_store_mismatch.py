"""A wrong, empty or older key store is recognised: startup is refused with one clear line, a
running service answers `503 key-store-mismatch` (and is not ready) instead of a 500, and no
new key is ever made in place of one a case's stored events were sealed under. Back on the
right key store, everything reads as before.

The stores are changed around the service as an operator's tools would: the key store's rows
are replaced (by those of an empty store, of another ledger's, or of an older backup of this
one), and the tables of ledger identity dropped to make stores as older code left them.
"""

from __future__ import annotations

import base64
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any, Literal, LiteralString, NamedTuple
from uuid import UUID

import psycopg
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.bootstrap import Runtime, StartupError, load_master_key, open_runtime
from api.http.app import create_app
from api.settings import Settings
from events.statements import POSTGRES, SQLITE, Field, sqlite_text
from tests.api.test_cli import cli_env, run
from tests.api_client import Api
from tests.conftest import make_settings
from tests.faults.fault_tally import tally
from tests.faults.test_startup_failures import one_clear_line
from tests.section8_support import case_with_disclosures, erase_case
from tests.sharing_support import SCHOOL, register_agencies
from tests.support import NARRATIVE, SUBJECT_NAME, FixedClock, find_personal_data, referral_form

Store = Literal["keys", "events"]
KEYS = {"sqlite": "data_keys", "postgres": "vtr_data_keys"}
IDENTITY = {
    ("keys", "sqlite"): "ledger_identity",
    ("keys", "postgres"): "vtr_key_store_ledger",
    ("events", "sqlite"): "ledger_identity",
    ("events", "postgres"): "vtr_ledger_identity",
}
KEY_COLUMNS = (
    "key_id",
    "owner_id",
    "key_group",
    "wrapped_key",
    "master_key_fingerprint",
    "created_at",
    "destroyed_at",
)
ASK_FOR_MORE = {"information_needed": f"Has the school seen that {NARRATIVE}?"}


class KeyStoreRows(NamedTuple):
    identity: list[tuple[Any, ...]]
    keys: list[tuple[Any, ...]]


EMPTY = KeyStoreRows([], [])


@pytest.fixture
def other_settings(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Settings]:
    """Another ledger, on the same backend and server."""
    (tmp_path / "other").mkdir()
    yield from make_settings(backend, tmp_path / "other", request)


def sql(
    settings: Settings, store: Store, template: LiteralString, *params: Any, **names: Field
) -> list[tuple[Any, ...]]:
    """Run `template` on the store, its `{names}` quoted as identifiers, `{mark}` bound."""
    if settings.store == "sqlite":
        path = settings.data_dir / f"{store}.sqlite"
        statement = sqlite_text(SQLITE.statement(template, **names))
        with closing(sqlite3.connect(path)) as embedded, embedded:
            return embedded.execute(statement, params).fetchall()
    database = settings.keystore_database if store == "keys" else settings.pg_database
    connection = settings.postgres_connection(database)
    with psycopg.connect(**connection, autocommit=True) as server:  # type: ignore[arg-type]
        cursor = server.execute(POSTGRES.statement(template, **names), params)
        return cursor.fetchall() if cursor.description else []


def identity_table(settings: Settings, store: Store) -> str:
    return IDENTITY[store, settings.store]


def ledger_id(settings: Settings, store: Store) -> UUID | None:
    rows = sql(
        settings, store, "SELECT ledger_id FROM {table}", table=identity_table(settings, store)
    )
    return UUID(str(rows[0][0])) if rows else None


def key_store_rows(settings: Settings) -> KeyStoreRows:
    identity = sql(
        settings, "keys", "SELECT * FROM {table}", table=identity_table(settings, "keys")
    )
    keys = sql(
        settings,
        "keys",
        "SELECT {columns} FROM {table} ORDER BY key_id",
        columns=KEY_COLUMNS,
        table=KEYS[settings.store],
    )
    return KeyStoreRows(sorted(identity), [tuple(_plain(value) for value in key) for key in keys])


def replace_key_store(settings: Settings, rows: KeyStoreRows) -> None:
    """What a restore or a swap does: the key store now holds exactly `rows`."""
    identity, keys = identity_table(settings, "keys"), KEYS[settings.store]
    sql(settings, "keys", "DELETE FROM {table}", table=identity)
    sql(settings, "keys", "DELETE FROM {table}", table=keys)
    for row in rows.identity:
        sql(
            settings,
            "keys",
            "INSERT INTO {table} VALUES ({mark}, {mark}, {mark})",
            *row,
            table=identity,
        )
    for row in rows.keys:
        sql(
            settings,
            "keys",
            "INSERT INTO {table} ({columns}) "
            "VALUES ({mark}, {mark}, {mark}, {mark}, {mark}, {mark}, {mark})",
            *row,
            table=keys,
            columns=KEY_COLUMNS,
        )


def _plain(value: Any) -> Any:
    return bytes(value) if isinstance(value, memoryview) else value


def with_master_key_of(settings: Settings, other: Settings) -> Settings:
    """`settings` under the master key of `other`, so only whose key store it is differs."""
    key = base64.b64encode(load_master_key(other)).decode()
    return settings.model_copy(update={"master_key": SecretStr(key)})


def another_ledgers_key_store(
    settings: Settings, other: Settings, clock: FixedClock
) -> KeyStoreRows:
    other = with_master_key_of(other, settings)
    with TestClient(create_app(other, clock=clock)) as client:
        Api(client).received(referral_form())
    return key_store_rows(other)


def runtime_of(client: TestClient) -> Runtime:
    runtime: Runtime = client.app.state.runtime  # type: ignore[attr-defined]
    return runtime


def events_in(client: TestClient) -> int:
    return runtime_of(client).ledger.ledger_recorder.count_events()


def assert_key_store_mismatch(response: Any) -> dict[str, Any]:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert int(response.headers["Retry-After"]) > 0
    problem: dict[str, Any] = response.json()
    assert problem["type"] == "urn:vtr-ledger:problem:key-store-mismatch"
    assert "key store" in problem["detail"]
    assert "nothing was recorded" in problem["detail"]
    assert find_personal_data(response.text) == []
    assert "wrapped" not in response.text
    return problem


def reveal(client: TestClient, api: Api, referral_id: UUID) -> Any:
    return client.get(
        f"/referrals/{referral_id}/history",
        params={"reveal": True},
        headers=api.headers("triage-1"),
    )


def revealed(settings: Settings, clock: FixedClock, referral_ids: list[UUID]) -> list[Any]:
    with TestClient(create_app(settings, clock=clock)) as client:
        api = Api(client)
        return [api.history(referral_id, reveal=True) for referral_id in referral_ids]


@pytest.mark.parametrize("wrong", ["empty", "another ledger's", "empty, and both from older code"])
def test_a_restart_against_a_wrong_key_store_is_refused_until_the_right_one_is_back(
    settings: Settings, other_settings: Settings, clock: FixedClock, wrong: str
) -> None:
    with TestClient(create_app(settings, clock=clock)) as client:
        api = Api(client)
        cases = [api.received(referral_form()) for _ in range(2)]
        api.ok(cases[0], "security-checks", by="triage-1")
        api.ok(cases[0], "further-information-requests", ASK_FOR_MORE, by="triage-1")
        before = [api.history(referral_id, reveal=True) for referral_id in cases]
    assert SUBJECT_NAME in find_personal_data(str(before))
    ours = key_store_rows(settings)
    ledger = ledger_id(settings, "events")
    assert ledger is not None
    assert ours.identity
    assert UUID(str(ours.identity[0][1])) == ledger
    older = wrong.endswith("older code")
    stranger = (
        another_ledgers_key_store(settings, other_settings, clock)
        if wrong == "another ledger's"
        else EMPTY
    )
    replace_key_store(settings, stranger)
    if older:  # an install from before ledger identities, now next to an empty key store
        for store in ("keys", "events"):
            sql(settings, store, f"DROP TABLE {identity_table(settings, store)}")
        ours = ours._replace(identity=[])
    tally.fault(
        "restart against " + ("another ledger's" if stranger.keys else "an empty") + " key store"
    )

    with pytest.raises(StartupError) as refused:
        open_runtime(settings, clock=clock)

    line = str(refused.value)
    assert "belongs to another ledger" in line
    assert "\n" not in line
    assert (str(ledger) in line) is not older
    where = (
        str(settings.data_dir / "keys.sqlite")
        if settings.store == "sqlite"
        else f"database {settings.keystore_database}"
    )
    assert where in line
    assert ("VTR_DATA_DIR" if settings.store == "sqlite" else "VTR_PG_KEYSTORE_DATABASE") in line
    if stranger.keys:
        assert str(stranger.identity[0][1]) in line
    assert key_store_rows(settings) == stranger, "no key made, no identity written"
    assert ledger_id(settings, "events") == (None if older else ledger)

    if stranger.keys:  # the command line says the same, in one line, and exits non-zero
        served = run("serve", env=cli_env(settings))
        assert served.returncode != 0
        assert "belongs to another ledger" in one_clear_line(served.stderr)
        assert key_store_rows(settings) == stranger

    replace_key_store(settings, ours)
    assert revealed(settings, clock, cases) == before


@pytest.mark.parametrize("wrong", ["empty", "another ledger's"])
def test_a_key_store_swapped_under_the_running_service_is_not_ready_and_answers_503(
    settings: Settings, other_settings: Settings, clock: FixedClock, wrong: str
) -> None:
    stranger = EMPTY
    if wrong != "empty":
        open_runtime(settings, clock=clock).close()  # our master key, for the other ledger
        stranger = another_ledgers_key_store(settings, other_settings, clock)
    with TestClient(create_app(settings, clock=clock)) as client:
        api = Api(client)
        # Checked at every use here, not every few seconds, so the test need not wait.
        runtime_of(client).ledger.keyring.recheck_seconds = 0
        referral_id = api.received(referral_form())
        api.ok(referral_id, "security-checks", by="triage-1")
        before = api.history(referral_id, reveal=True)
        assert client.get("/readyz").status_code == 200
        ours = key_store_rows(settings)
        events = events_in(client)
        replace_key_store(settings, stranger)
        tally.fault(f"key store swapped under the API ({wrong})")

        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert "not this ledger's" in ready.json()["checks"]["key_store"]
        assert_key_store_mismatch(reveal(client, api, referral_id))
        assert_key_store_mismatch(
            api.send(referral_id, "further-information-requests", ASK_FOR_MORE, by="triage-1")
        )
        assert_key_store_mismatch(api.receive(referral_form()))
        assert api.history(referral_id) != [], "what is in clear still reads"

        assert events_in(client) == events, "nothing was stored"
        assert key_store_rows(settings) == stranger, "no key was made in the wrong store"

        replace_key_store(settings, ours)
        assert client.get("/readyz").status_code == 200
        assert api.history(referral_id, reveal=True) == before
        api.ok(referral_id, "further-information-requests", ASK_FOR_MORE, by="triage-1")
        api.received(referral_form())


def test_an_older_copy_of_the_key_store_never_gets_new_keys_for_existing_cases(
    settings: Settings, clock: FixedClock
) -> None:
    with TestClient(create_app(settings, clock=clock)) as client:
        api = Api(client)
        agencies = register_agencies(api)
        erased = case_with_disclosures(api, clock, agencies, "2026-03-05", [[SCHOOL]])
        erase_case(api, erased)
        kept = api.received(referral_form())
        backup = key_store_rows(settings)
        later = api.received(referral_form())  # its keys are not in the backup
        for case in (kept, later):
            api.ok(case, "security-checks", by="triage-1")
        before = {case: api.history(case, reveal=True) for case in (erased, kept, later)}
        versions = dict(api.versions)
    full = key_store_rows(settings)
    replace_key_store(settings, backup)  # this ledger's key store, restored from the backup
    tally.fault("key store restored from an older backup")

    with TestClient(create_app(settings, clock=clock)) as client:
        api = Api(client)
        api.versions.update(versions)
        assert client.get("/readyz").status_code == 200, "it is this ledger's key store"
        assert api.history(kept, reveal=True) == before[kept]
        assert api.history(erased, reveal=True) == before[erased], "erased reads as erased"
        events = events_in(client)

        problem = assert_key_store_mismatch(reveal(client, api, later))
        later_keys = {row[0] for row in full.keys if row[1] == str(later)}
        assert set(problem["key_ids"]) <= later_keys
        assert problem["key_ids"]
        refused = api.send(later, "further-information-requests", ASK_FOR_MORE, by="triage-1")
        assert set(assert_key_store_mismatch(refused)["key_ids"]) == later_keys
        assert events_in(client) == events, "nothing was stored"
        assert key_store_rows(settings) == backup, "no new key for the case"
        api.ok(kept, "further-information-requests", ASK_FOR_MORE, by="triage-1")

    replace_key_store(settings, full)
    after = revealed(settings, clock, [later])
    assert after == [before[later]]


@pytest.mark.parametrize("older", ["both stores", "the key store"])
def test_stores_from_before_ledger_identities_are_given_one(
    settings: Settings, clock: FixedClock, older: str
) -> None:
    with TestClient(create_app(settings, clock=clock)) as client:
        api = Api(client)
        cases = [api.received(referral_form()) for _ in range(2)]
        before = [api.history(referral_id, reveal=True) for referral_id in cases]
    first = ledger_id(settings, "events")
    # As older code left them: no table of ledger identity (in the key store, or in both).
    for store in ("keys", "events") if older == "both stores" else ("keys",):
        sql(settings, store, f"DROP TABLE {identity_table(settings, store)}")

    assert revealed(settings, clock, cases) == before

    ledger = ledger_id(settings, "events")
    assert ledger is not None
    assert ledger_id(settings, "keys") == ledger
    if older == "the key store":
        assert ledger == first, "the key store takes the event store's identity"
    with TestClient(create_app(settings, clock=clock)) as client:  # and they stay paired
        assert client.get("/readyz").status_code == 200
        Api(client).received(referral_form())
