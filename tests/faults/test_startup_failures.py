"""Every startup failure is one clear line naming what is wrong and how to fix it, and a
non-zero exit: never a framework traceback."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.api.test_cli import cli_env, run
from tests.faults.fault_tally import tally
from tests.support import new_signing_key_file


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def one_clear_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.startswith("vtr-ledger:")]
    assert "Traceback" not in stderr
    assert len(lines) == 1, stderr
    return lines[0]


def test_no_token_table(tmp_path: Path) -> None:
    served = run("serve", env=cli_env(VTR_DATA_DIR=str(tmp_path / "data")))
    tally.fault("start without a token table")
    assert served.returncode != 0
    line = one_clear_line(served.stderr)
    assert "tokens.json does not exist" in line
    assert "issue-token" in line


def test_an_unreachable_database(tmp_path: Path) -> None:
    port = str(free_port())  # nothing listens there
    env = cli_env(
        VTR_STORE="postgres",
        VTR_PG_PORT=port,
        VTR_MASTER_KEY="A" * 43 + "=",
        VTR_SIGNING_KEY_FILE=str(new_signing_key_file(tmp_path / "signing.key")),
    )
    for command in ("serve", "project"):
        started = run(command, env=env)
        tally.fault("start with the database unreachable")
        assert started.returncode != 0
        line = one_clear_line(started.stderr)
        assert f"127.0.0.1:{port}" in line
        assert "refused" in line.lower() or "connect" in line.lower()


@pytest.mark.parametrize("trouble", ["missing", "not base64", "wrong length"])
def test_an_unreadable_master_key_file(tmp_path: Path, trouble: str) -> None:
    key_file = tmp_path / "master.key"
    if trouble != "missing":
        key_file.write_text("not base64!" if trouble == "not base64" else "QUJD\n")
    served = run(
        "serve",
        env=cli_env(VTR_DATA_DIR=str(tmp_path / "data"), VTR_MASTER_KEY_FILE=str(key_file)),
    )
    tally.fault("start with an unreadable master key file")
    assert served.returncode != 0
    line = one_clear_line(served.stderr)
    assert str(key_file) in line
