"""Erasure by key destruction: the content is gone from every store, the envelope stays.

The stores never hold personal data in clear (see test_sealed_at_rest), so what erasure has
to remove is whatever could still open it: the case's wrapped data keys. The test shows
they are in the stores before, and neither they, the raw keys, nor any key that still opens
the case's ciphertexts are anywhere after.
"""

from __future__ import annotations

import base64
import json
from typing import Any
from uuid import UUID

import psycopg
import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from fastapi import FastAPI
from fastapi.testclient import TestClient
from psycopg.sql import SQL, Identifier

from api.bootstrap import Runtime
from api.http.app import create_app
from api.settings import Settings
from events.personal import KeyGroup
from tests.api_client import Api
from tests.integration.test_sealed_at_rest import raw_sqlite_bytes
from tests.section8_support import case_with_disclosures, erase_case
from tests.sharing_support import CHILDRENS, SCHOOL, register_agencies
from tests.support import (
    NARRATIVE,
    REFERRER_NAME,
    RELATIVE_NAME,
    SUBJECT_ADDRESS,
    SUBJECT_NAME,
    FixedClock,
    find_personal_data,
)

DISCLOSED = "Known associate of a proscribed group"  # the content of every test disclosure


def store_values(settings: Settings) -> list[bytes]:
    """Every stored value of the product: all files of the embedded store, or every column
    of every row of every table in the event-store and key-store databases."""
    if settings.store == "sqlite":
        return [raw_sqlite_bytes(settings.data_dir, stem) for stem in ("events", "views", "keys")]
    values: list[bytes] = []
    for database in (settings.pg_database, settings.keystore_database):
        with psycopg.connect(**settings.postgres_connection(database)) as conn:  # type: ignore[arg-type]
            tables = conn.execute(
                "SELECT schemaname, tablename FROM pg_tables "
                "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
            ).fetchall()
            for schema, table in tables:
                query = SQL("SELECT * FROM {0}.{1}").format(Identifier(schema), Identifier(table))
                for row in conn.execute(query).fetchall():
                    values.extend(_as_bytes(value) for value in row if value is not None)
    return values


def _as_bytes(value: Any) -> bytes:
    return bytes(value) if isinstance(value, bytes | memoryview) else str(value).encode()


def found(needle: bytes, values: list[bytes]) -> bool:
    forms = {needle, base64.b64encode(needle), needle.hex().encode()}
    return any(form in value for value in values for form in forms)


def sealed_fields(runtime: Runtime, referral_id: UUID) -> list[tuple[int, str, dict[str, str]]]:
    sealed = []
    for stored in runtime.ledger.ledger_recorder.select_history(referral_id):
        for name, value in json.loads(stored.state).items():
            if isinstance(value, dict) and "$sealed" in value:
                sealed.append((stored.originator_version, name, value))
    return sealed


def opens(key: bytes, referral_id: UUID, version: int, name: str, sealed: dict[str, str]) -> bool:
    raw = base64.b64decode(sealed["ct"])
    aad = f"{referral_id}|{version}|{name}|{sealed['$sealed']}".encode()
    try:
        AESGCM(key).decrypt(raw[:12], raw[12:], aad)
    except InvalidTag:
        return False
    return True


def register_rows(api: Api, agency_id: UUID) -> list[dict[str, Any]]:
    response = api.client.get(
        f"/agencies/{agency_id}/disclosure-register",
        params={"after_position": api.log_position()},
        headers=api.headers("dpo-1"),
    )
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()["rows"]
    return rows


