"""`python -m api …` for the tests: as its own process, as an operator runs it, or in the
test's process through click's runner (the CLI's code and configuration alike, without
starting Python for each call)."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner

from api.cli import cli

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Ran:
    returncode: int
    stdout: str
    stderr: str


def run_as_a_process(*args: str, env: dict[str, str]) -> Ran:
    done = subprocess.run(  # noqa: S603 (our own interpreter and module)
        [sys.executable, "-m", "api", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return Ran(done.returncode, done.stdout, done.stderr)


def run_in_process(*args: str, env: dict[str, str]) -> Ran:
    """Configured by the `VTR_*` variables of `env` alone; an exception the CLI did not turn
    into an exit status is raised, as a traceback would end the process."""
    configured = {name: value for name, value in env.items() if name.startswith("VTR_")}
    result = CliRunner().invoke(cli, list(args), env=configured)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Ran(result.exit_code, result.stdout, result.stderr)
