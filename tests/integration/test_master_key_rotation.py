"""Master-key rotation re-wraps every data key and touches no event; a missing or wrong master
key stops the service with a clear error."""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.bootstrap import StartupError, load_master_key, open_keystore, open_runtime
from api.http.app import create_app
from api.settings import Settings
from commands.keyring import KeyRingError, rotate_master_key
from tests.api.test_cli import cli_env, run
from tests.api_client import Api
from tests.conftest import make_settings
from tests.section8_support import case_with_disclosures, erase_case
from tests.sharing_support import SCHOOL, register_agencies
from tests.support import SUBJECT_NAME, FixedClock, find_personal_data, referral_form


def stored_events(settings: Settings, clock: FixedClock) -> list[tuple[Any, ...]]:
    runtime = open_runtime(settings, clock=clock)
    try:
        notifications = runtime.ledger.recorder.select_notifications(start=1, limit=10_000)
        return [
            (n.id, n.originator_id, n.originator_version, n.topic, n.state) for n in notifications
        ]
    finally:
        runtime.close()


def with_master_key(settings: Settings, key: bytes) -> Settings:
    return settings.model_copy(update={"master_key": SecretStr(base64.b64encode(key).decode())})


def test_rotation_keeps_every_case_readable_and_the_old_key_is_refused(
    settings: Settings, clock: FixedClock
) -> None:
    with TestClient(create_app(settings, clock=clock)) as client:
        api = Api(client)
        agencies = register_agencies(api)
        kept = case_with_disclosures(api, clock, agencies, "2026-03-05", [[SCHOOL]])
        erased = case_with_disclosures(api, clock, agencies, "2026-03-09", [[SCHOOL]])
        erase_case(api, erased)
        kept_before = api.history(kept, reveal=True)
        erased_before = api.history(erased, reveal=True)
    assert SUBJECT_NAME in find_personal_data(str(kept_before))
    events_before = stored_events(settings, clock)
    old = load_master_key(settings)
    new = os.urandom(32)

    store = open_keystore(settings)
    try:
        report = rotate_master_key(store, old, new)
        again = rotate_master_key(store, old, new)  # an interrupted rotation can run again
        with pytest.raises(KeyRingError, match="same as the current"):
            rotate_master_key(store, new, new)
    finally:
        store.close()
    # Each case's three groups, and the erased case's controller key (its erasure's reason).
    assert (report.rewrapped, report.destroyed) == (4, 3)
    assert (again.rewrapped, again.already_rotated) == (0, 7)

    rotated = with_master_key(settings, new)
    assert stored_events(rotated, clock) == events_before, "no event was touched"
    with TestClient(create_app(rotated, clock=clock)) as client:
        api = Api(client)
        assert api.history(kept, reveal=True) == kept_before
        assert api.history(erased, reveal=True) == erased_before

    with pytest.raises(StartupError, match="not the one that wrapped"):
        open_runtime(with_master_key(settings, old), clock=clock)


def test_the_cli_rotates_the_embedded_store_key_and_replaces_its_file(
    tmp_path: Path, request: pytest.FixtureRequest, clock: FixedClock
) -> None:
    (settings,) = make_settings("sqlite", tmp_path, request)  # the embedded store's key file
    with TestClient(create_app(settings, clock=clock)) as client:
        api = Api(client)
        agencies = register_agencies(api)
        referral_id = case_with_disclosures(api, clock, agencies, "2026-03-05", [[SCHOOL]])
        before = api.history(referral_id, reveal=True)
    old_file = settings.default_master_key_file.read_text(encoding="ascii")
    env = cli_env(VTR_DATA_DIR=str(settings.data_dir))
    new_key = run("new-master-key", env=env).stdout.strip()
    key_file = tmp_path / "new.key"
    key_file.write_text(new_key + "\n", encoding="ascii")

    rotated = run("rotate-master-key", "--new-key-file", str(key_file), env=env)

    assert rotated.returncode == 0, rotated.stderr
    assert "Re-wrapped 3 data keys" in rotated.stdout
    assert settings.default_master_key_file.read_text(encoding="ascii").strip() == new_key
    assert new_key not in rotated.stdout + rotated.stderr
    assert old_file.strip() != new_key
    with TestClient(create_app(settings, clock=clock)) as client:
        assert Api(client).history(referral_id, reveal=True) == before


def test_a_missing_or_wrong_master_key_is_a_clear_startup_error(
    settings: Settings, clock: FixedClock
) -> None:
    open_runtime(settings, clock=clock).close()
    with TestClient(create_app(settings, clock=clock)) as client:
        Api(client).received(referral_form())
    with pytest.raises(StartupError, match="not the one that wrapped"):
        open_runtime(with_master_key(settings, os.urandom(32)), clock=clock)
    if settings.store == "sqlite":
        settings.default_master_key_file.unlink()
        with pytest.raises(StartupError, match=r"master key file .* is missing"):
            open_runtime(settings, clock=clock)
    else:
        with pytest.raises(StartupError, match="needs VTR_MASTER_KEY"):
            open_runtime(settings.model_copy(update={"master_key": None}), clock=clock)
