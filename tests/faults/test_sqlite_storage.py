"""The embedded store on a data folder that turns read-only for a while, or fills up: the
service answers 503 (read-only) or 507 (full), says when a read fails only because the access
log cannot be written, reports not ready, and recovers without a restart. The folder is a
small tmpfs the test mounts itself; where mounting is not allowed, the test is skipped and says
why."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from eventsourcing.persistence import OperationalError
from eventsourcing.sqlite import SQLiteDatastore
from fastapi.testclient import TestClient

from api.http.app import create_app
from api.settings import Settings
from events.datastores import RecoveringSQLiteDatastore, read_only_failure
from tests.api_client import Api
from tests.conftest import make_settings
from tests.faults.fault_tally import tally
from tests.support import FixedClock, referral_form

pytestmark = pytest.mark.sqlite
MOUNT_SIZE = "32m"


def _mount(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (fixed arguments)
        ["mount", *args],  # noqa: S607 (the system's mount)
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )


@pytest.fixture
def small_folder(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "mnt"
    folder.mkdir()
    mounted = _mount("-t", "tmpfs", "-o", f"size={MOUNT_SIZE}", "tmpfs", str(folder))
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({mounted.stderr.strip()}): needs root in a "
                    "container that allows mounts")  # fmt: skip
    try:
        yield folder
    finally:
        _mount("-o", "remount,rw", str(folder))
        subprocess.run(["umount", "-l", str(folder)], check=False, timeout=30)  # noqa: S603, S607


@pytest.fixture
def api_on_plain_folder(
    tmp_path: Path, request: pytest.FixtureRequest, clock: FixedClock
) -> Iterator[Api]:
    settings: Settings
    for settings in make_settings("sqlite", tmp_path, request):
        with TestClient(create_app(settings, clock=clock)) as client:
            yield Api(client)


@pytest.fixture
def api_on(small_folder: Path, request: pytest.FixtureRequest, clock: FixedClock) -> Iterator[Api]:
    settings: Settings
    for settings in make_settings("sqlite", small_folder, request):
        with TestClient(create_app(settings, clock=clock)) as client:
            yield Api(client)


def wait_ready(api: Api) -> None:
    deadline = time.monotonic() + 15
    while api.client.get("/readyz").status_code != 200:
        assert time.monotonic() < deadline, api.client.get("/readyz").text
        time.sleep(0.2)


def test_a_connection_opened_while_the_store_was_read_only_is_replaced(tmp_path: Path) -> None:
    """SQLite opens a database read-only when it cannot be written at that moment, and such a
    connection stays read-only: the library's pool keeps it and fails every later write
    through it. Ours closes it on its first failure, so the next write gets a fresh one.
    (Simulated with SQLite's own read-only mode, since the test runs as root, for whom a
    folder's permissions do not apply, and a busy tmpfs cannot be remounted read-only.)"""
    path = tmp_path / "store.sqlite"
    for datastore_class in (SQLiteDatastore, RecoveringSQLiteDatastore):
        path.unlink(missing_ok=True)
        writable = f"file:{path}"
        datastore = datastore_class(db_name=writable)
        with datastore.transaction(commit=True) as c:
            c.execute("CREATE TABLE t (x INTEGER)")
        datastore.close()
        datastore = datastore_class(db_name=f"file:{path}?mode=ro")  # the folder turns read-only
        with pytest.raises(OperationalError) as failed, datastore.transaction(commit=True) as c:
            c.execute("INSERT INTO t VALUES (1)")
        tally.fault("store read-only")
        assert read_only_failure(failed.value)
        datastore.pool.db_name = writable  # ...and writable again
        outcomes = []
        for value in (2, 3):
            try:
                with datastore.transaction(commit=True) as c:
                    c.execute("INSERT INTO t VALUES (?)", (value,))
                outcomes.append("written")
            except OperationalError:
                outcomes.append("refused")
        datastore.close()
        if datastore_class is SQLiteDatastore:
            assert outcomes == ["refused", "refused"]  # the defect, in the library's pool
        else:
            assert outcomes == ["written", "written"]
            tally.acknowledged(2)


def test_readiness_says_when_a_store_cannot_be_written(api_on_plain_folder: Api) -> None:
    api = api_on_plain_folder
    runtime = api.client.app.state.runtime  # type: ignore[attr-defined]
    access_log = runtime.access_log.store  # the store under the group-commit writer
    assert api.client.get("/readyz").status_code == 200
    writable = access_log._datastore.pool.db_name
    access_log._datastore.close()
    access_log._datastore = RecoveringSQLiteDatastore(db_name=f"file:{writable}?mode=ro")
    tally.fault("access log read-only")
    ready = api.client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["checks"]["access_log"].startswith("unavailable")
    referral_id = api.received(referral_form())  # a command needs no access-log entry
    read = api.client.get(f"/referrals/{referral_id}", headers=api.headers("triage-1"))
    assert (read.status_code, read.json()["type"]) == (
        503,
        "urn:vtr-ledger:problem:access-log-unavailable",
    )
    assert "no case data is served without a record" in read.json()["detail"]
    access_log._datastore.close()
    access_log._datastore = RecoveringSQLiteDatastore(db_name=writable)
    assert api.client.get("/readyz").status_code == 200
    tally.acknowledged(1)


def test_a_full_disk(api_on: Api, small_folder: Path) -> None:
    api = api_on
    referral_id = api.received(referral_form())
    filler = small_folder / "filler"
    with filler.open("wb") as fill:
        try:
            while True:
                fill.write(b"\0" * 1024 * 1024)
                fill.flush()
        except OSError:
            pass
    tally.fault("disk full")
    try:
        command = api.send(referral_id, "security-checks", by="triage-1")
        assert command.status_code == 507, command.text
        assert command.json()["type"] == "urn:vtr-ledger:problem:insufficient-storage"
    finally:
        filler.unlink()
    wait_ready(api)
    recorded = api.send(referral_id, "security-checks", by="triage-1")
    assert recorded.status_code == 200, recorded.text
    assert [e["event"] for e in api.history(referral_id)] == [
        "ReferralReceived",
        "SecurityChecksRecorded",
    ]
    tally.acknowledged(1)
