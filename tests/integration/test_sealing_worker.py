"""In production the `project` worker seals the logs and signs their checkpoints (the API
runs none of it); verify reports events left unsealed longer than the allowed lag, and once
the worker has run the record verifies intact, checkpointed."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.bootstrap import open_worker_projections
from api.http.app import create_app
from api.settings import Settings
from tests.api_client import Api
from tests.conftest import make_settings
from tests.integration.test_tamper_evidence import cli_environment, verify
from tests.support import FixedClock, referral_form

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def settings(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Settings]:
    yield from make_settings(
        backend, tmp_path, request, projections="external", checkpoint_every_events=1
    )


def sealed_size(settings: Settings) -> tuple[int, int]:
    projections = open_worker_projections(settings)
    try:
        sealing = projections.sealing
        latest = sealing.checkpoints.latest("events")
        return sealing.sealer("events").head().size, latest.size if latest else 0
    finally:
        projections.close()


def test_the_worker_seals_and_signs_and_a_lagging_seal_is_reported(settings: Settings) -> None:
    with TestClient(create_app(settings, clock=FixedClock())) as client:
        api = Api(client)
        for _ in range(3):
            answer = client.post(
                "/referrals", json=referral_form(), headers=api.headers("triage-1")
            )
            assert answer.status_code == 201, answer.text
        recorded = client.app.state.runtime.ledger.recorder.max_notification_id()  # type: ignore[attr-defined]

    lagging = verify(settings)
    assert lagging.returncode == 1, lagging.stdout + lagging.stderr
    assert "NOT INTACT: first at position 1: seal lagging (recorded " in lagging.stdout
    assert sealed_size(settings) == (0, 0), "the API itself sealed nothing"

    worker = subprocess.Popen(
        [sys.executable, "-m", "api", "project"],
        cwd=ROOT,
        env=cli_environment(settings),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while sealed_size(settings) != (recorded, recorded) and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert sealed_size(settings) == (recorded, recorded), "the worker sealed and signed the log"
    intact = verify(settings)
    assert intact.returncode == 0, intact.stdout + intact.stderr
    assert f"intact: tree size {recorded}," in intact.stdout
