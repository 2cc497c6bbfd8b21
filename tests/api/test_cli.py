"""The command line, run as a real process: demo, history, rebuild, worker, serve, bad config."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient

from aggregates.agency import agency_id_for
from api.access.identity import read_table
from api.http.app import create_app
from api.settings import Settings
from scenarios.synthetic import EVERY_AGENCY
from tests.api_client import Api
from tests.cli_commands import Ran, run_as_a_process, run_in_process
from tests.conftest import make_settings
from tests.support import FixedClock, find_personal_data, referral_form

ROOT = Path(__file__).resolve().parents[2]
DEMO_SUBJECT = "Casey Demo-Whitlock"


def cli_env(settings: Settings | None = None, /, **extra: str) -> dict[str, str]:
    """The process environment that configures the CLI like `settings` (secrets included)."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("VTR_") or k.startswith("VTR_TEST_")
    }
    env["VTR_LOG_FORMAT"] = "json"
    if settings is not None:
        env.update(settings.as_environment())
    env.update(extra)
    return env


def run(*args: str, env: dict[str, str]) -> Ran:
    """In this process: the commands that run until stopped, `serve` and `project`, are
    tested as processes, and so is the first demo load."""
    return run_in_process(*args, env=env)


@pytest.fixture
def demo_env(tmp_path: Path) -> dict[str, str]:
    env = cli_env(VTR_DATA_DIR=str(tmp_path / "data"))
    loaded = run_as_a_process("demo", env=env)
    assert loaded.returncode == 0, loaded.stderr
    assert "Loaded 3 demo cases." in loaded.stdout
    return env


def count_events(history: str) -> int:
    return len(re.findall(r"^#\d+", history, re.MULTILINE))


def referral_ids(output: str) -> list[str]:
    return re.findall(r"^[0-9a-f-]{36}$", output, flags=re.MULTILINE)


def test_demo_loads_into_an_empty_store_only(demo_env: dict[str, str]) -> None:
    again = run("demo", env=demo_env)
    assert again.returncode == 2
    assert "empty store only" in again.stderr
    assert "Traceback" not in again.stderr


