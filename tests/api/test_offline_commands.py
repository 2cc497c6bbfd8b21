"""The offline commands (checking a dispute pack, witnessing a log) start without loading the
service: an auditor's or a partner agency's machine has no ledger, and waited over a second
for the service's modules on every run."""

from __future__ import annotations

import subprocess
import sys

import pytest

from api.offline_cli import OFFLINE_COMMANDS
from tests.api.test_cli import ROOT, cli_env
from tests.cli_commands import run_as_a_process

# What the service loads and an offline command never needs.
SERVICE = ("api.bootstrap", "api.cli", "api.http.app", "fastapi", "psycopg", "eventsourcing")
LOADED_AT_EXIT = """
import atexit, runpy, sys
atexit.register(lambda: print("LOADED", *sorted(sys.modules)))
sys.argv = ["api", *sys.argv[1:]]
runpy.run_module("api", run_name="__main__")
"""


@pytest.mark.parametrize("command", [command.name or "" for command in OFFLINE_COMMANDS])
def test_an_offline_command_runs_without_the_service(command: str) -> None:
    done = subprocess.run(  # noqa: S603 (our own interpreter and module)
        [sys.executable, "-c", LOADED_AT_EXIT, command, "--help"],
        cwd=ROOT,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    loaded = set(done.stdout.split("LOADED", 1)[1].split())
    assert f"{command} [OPTIONS]" in done.stdout
    assert not loaded & set(SERVICE), sorted(loaded & set(SERVICE))


def test_python_m_api_names_an_offline_command_as_it_names_the_others() -> None:
    offline = run_as_a_process("verify-pack", "--help", env=cli_env())
    service = run_as_a_process("verify", "--help", env=cli_env())
    assert offline.returncode == service.returncode == 0, (offline.stderr, service.stderr)
    assert offline.stdout.startswith("Usage: python -m api verify-pack ")
    assert service.stdout.startswith("Usage: python -m api verify ")
    listed = run_as_a_process("--help", env=cli_env()).stdout
    for command in OFFLINE_COMMANDS:
        assert f"  {command.name} " in listed