def envelope(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events without their sealed fields' markers (which say sealed or erased)."""
    return [
        {
            **event,
            "data": {
                k: v
                for k, v in event["data"].items()
                if not (isinstance(v, dict) and "withheld" in v)
            },
        }
        for event in events
    ]


def test_erasure_leaves_nothing_that_opens_the_content_and_keeps_the_envelope(
    api: Api, clock: FixedClock, settings: Settings, app: FastAPI
) -> None:
    runtime: Runtime = app.state.runtime
    agencies = register_agencies(api)
    erased = case_with_disclosures(api, clock, agencies, "2026-03-05", [[CHILDRENS, SCHOOL]])
    kept = case_with_disclosures(api, clock, agencies, "2026-03-09", [[SCHOOL]])
    wrapped = runtime.keystore.select_owner_keys(erased)
    raw_keys = [runtime.ledger.keyring.unwrap_raw(key) for key in wrapped]
    revealed_before = str(api.history(erased, reveal=True))
    assert {SUBJECT_NAME, SUBJECT_ADDRESS, REFERRER_NAME, RELATIVE_NAME} <= set(
        find_personal_data(revealed_before)
    )
    assert DISCLOSED in revealed_before
    register_before = register_rows(api, agencies[SCHOOL])
    envelope_before = envelope(api.history(erased))
    before = store_values(settings)
    assert len(wrapped) == 3
    assert all(found(key.wrapped_key or b"", before) for key in wrapped), "test cannot fail"

    erase_case(api, erased)

    assert api.history(erased)[-1]["event"] == "ErasureExecuted"
    after = store_values(settings)
    searched = "\n".join(value.decode("utf-8", "replace") for value in after)
    assert find_personal_data(searched) == []
    assert DISCLOSED not in searched
    assert NARRATIVE not in searched
    for key in wrapped:
        assert not found(key.wrapped_key or b"", after), f"wrapped key {key.key_id} survives"
    for raw in raw_keys:
        assert not found(raw, after)
    live_keys = [
        runtime.ledger.keyring.unwrap_raw(key)
        for key in runtime.keystore.select_all_keys()
        if key.wrapped_key is not None
    ]
    # The controller's reasoning (why it was erased) is sealed under a key no erasure takes.
    controller_key = runtime.ledger.keyring.live_key_ids(erased)[KeyGroup.CONTROLLER]
    ciphertexts = [c for c in sealed_fields(runtime, erased) if c[2]["$sealed"] != controller_key]
    kept_reasons = [c[:2] for c in sealed_fields(runtime, erased) if c not in ciphertexts]
    assert [name for _, name in kept_reasons] == ["reason"]
    assert ciphertexts, "the erased case's ciphertexts are still stored (and unreadable)"
    for version, name, sealed in ciphertexts:
        assert not any(opens(key, erased, version, name, sealed) for key in live_keys)

    revealed = api.history(erased, reveal=True)
    assert find_personal_data(str(revealed)) == []
    assert DISCLOSED not in str(revealed)
    received = revealed[0]["data"]
    assert received["subject"]["withheld"] == "erased"
    assert envelope(api.history(erased))[: len(envelope_before)] == envelope_before
    assert register_rows(api, agencies[SCHOOL]) == register_before
    assert DISCLOSED in str(api.history(kept, reveal=True)), "another case's content is intact"
    assert SUBJECT_NAME in str(api.history(kept, reveal=True))

    record = next(e for e in api.history(erased) if e["event"] == "ErasureExecuted")["data"]
    assert sorted(record["key_ids"]) == sorted(key.key_id for key in wrapped)
    assert sorted(r["name"] for r in record["recipients_to_notify"]) == sorted([CHILDRENS, SCHOOL])
    assert (record["requested_by"], record["approved_by"]) == ("dpo-1", "dpo-2")

    runtime.projections.stop()
    runtime.projections.rebuild()
    assert register_rows(api, agencies[SCHOOL]) == register_before
    assert api.case(erased)["erased_groups"] == ["subject", "third_party", "referrer"]


@pytest.mark.parametrize(
    ("erase", "gone", "still_there"),
    [
        (["third_party"], [RELATIVE_NAME], [SUBJECT_NAME, REFERRER_NAME]),
        (["subject"], [SUBJECT_NAME, SUBJECT_ADDRESS], [RELATIVE_NAME, REFERRER_NAME]),
    ],
)
def test_a_key_group_is_erased_without_the_others(
    api: Api,
    clock: FixedClock,
    erase: list[str],
    gone: list[str],
    still_there: list[str],
) -> None:
    agencies = register_agencies(api)
    referral_id = case_with_disclosures(api, clock, agencies, "2026-03-05", [[SCHOOL]])
    erase_case(api, referral_id, erase)
    revealed = str(api.history(referral_id, reveal=True))
    left = find_personal_data(revealed)
    assert not set(gone) & set(left)
    assert set(still_there) <= set(left)


def test_erasures_are_reapplied_after_the_key_store_is_restored_from_a_backup(
    api: Api, clock: FixedClock, app: FastAPI
) -> None:
    runtime: Runtime = app.state.runtime
    agencies = register_agencies(api)
    referral_id = case_with_disclosures(api, clock, agencies, "2026-03-05", [[SCHOOL]])
    backup = runtime.keystore.select_owner_keys(referral_id)
    erase_case(api, referral_id)
    runtime.keystore.rewrap_keys(backup)  # the backup's wrapped keys are back
    assert SUBJECT_NAME in str(api.history(referral_id, reveal=True))

    assert runtime.ledger.reapply_erasures() == 1

    erasable = [
        key
        for key in runtime.keystore.select_owner_keys(referral_id)
        if key.key_group is not KeyGroup.CONTROLLER
    ]
    assert erasable
    assert all(key.wrapped_key is None for key in erasable)
    assert find_personal_data(str(api.history(referral_id, reveal=True))) == []


def test_a_restart_on_a_key_store_restored_from_before_an_erasure_erases_again(
    settings: Settings, clock: FixedClock
) -> None:
    """A key store restored from an older backup brings destroyed keys back; the service
    finds them at start, from the erasures in the log, and destroys them again."""
    with TestClient(create_app(settings, clock=clock)) as client:
        api = Api(client)
        runtime: Runtime = client.app.state.runtime  # type: ignore[attr-defined]
        agencies = register_agencies(api)
        referral_id = case_with_disclosures(api, clock, agencies, "2026-03-05", [[SCHOOL]])
        backup = runtime.keystore.select_owner_keys(referral_id)
        erase_case(api, referral_id)
        runtime.keystore.rewrap_keys(backup)  # the restore, while the service is down
    with TestClient(create_app(settings, clock=clock)) as client:
        api = Api(client)
        assert find_personal_data(str(api.history(referral_id, reveal=True))) == []
        runtime = client.app.state.runtime  # type: ignore[attr-defined]
        erasable = [
            key
            for key in runtime.keystore.select_owner_keys(referral_id)
            if key.key_group is not KeyGroup.CONTROLLER
        ]
        assert erasable
        assert all(key.wrapped_key is None for key in erasable)