def test_synthetic_year_records_into_an_empty_store_and_says_what_it_made(tmp_path: Path) -> None:
    env = cli_env(VTR_DATA_DIR=str(tmp_path / "data"))
    made = run("synthetic", "--cases", "5", "--seed", "3", env=env)
    assert made.returncode == 0, made.stderr
    agencies = len(EVERY_AGENCY)  # the MASH too: it circulates the meetings' minutes
    counts = re.search(
        rf"Recorded 5 cases, {agencies} agencies, (\d+) disclosures and (\d+) refused attempts",
        made.stdout,
    )
    assert counts is not None, made.stdout
    assert int(counts.group(1)) > 5
    again = run("synthetic", env=env)
    assert again.returncode == 2
    assert "empty store only" in again.stderr
    bad = run("synthetic", "--start", "2025-13-01", env=cli_env(VTR_DATA_DIR=str(tmp_path / "b")))
    assert bad.returncode == 2
    assert "--start" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_history_shows_who_did_what_and_opens_personal_data_only_when_asked(tmp_path: Path) -> None:
    env = cli_env(VTR_DATA_DIR=str(tmp_path / "data"))
    ids = referral_ids(run("demo", env=env).stdout)
    assert len(ids) == 3
    sealed = run("history", ids[0], env=env)
    assert sealed.returncode == 0, sealed.stderr
    assert "ReferralReceived by mash-triage-1 (mash_triage, Norfolk MASH)" in sealed.stdout
    assert '"withheld": "sealed"' in sealed.stdout
    assert DEMO_SUBJECT not in sealed.stdout
    revealed = run("history", ids[0], "--reveal", env=env)
    assert DEMO_SUBJECT in revealed.stdout
    events = sum(count_events(run("history", i, env=env).stdout) for i in ids)
    rebuilt = run("rebuild-projections", env=env)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert f"Rebuilt case_view from {events} events." in rebuilt.stdout
    # The demo registers six agencies and one protocol signature; it records four
    # disclosures and one refused invitation.
    assert "Rebuilt agencies from 9 events." in rebuilt.stdout
    assert "Rebuilt disclosure_register from 5 events." in rebuilt.stdout
    missing = run("history", "00000000-0000-4000-8000-000000000000", env=env)
    assert missing.returncode == 2
    assert "There is no referral" in missing.stderr


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        ({"VTR_MASTER_KEY": "not base64!"}, "VTR_MASTER_KEY"),
        ({"VTR_MASTER_KEY": "c2hvcnQ="}, "32 bytes"),
        ({"VTR_STORE": "mongodb"}, "VTR_STORE"),
        ({"VTR_PORT": "eighty"}, "VTR_PORT"),
        ({"VTR_STORE": "postgres"}, "VTR_MASTER_KEY or VTR_MASTER_KEY_FILE"),
        ({"VTR_MASTER_KEY_FILE": "/nonexistent/master.key"}, "does not exist"),
        ({"VTR_RETENTION_MONTHS": '{"concluded": 72}'}, "VTR_RETENTION_MONTHS"),
        ({"VTR_RETENTION_MONTHS": "six years"}, "VTR_RETENTION_MONTHS"),
        ({"VTR_DISPOSAL_WORKING_DAYS": "ten"}, "VTR_DISPOSAL_WORKING_DAYS"),
        ({"VTR_OIDC_CLIENT_ID": "vtr-console"}, "VTR_OIDC_TOKEN_ENDPOINT"),
        ({"VTR_PUBLIC_URL": "https://vtr.example/console"}, "VTR_PUBLIC_URL"),
        ({"VTR_CONSOLE_IDLE_MINUTES": "0"}, "VTR_CONSOLE_IDLE_MINUTES"),
    ],
)
def test_bad_configuration_is_refused_with_a_clear_message(
    tmp_path: Path, variables: dict[str, str], named: str
) -> None:
    result = run("demo", env=cli_env(VTR_DATA_DIR=str(tmp_path), **variables))
    assert result.returncode == 2
    assert named in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "events.sqlite").exists(), "nothing is stored"


@pytest.fixture
def external_settings(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Settings]:
    yield from make_settings(
        backend, tmp_path, request, projections="external", read_wait_seconds=15
    )


