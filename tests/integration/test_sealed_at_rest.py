"""Personal data is sealed in the stores themselves, not just hidden by the API."""

from __future__ import annotations

from pathlib import Path

import psycopg
from psycopg.sql import SQL, Identifier

from api.settings import Settings
from tests import lifecycle
from tests.api_client import Api
from tests.support import (
    REFERRER_NAME,
    SUBJECT_ADDRESS,
    SUBJECT_DOB,
    SUBJECT_NAME,
    FixedClock,
    find_personal_data,
    referral_form,
)


def raw_sqlite_bytes(directory: Path, stem: str) -> bytes:
    """Every byte of an SQLite database, write-ahead log included."""
    return b"".join(path.read_bytes() for path in sorted(directory.glob(f"{stem}.sqlite*")))


def raw_postgres_text(settings: Settings, database: str) -> str:
    """Every row of every table in a PostgreSQL database, as text."""
    chunks: list[str] = []
    with psycopg.connect(**settings.postgres_connection(database)) as conn:  # type: ignore[arg-type]
        tables = conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        ).fetchall()
        for (table,) in tables:
            for row in conn.execute(SQL("SELECT * FROM {0}").format(Identifier(table))).fetchall():
                chunks.extend(
                    bytes(value).decode("utf-8", "replace")
                    if isinstance(value, (bytes, memoryview))
                    else str(value)
                    for value in row
                )
    return "\n".join(chunks)


def test_no_personal_data_in_plain_text_in_any_store(
    api: Api, clock: FixedClock, settings: Settings
) -> None:
    referral_id = lifecycle.full_lifecycle(api, clock)

    # The service itself can still open what it sealed...
    revealed = str(api.history(referral_id, reveal=True))
    assert {SUBJECT_NAME, SUBJECT_DOB, SUBJECT_ADDRESS, REFERRER_NAME} <= set(
        find_personal_data(revealed)
    )
    # ...but the API shows it withheld unless asked.
    assert find_personal_data(str(api.history(referral_id))) == []

    if settings.store == "sqlite":
        data = settings.data_dir
        for stem in ("events", "views", "keys"):
            raw = raw_sqlite_bytes(data, stem).decode("utf-8", "replace")
            assert raw, f"{stem} store is empty"
            assert find_personal_data(raw) == [], stem
        events_raw = raw_sqlite_bytes(data, "events")
        assert b"vtr.referral.ReferralReceived" in events_raw
        assert b"data_keys" not in events_raw, "data keys must live apart from the events"
    else:
        events = raw_postgres_text(settings, settings.pg_database)
        keys = raw_postgres_text(settings, settings.keystore_database)
        assert "vtr.referral.ReferralReceived" in events
        assert find_personal_data(events) == []
        assert find_personal_data(keys) == []
        assert str(referral_id) in keys, "the key store holds this referral's wrapped keys"


def test_subject_relatives_and_referrer_are_sealed_under_separate_keys(api: Api) -> None:
    referral_id = api.received(referral_form())
    received = api.history(referral_id)[0]["data"]
    key_of = {
        field: received[field]["key_id"]
        for field in (
            "subject",
            "concern",
            "partner_and_parents",
            "children_and_siblings",
            "referrer",
        )
    }
    assert key_of["subject"] == key_of["concern"]
    assert key_of["partner_and_parents"] == key_of["children_and_siblings"]
    assert len({key_of["subject"], key_of["partner_and_parents"], key_of["referrer"]}) == 3
    assert all(received[field]["withheld"] == "sealed" for field in key_of)
