"""Proving the record over HTTP, on both stores: the sealers run in the API, checkpoints are
signed with the key from the file, witnesses cosign them, proofs verify with the pure core
alone, and `GET /integrity` checks both logs and records who checked."""

from __future__ import annotations

import base64
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.http.app import create_app
from api.settings import Settings
from events.integrity.keys import note_signers, read_key_lines
from events.integrity.merkle import (
    Reason,
    check_consistency,
    check_inclusion,
)
from events.integrity.note import Cosigner, VerifierKey, open_checkpoint, parse_note, verify_note
from tests.api_client import Api
from tests.cli_commands import ROOT
from tests.conftest import make_settings
from tests.integration.test_tamper_evidence import cli_environment, verify
from tests.section8_support import case_with_disclosures
from tests.sharing_support import SCHOOL, register_agencies
from tests.support import FixedClock, referral_form

WITNESS = "witness-1"


@pytest.fixture
def settings(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Settings]:
    # Checkpoints every 5 events, so a few cases make several.
    yield from make_settings(backend, tmp_path, request, checkpoint_every_events=5)


@pytest.fixture
def app(settings: Settings, clock: FixedClock) -> FastAPI:
    return create_app(settings, clock=clock)


def log_key(settings: Settings) -> VerifierKey:
    path = settings.signing_key_file or settings.default_signing_key_file
    return note_signers(read_key_lines(path))[0].verifier_key()


def sealed(app: FastAPI) -> None:
    app.state.runtime.projections.seal()


def b64(text: str) -> bytes:
    return base64.b64decode(text)