def test_the_projection_worker_runs_as_its_own_process_without_the_master_key(
    external_settings: Settings,
) -> None:
    with TestClient(create_app(external_settings, clock=FixedClock())) as client:
        api = Api(client)
        referral_id = api.received(referral_form())
        position = api.log_position()
        before = client.get("/referrals", headers=api.headers("triage-1")).json()
        assert before["projection"]["caught_up"] is False  # nothing in this process projects
        env = cli_env(external_settings, VTR_MASTER_KEY="")
        del env["VTR_MASTER_KEY"]
        worker = subprocess.Popen(
            [sys.executable, "-m", "api", "project"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            case = api.case(referral_id, after=position)
            assert case["version"] == 1
            listed = client.get("/referrals", headers=api.headers("triage-1")).json()
            assert listed["projection"]["caught_up"] is True
            assert [item["referral_id"] for item in listed["items"]] == [str(referral_id)]
        finally:
            worker.send_signal(signal.SIGTERM)
            out, err = worker.communicate(timeout=30)
        assert worker.returncode == 0, err
        assert find_personal_data(out + err) == []


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_serve_with_the_demo_prints_url_and_tokens_and_serves_the_cases(tmp_path: Path) -> None:
    port = free_port()
    env = cli_env(VTR_DATA_DIR=str(tmp_path / "data"), VTR_PORT=str(port))
    server = subprocess.Popen(
        [sys.executable, "-m", "api", "serve", "--demo"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        banner = wait_for_ready(server, port)
        assert f"http://127.0.0.1:{port}" in banner
        assert f"Compliance console: http://127.0.0.1:{port}/console" in banner
        token = re.search(r"^\s+mash-triage-1\s+(\S+)$", banner, re.MULTILINE)
        assert token is not None, banner
        base = f"http://127.0.0.1:{port}"
        assert httpx.get(f"{base}/docs").status_code == 200
        console = httpx.get(f"{base}/console/", follow_redirects=True)
        assert console.status_code == 200
        assert "Sign in to the compliance console" in console.text
        cases: dict[str, Any] = httpx.get(
            f"{base}/referrals", headers={"Authorization": f"Bearer {token.group(1)}"}
        ).json()
        assert cases["total"] == 3
        assert {item["stage"] for item in cases["items"]} == {
            "concluded",
            "screened_out",
            "strategy_discussion",
        }
        assert_demo_sharing(base, {"Authorization": f"Bearer {token.group(1)}"})
    finally:
        server.send_signal(signal.SIGINT)
        server.communicate(timeout=30)


def assert_demo_sharing(base: str, auth: dict[str, str]) -> None:
    """The demo's supported case shows sharing: a register, and the refused invitation."""
    agencies = httpx.get(f"{base}/agencies", headers=auth).json()["agencies"]
    police = next(a["agency_id"] for a in agencies if a["name"] == "Norfolk Constabulary")
    register = httpx.get(f"{base}/agencies/{police}/disclosure-register", headers=auth).json()
    assert {row["direction"] for row in register["rows"]} == {"disclosed", "received"}
    case = register["rows"][0]["referral_id"]
    sharing = httpx.get(f"{base}/referrals/{case}/sharing", headers=auth).json()["entries"]
    refused = [entry for entry in sharing if entry["event"] == "SharingRefused"]
    assert [entry["data"]["rule"] for entry in refused] == ["isp-signature-required"]


def wait_for_ready(server: subprocess.Popen[str], port: int) -> str:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.2)
    else:
        server.kill()
        pytest.fail(f"the server did not become ready: {server.communicate()[1][-2000:]}")
    assert server.stdout is not None
    os.set_blocking(server.stdout.fileno(), False)
    return server.stdout.read() or ""


def test_issue_token_adds_people_to_the_token_table_without_storing_tokens(tmp_path: Path) -> None:
    table = tmp_path / "tokens.json"
    env = cli_env(VTR_DATA_DIR=str(tmp_path / "data"), VTR_TOKENS_FILE=str(table))
    for name, kind in (
        ("Norfolk Constabulary", "police"),
        ("Norfolk Children's Services", "children_and_young_people_services"),
    ):
        registered = run("register-agency", "--name", name, "--type", kind, env=env)
        assert registered.returncode == 0, registered.stderr
    police = run(
        "issue-token",
        "--actor-id",
        "police-insp-4",
        "--role",
        "police",
        "--agency",
        "Norfolk Constabulary",
        env=env,
    )
    social = run(
        "issue-token",
        "--actor-id",
        "cs-2",
        "--role",
        "childrens_services",
        "--agency",
        "Norfolk Children's Services",
        env=env,
    )
    assert police.returncode == social.returncode == 0, police.stderr + social.stderr
    tokens = [police.stdout.strip(), social.stdout.strip()]
    assert tokens[0] not in table.read_text()
    assert tokens[1] not in table.read_text()
    settings = Settings(data_dir=tmp_path / "data", tokens_file=table)
    with TestClient(create_app(settings)) as client:
        for token in tokens:
            listed = client.get("/referrals", headers={"Authorization": f"Bearer {token}"})
            assert listed.status_code == 200
    refused = run(
        "issue-token", "--actor-id", "not an id", "--role", "police",
        "--agency", "Norfolk Constabulary", env=env,
    )  # fmt: skip
    assert refused.returncode == 2
    assert "actor_id" in refused.stderr
    assert "Traceback" not in refused.stderr
    for unknown in ("Norfolk Constabulary Trust", "norfolk", str(uuid4())):
        nowhere = run(
            "issue-token", "--actor-id", "p-9", "--role", "police", "--agency", unknown, env=env
        )
        assert nowhere.returncode == 2
        assert "register it first" in nowhere.stderr
    by_id = run(
        "issue-token", "--actor-id", "p-9", "--role", "police",
        "--agency", str(agency_id_for("Norfolk Constabulary")), env=env,
    )  # fmt: skip
    assert by_id.returncode == 0, by_id.stderr
    assert read_table(table)[-1].agency == "Norfolk Constabulary"
