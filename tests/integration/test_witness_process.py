"""`python -m api witness` as a partner agency runs it: its own process, over HTTP only, against
the real API in another. It cosigns the first checkpoint and then a larger one that extends
it; shown a rewritten log under the same origin and signing key, it refuses (exit 2) and keeps
both notes as evidence, first at the same size (a split view), then at a larger one (the
proof fails). The witness reads nothing but HTTP, so one store is enough."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import httpx2 as httpx
import pytest

from api.settings import Settings
from bench.http_load import LiveServer
from events.integrity.keys import note_signers, read_key_lines
from events.integrity.note import VerifierKey, open_checkpoint, parse_note, verify_note
from tests.cli_commands import Ran, run_as_a_process
from tests.conftest import make_settings
from tests.support import ACTORS, new_signing_key_file, referral_form

pytestmark = pytest.mark.sqlite

ORIGIN = "vtr.norfolk.gov.uk"
WITNESS_NAME = "witness.norfolk-constabulary"
SERVER_ACTORS = [ACTORS["triage-1"], ACTORS["admin-1"], ACTORS["witness-1"]]
CHECKPOINT_WAIT_SECONDS = 60
NO_CHECKPOINT = "the events log has no checkpoint yet: nothing to cosign"


def ledger_settings(root: Path, request: pytest.FixtureRequest, key: Path) -> Iterator[Settings]:
    """A ledger of its own under `root`, signing a checkpoint after every sealed event."""
    root.mkdir()
    yield from make_settings(
        "sqlite",
        root,
        request,
        signing_key_file=key,
        log_origin=ORIGIN,
        checkpoint_every_events=1,
    )


@pytest.fixture
def signing_key(tmp_path: Path) -> Path:
    return new_signing_key_file(tmp_path / "signing.key", ORIGIN)


@pytest.fixture
def honest(tmp_path: Path, request: pytest.FixtureRequest, signing_key: Path) -> Iterator[Settings]:
    yield from ledger_settings(tmp_path / "honest", request, signing_key)


@pytest.fixture
def rewritten(
    tmp_path: Path, request: pytest.FixtureRequest, signing_key: Path
) -> Iterator[Settings]:
    """Another ledger with the same origin and signing key: what an operator who rewrote the
    history and re-signed it would serve."""
    yield from ledger_settings(tmp_path / "rewritten", request, signing_key)


class Agency:
    """The partner agency's side: its key file, its state directory, its token."""

    def __init__(self, root: Path) -> None:
        root.mkdir()
        self.key = root / "witness.key"
        self.state = root / "state"
        self.token_file = root / "token"

    def run(self, *args: str, token: str | None = None) -> Ran:
        env = {k: v for k, v in os.environ.items() if not k.startswith("VTR_")}
        if token is not None:
            env["VTR_WITNESS_TOKEN"] = token
        return run_as_a_process(*args, env=env)

    def witness(self, server: LiveServer, *extra: str, token: str | None = None) -> Ran:
        url = f"http://127.0.0.1:{server.port}"
        return self.run(
            "witness",
            "--url",
            url,
            "--key",
            str(self.key),
            "--state",
            str(self.state),
            *extra,
            token=token,
        )


def client(server: LiveServer, actor_id: str) -> httpx.Client:
    return httpx.Client(
        base_url=f"http://127.0.0.1:{server.port}",
        headers={"Authorization": f"Bearer {server.tokens[actor_id]}"},
        timeout=30,
    )


def record_referrals(server: LiveServer, count: int) -> int:
    """Record `count` referrals; the log position of the last event."""
    position = 0
    with client(server, "triage-1") as triage:
        for _ in range(count):
            answer = triage.post(
                "/referrals", json=referral_form(), headers={"Idempotency-Key": uuid4().hex}
            )
            assert answer.status_code in {200, 201}, answer.text
            position = answer.json()["position"]
    return position


def latest_note(server: LiveServer, size: int) -> str:
    """The served checkpoint once the sealer has signed the tree of `size` events."""
    deadline = time.monotonic() + CHECKPOINT_WAIT_SECONDS
    with client(server, "witness-1") as witness:
        while True:
            answer = witness.get("/checkpoints/latest")
            if answer.status_code == 200 and parse_note(answer.text).checkpoint().size == size:
                return answer.text
            assert time.monotonic() < deadline, f"no checkpoint of size {size}: {answer.text}"
            time.sleep(0.2)


def log_key(settings: Settings) -> VerifierKey:
    assert settings.signing_key_file is not None
    return note_signers(read_key_lines(settings.signing_key_file))[0].verifier_key()


def register(server: LiveServer, vkey: str) -> None:
    with client(server, "admin-1") as admin:
        answer = admin.post("/witnesses", json={"agency": "Norfolk Constabulary", "key": vkey})
    assert answer.status_code == 201, answer.text


