"""kill -9 of the projection worker in the middle of its work, again and again, on both
stores: a batch is written with its position in one transaction, so whatever the moment of
the kill, the restarted worker carries on and every view ends equal to a rebuild."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from api.bootstrap import open_runtime, open_worker_projections
from api.settings import Settings
from scenarios.synthetic import generate_year
from tests.faults.fault_tally import tally
from tests.faults.test_projection_workers import (
    ROOT,
    TRACKING_KEYS,
    rebuild,
    view_rows,
)
from tests.support import FixedClock

CASES = 60
KILLS = 3
STARTED_SECONDS = 60.0
CAUGHT_UP_SECONDS = 60.0


def start_worker(settings: Settings, log: Path) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VTR_")}
    env |= settings.as_environment() | {"VTR_LOG_FORMAT": "json", "VTR_PROJECTIONS": "external"}
    env.pop("VTR_MASTER_KEY", None)  # a worker needs no key
    with log.open("a") as stderr:
        return subprocess.Popen(
            [sys.executable, "-m", "api", "project"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            text=True,
        )


def positions(settings: Settings) -> list[int]:
    projections = open_worker_projections(settings)
    try:
        return [projections.db.position(key) for key in TRACKING_KEYS]
    finally:
        projections.close()


def test_a_worker_killed_mid_batch_leaves_views_a_restart_completes_exactly(
    settings: Settings, tmp_path: Path
) -> None:
    external = settings.model_copy(update={"projections": "external"})
    clock = FixedClock()
    log = tmp_path / "worker.log"
    runtime = open_runtime(external, clock=clock)
    try:
        generate_year(runtime.ledger, clock, cases=CASES, seed=41)
        head = runtime.ledger.recorder.max_notification_id() or 0
    finally:
        runtime.close()
    for _ in range(KILLS):
        if min(positions(external)) >= head:
            break  # (a fast machine projected it all between kills)
        worker = start_worker(external, log)
        before = positions(external)
        deadline = time.monotonic() + STARTED_SECONDS
        while positions(external) == before:
            assert worker.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.005)
        os.kill(worker.pid, signal.SIGKILL)  # while it is still working through the log
        worker.wait(timeout=30)
        tally.fault("kill -9 of the projection worker mid-batch")
    worker = start_worker(external, log)
    try:
        deadline = time.monotonic() + CAUGHT_UP_SECONDS
        while min(positions(external)) < head:
            assert worker.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, positions(external)
            time.sleep(0.1)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
    projections = open_worker_projections(external)
    try:
        live = view_rows(projections.db)
    finally:
        projections.close()
    assert live == rebuild(external)
    tally.acknowledged(head)