def test_checkpoints_are_signed_served_and_proved(
    api: Api, app: FastAPI, clock: FixedClock, settings: Settings
) -> None:
    agencies = register_agencies(api)
    case_with_disclosures(api, clock, agencies, "2026-03-05", [[SCHOOL]])
    sealed(app)  # a checkpoint of the log so far, then of a longer one
    case_with_disclosures(api, clock, agencies, "2026-03-06", [[SCHOOL]])
    sealed(app)
    headers = api.headers(WITNESS)
    served = api.client.get("/checkpoints/latest", headers=headers)
    assert served.status_code == 200, served.text
    assert served.headers["content-type"].startswith("text/plain")
    latest, verdict = open_checkpoint(served.text, [log_key(settings)])
    assert latest.origin == f"{settings.log_origin}/events"
    assert verdict.keys == (log_key(settings),)
    head = app.state.runtime.projections.sealing.sealer("events").head()
    assert 0 <= head.size - latest.size < 5, "a checkpoint once 5 events are sealed since the last"
    history = api.client.get("/checkpoints", headers=headers).json()["checkpoints"]
    sizes = [entry["size"] for entry in history]
    assert sizes == sorted(sizes)
    assert len(sizes) >= 2
    assert sizes[-1] == latest.size

    # Every sealed position is in the latest tree, and the proof says so; a wrong index not.
    seals = app.state.runtime.projections.sealing.sealer("events").seals(0, latest.size)
    for seal in (seals[0], seals[len(seals) // 2], seals[-1]):
        answer = api.client.get(
            "/log/inclusion-proof",
            params={"position": seal.position, "tree_size": latest.size},
            headers=headers,
        ).json()
        proof = [b64(node) for node in answer["proof"]]
        leaf = b64(answer["leaf_hash"])
        assert check_inclusion(leaf, answer["leaf_index"], latest.size, proof, latest.root).ok
        wrong = check_inclusion(leaf, answer["leaf_index"] ^ 1, latest.size, proof, latest.root)
        assert not wrong.ok

    # The first checkpoint's tree is a prefix of the latest's.
    first = parse_note(history[0]["note"]).checkpoint()
    answer = api.client.get(
        "/log/consistency-proof",
        params={"first": first.size, "second": latest.size},
        headers=headers,
    ).json()
    proof = [b64(node) for node in answer["proof"]]
    assert check_consistency(first.size, latest.size, first.root, latest.root, proof).ok
    tampered = check_consistency(first.size, latest.size, bytes(32), latest.root, proof)
    assert not tampered.ok
    assert tampered.reason is not Reason.VERIFIED


def test_proofs_refuse_sizes_the_log_does_not_have(api: Api, app: FastAPI) -> None:
    register_agencies(api)
    sealed(app)
    size = app.state.runtime.projections.sealing.sealer("events").head().size
    headers = api.headers(WITNESS)
    for path, params in (
        ("/log/inclusion-proof", {"position": 1, "tree_size": size + 1}),
        ("/log/inclusion-proof", {"position": 10**9, "tree_size": size}),
        ("/log/consistency-proof", {"first": size, "second": size + 1}),
        ("/log/consistency-proof", {"first": 2, "second": 1}),
        ("/log/inclusion-proof", {"position": "one", "tree_size": size}),
    ):
        answer = api.client.get(path, params=params, headers=headers)
        assert answer.status_code == 422, (path, params, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"


def test_only_registered_witnesses_cosign(
    api: Api, app: FastAPI, clock: FixedClock, settings: Settings
) -> None:
    agencies = register_agencies(api)
    case_with_disclosures(api, clock, agencies, "2026-03-05", [[SCHOOL]])
    sealed(app)
    police = Cosigner("witness.norfolk-constabulary", Ed25519PrivateKey.generate())
    stranger = Cosigner("witness.stranger", Ed25519PrivateKey.generate())
    registered = api.client.post(
        "/witnesses",
        json={"agency": "Norfolk Constabulary", "key": str(police.verifier_key())},
        headers=api.headers("admin-1"),
    )
    assert registered.status_code == 201, registered.text
    headers = {**api.headers(WITNESS), "Content-Type": "text/plain"}
    note = api.client.get("/checkpoints/latest", headers=headers).text
    checkpoint, _ = open_checkpoint(note, [log_key(settings)])
    at = f"/checkpoints/{checkpoint.size}/cosignatures"

    unregistered = stranger.cosign(checkpoint, 1_790_000_000).line()
    assert api.client.post(at, content=unregistered, headers=headers).status_code == 403
    other_tree = checkpoint.__class__(checkpoint.origin, checkpoint.size, bytes(32))
    forged = police.cosign(other_tree, 1_790_000_000).line()
    refused = api.client.post(at, content=forged, headers=headers)
    assert (refused.status_code, refused.json()["type"].rsplit(":", 1)[-1]) == (
        422,
        "cosignature-refused",
    )
    missing = api.client.post(
        f"/checkpoints/{checkpoint.size + 1000}/cosignatures", content=forged, headers=headers
    )
    assert missing.status_code == 404
    as_json = api.client.post(at, json={"line": forged}, headers=api.headers(WITNESS))
    assert as_json.status_code == 415

    good = police.cosign(checkpoint, 1_790_000_000).line()
    accepted = api.client.post(at, content=good, headers=headers)
    assert accepted.status_code == 201, accepted.text
    assert accepted.json() == {
        "witness": "witness.norfolk-constabulary",
        "size": checkpoint.size,
        "timestamp": 1_790_000_000,
    }
    served = parse_note(api.client.get("/checkpoints/latest", headers=headers).text)
    cosigned = verify_note(served, [police.verifier_key(), stranger.verifier_key()])
    assert [v.key for v in cosigned.verified] == [police.verifier_key()]
    assert not cosigned.failed
    # Not a witness: an administrator may register but not cosign; a practitioner neither.
    assert api.client.post(at, content=good, headers=api.headers("admin-1")).status_code == 403
    assert api.client.get("/checkpoints/latest", headers=api.headers("school-1")).status_code == 403


def test_integrity_checks_both_logs_and_records_who_checked(
    api: Api, app: FastAPI, clock: FixedClock
) -> None:
    agencies = register_agencies(api)
    referral_id = case_with_disclosures(api, clock, agencies, "2026-03-05", [[SCHOOL]])
    assert api.client.get(f"/referrals/{referral_id}", headers=api.headers("police-1")).is_success
    sealed(app)
    answer = api.client.get("/integrity", headers=api.headers("dpo-1"))
    assert answer.status_code == 200, answer.text
    checked = answer.json()
    assert checked["intact"] is True
    logs = {log["log"]: log for log in checked["logs"]}
    assert set(logs) == {"events", "access"}
    events = app.state.runtime.projections.sealing.sealer("events").head()
    assert (logs["events"]["tree_size"], b64(logs["events"]["root"])) == (events.size, events.root)
    assert logs["access"]["tree_size"] >= 1, "the read of the case is sealed in the access log"
    assert all(log["findings"] == [] and log["first"] is None for log in logs.values())

    runs = api.client.get("/integrity/runs", headers=api.headers("admin-1")).json()["runs"]
    assert {(run["log"], run["actor_id"], run["intact"]) for run in runs} == {
        ("events", "dpo-1", True),
        ("access", "dpo-1", True),
    }
    assert api.client.get("/integrity", headers=api.headers("police-1")).status_code == 403


def test_the_embedded_store_makes_its_signing_key_once(tmp_path: Path, clock: FixedClock) -> None:
    (settings,) = make_settings("sqlite", tmp_path, None)  # type: ignore[arg-type]
    assert not settings.default_signing_key_file.exists()
    with TestClient(create_app(settings, clock=clock)):
        pass
    made = settings.default_signing_key_file.read_text(encoding="ascii")
    assert settings.default_signing_key_file.stat().st_mode & 0o077 == 0
    with TestClient(create_app(settings, clock=clock)):
        pass
    assert settings.default_signing_key_file.read_text(encoding="ascii") == made


def test_rotating_the_signing_key_adds_a_signature_line(
    tmp_path: Path, clock: FixedClock, request: pytest.FixtureRequest
) -> None:
    (settings,) = make_settings("sqlite", tmp_path, request, checkpoint_every_events=1)
    with TestClient(create_app(settings, clock=clock)) as client:
        api = Api(client)
        register_agencies(api)
        sealed(client.app)  # type: ignore[arg-type]
    old_key = log_key(settings)

    rotated = subprocess.run(
        [sys.executable, "-m", "api", "rotate-signing-key"],
        cwd=ROOT,
        env=cli_environment(settings),
        capture_output=True,
        text=True,
        check=False,
    )
    assert rotated.returncode == 0, rotated.stderr
    new_key = VerifierKey.parse(rotated.stdout.strip())
    assert new_key != old_key

    with TestClient(create_app(settings, clock=clock)) as client:
        api = Api(client)
        answer = client.post("/referrals", json=referral_form(), headers=api.headers("triage-1"))
        assert answer.status_code == 201, answer.text
        sealed(client.app)  # type: ignore[arg-type]
        note = parse_note(client.get("/checkpoints/latest", headers=api.headers(WITNESS)).text)
    assert len(note.signatures) == 2
    for key in (old_key, new_key):
        assert verify_note(note, [key]).ok, "a verifier that knows either key still verifies"
    intact = verify(settings)
    assert intact.returncode == 0, intact.stdout + intact.stderr


def test_a_bad_witness_registration_is_refused_and_nothing_is_stored(api: Api) -> None:
    admin = api.headers("admin-1")
    log_signing_key = "vtr-ledger.invalid+56755834+AQx8KpxOnB2f6ictivsNmEOC5czjqyrKFX3O1fDXRcWh"
    for key in ("not a key", "witness+00000000+BM7pbayJ", log_signing_key):
        refused = api.client.post(
            "/witnesses", json={"agency": "Norfolk Constabulary", "key": key}, headers=admin
        )
        assert refused.status_code == 422, (key, refused.text)
        assert [e["field"] for e in refused.json()["errors"]] == ["body.key"], refused.text
    assert api.client.get("/witnesses", headers=admin).json()["witnesses"] == []
