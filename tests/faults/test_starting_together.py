"""Processes of one ledger started at the same moment (a deployment bringing up the API and
its workers, a rolling restart) all come up, on a database none of them has seen: creating
the databases, tables and functions is no race between them."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from api.settings import Settings
from tests.api.test_cli import ROOT, cli_env
from tests.conftest import PG_SERVER, drop_databases, make_settings
from tests.faults.fault_tally import tally
from tests.faults.test_startup_failures import free_port

ROUNDS = 3
WORKERS = 3
UP_SECONDS = 60.0


def answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def start(command: str, env: dict[str, str], out: Path) -> subprocess.Popen[str]:
    with out.open("w") as output:
        return subprocess.Popen(  # noqa: S603 (our own interpreter and module)
            [sys.executable, "-m", "api", command],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            text=True,
        )


@pytest.mark.postgres
def test_the_api_and_three_workers_started_together_on_a_new_database_all_come_up(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    for round_number in range(ROUNDS):
        root = tmp_path / f"round-{round_number}"
        root.mkdir()
        with contextmanager(make_settings)("postgres", root, request) as settings:
            # On a database none of them has seen: they create it.
            drop_databases(PG_SERVER, [settings.pg_database, settings.keystore_database])
            codes, written = start_together(settings, root)
        # uvicorn ends a graceful shutdown by raising the signal it caught again
        assert codes[0] in (0, -signal.SIGTERM), written
        assert codes[1:] == [0] * WORKERS, written
        assert not any("vtr-ledger:" in text for text in written), written


def start_together(settings: Settings, root: Path) -> tuple[list[int], list[str]]:
    """Start the API and the workers at once, wait until all are up (or one gave up), stop
    them; their exit codes and what they wrote."""
    port = free_port()
    env = cli_env(settings, VTR_PORT=str(port))
    outs = [root / "api.out", *(root / f"worker-{n}.out" for n in range(WORKERS))]
    processes = [start("serve", env, outs[0])]
    processes += [start("project", env, out) for out in outs[1:]]
    tally.fault("API and workers starting together on a new database")
    try:
        deadline = time.monotonic() + UP_SECONDS
        while not (answers(port) and all("running" in out.read_text() for out in outs[1:])):
            exited = [n for n, p in enumerate(processes) if p.poll() is not None]
            assert not exited, [out.read_text()[-1500:] for out in outs]
            assert time.monotonic() < deadline, "not all up in time"
            time.sleep(0.2)
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        codes = [process.wait(timeout=30) for process in processes]
    return codes, [out.read_text() for out in outs]