def evidence(agency: Agency) -> list[str]:
    folder = agency.state / "evidence"
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def test_a_witness_cosigns_a_growing_log_and_refuses_a_rewritten_one(
    tmp_path: Path, honest: Settings, rewritten: Settings
) -> None:
    agency = Agency(tmp_path / "agency")
    made = agency.run("new-witness-key", "--name", WITNESS_NAME, "--out", str(agency.key))
    assert made.returncode == 0, made.stderr
    witness_key = VerifierKey.parse(made.stdout.strip())
    assert witness_key.name == WITNESS_NAME
    assert agency.key.stat().st_mode & 0o777 == 0o600

    server = LiveServer(honest, SERVER_ACTORS)
    try:
        size = cosign_a_growing_log(agency, server, witness_key, log_key(honest))
    finally:
        server.close()
    held = (agency.state / "checkpoint").read_bytes()
    assert open_checkpoint(held, [log_key(honest)])[0].size == size

    other = LiveServer(rewritten, SERVER_ACTORS)
    try:
        refuse_a_split_view(agency, other, held, log_key(honest))
        refuse_a_larger_tree_that_does_not_extend_the_held_one(agency, other, held, log_key(honest))
    finally:
        other.close()


def cosign_a_growing_log(
    agency: Agency, server: LiveServer, witness_key: VerifierKey, log: VerifierKey
) -> int:
    """Nothing to cosign, then the first checkpoint, then nothing new, then a larger tree;
    the size cosigned last."""
    token = server.tokens["witness-1"]
    agency.token_file.write_text(token + "\n", encoding="ascii")
    by_file = ("--token-file", str(agency.token_file))

    early = agency.witness(server, "--log-key", str(log), *by_file)
    assert (early.returncode, early.stdout.strip()) == (0, NO_CHECKPOINT), early.stderr

    first_size = record_referrals(server, 3)
    latest_note(server, first_size)
    unregistered = agency.witness(server, *by_file)
    assert unregistered.returncode == 1, unregistered.stderr
    assert "answered 403: witness.norfolk-constabulary is not a registered" in unregistered.stderr
    assert not (agency.state / "checkpoint").exists(), "nothing is held that was not cosigned"

    register(server, str(witness_key))
    first = agency.witness(server, *by_file)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == f"cosigned {ORIGIN}/events at size {first_size}"
    served = parse_note(latest_note(server, first_size))
    assert [v.key for v in verify_note(served, [witness_key]).verified] == [witness_key]

    again = agency.witness(server, token=token)
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == f"already cosigned {ORIGIN}/events at size {first_size}"

    second_size = record_referrals(server, 2)
    latest_note(server, second_size)
    second = agency.witness(server, token=token)
    assert second.returncode == 0, second.stderr
    assert second.stdout.strip() == f"cosigned {ORIGIN}/events at size {second_size}"
    assert verify_note(parse_note(latest_note(server, second_size)), [witness_key]).verified
    outputs = [run.stdout + run.stderr for run in (early, unregistered, first, again, second)]
    assert not any(token in output for output in outputs), "the token is never printed"
    return second_size


def refuse_a_split_view(agency: Agency, server: LiveServer, held: bytes, log: VerifierKey) -> None:
    """The rewritten log at the held size: another root, signed with the log's own key."""
    size = open_checkpoint(held, [log])[0].size
    record_referrals(server, size)
    latest_note(server, size)
    split = agency.witness(server, token=server.tokens["witness-1"])
    assert split.returncode == 2, split.stderr
    assert "different root at the same size (split view)" in split.stderr
    assert (agency.state / "checkpoint").read_bytes() == held, "the held note is untouched"
    kept = evidence(agency)
    assert [name.rsplit("-", 1)[-1] for name in kept] == ["held.note", "shown.note"]
    assert (agency.state / "evidence" / kept[0]).read_bytes() == held
    shown, _ = open_checkpoint((agency.state / "evidence" / kept[1]).read_bytes(), [log])
    assert (shown.origin, shown.size) == (f"{ORIGIN}/events", size)
    assert shown.root != open_checkpoint(held, [log])[0].root, "two roots, one key: the proof"


def refuse_a_larger_tree_that_does_not_extend_the_held_one(
    agency: Agency, server: LiveServer, held: bytes, log: VerifierKey
) -> None:
    """The rewritten log grown past the held size: its own proof does not join the trees."""
    size = open_checkpoint(held, [log])[0].size
    before = evidence(agency)
    larger = record_referrals(server, 2)
    latest_note(server, larger)
    grown = agency.witness(server, token=server.tokens["witness-1"])
    assert grown.returncode == 2, grown.stderr
    assert "not consistent" in grown.stderr
    assert (agency.state / "checkpoint").read_bytes() == held
    kept = [name for name in evidence(agency) if name not in before]
    parts = sorted(name.rsplit("-", 1)[-1] for name in kept)
    assert parts == ["held.note", "proof.json", "shown.note"]
    proof = next(name for name in kept if name.endswith("proof.json"))
    answer = json.loads((agency.state / "evidence" / proof).read_text(encoding="utf-8"))
    assert (answer["first"], answer["second"]) == (size, larger)
