"""The dispute pack: made over HTTP, checked offline by `python -m api verify-pack` as its own
process (no database, no network), and refused when any part of it is not what the log holds.

Each forgery below is one a producer, a courier or a requester could attempt: change a byte,
leave an event out, slip another case's event in, sign the manifest with another key, prove
against another checkpoint, or reveal a value other than the one sealed (those last ones
re-signed with the log's own key, as a dishonest producer could)."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from events.integrity import pack as layout
from events.integrity.note import Cosigner, NoteSigner
from events.integrity.pack import sign_manifest, verify_pack
from tests.api_client import Api
from tests.cli_commands import Ran, run_as_a_process, run_in_process
from tests.section8_support import case_with_disclosures, end_involvement, erase_case
from tests.sharing_support import (
    CHILDRENS,
    MENTORS,
    POLICE,
    SCHOOL,
    TODAY_BASES,
    disclosure,
    register_agencies,
)
from tests.support import RELATIVE_NAME, SUBJECT_NAME, FixedClock, referral_form

COUNCIL = "Norfolk County Council"
# Where the stores cannot differ (the request's checks, the pack's own layout), one store.
SQLITE_ONLY = pytest.mark.parametrize("backend", ["sqlite"])
PURPOSE = "Dispute of the Section 2 decision referred to the Head of Safeguarding"


def request_body(api: Api, referral_id: UUID, requester: UUID, **extra: Any) -> dict[str, Any]:
    return {
        "expected_version": api.versions[referral_id],
        "requester_agency_id": str(requester),
        "purpose": PURPOSE,
        "legal_basis_ids": list(TODAY_BASES[:1]),
        "handling_advice": "OFFICIAL-SENSITIVE: for the dispute only; destroy when it closes.",
        **extra,
    }


def make_pack(api: Api, referral_id: UUID, requester: UUID, **extra: Any) -> bytes:
    answer = api.client.post(
        f"/referrals/{referral_id}/dispute-packs",
        json=request_body(api, referral_id, requester, **extra),
        headers={**api.headers("dpo-1"), "Access-Purpose": "Section 7 dispute DSP-7"},
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/zip"
    api.versions[referral_id] += 1
    return answer.content


def verify_pack_cli(
    tmp_path: Path, pack: bytes, log_key: str, *witnesses: str, as_a_process: bool = False
) -> Ran:
    """`python -m api verify-pack`, in the test's process unless `as_a_process`: then with
    no VTR_* settings and no database, as a reader of the pack runs it."""
    path = tmp_path / "pack.zip"
    path.write_bytes(pack)
    command = ["verify-pack", str(path), "--log-key", log_key]
    for witness in witnesses:
        command += ["--witness-key", witness]
    if as_a_process:
        return run_as_a_process(*command, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    return run_in_process(*command, env={})


def members(pack: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(pack)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def zipped(files: Mapping[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def resigned(files: dict[str, bytes], signer: NoteSigner) -> bytes:
    """The pack re-listed and re-signed with `signer`: what a producer holding the log's key
    could make of a changed pack (every hash and signature then agrees)."""
    manifest = json.loads(files[layout.MANIFEST])
    signed = {
        n: c for n, c in files.items() if n not in {layout.MANIFEST, layout.MANIFEST_SIGNATURE}
    }
    manifest["files"] = {name: layout.digest(content) for name, content in sorted(signed.items())}
    raw = (json.dumps(manifest, indent=2) + "\n").encode()
    note = sign_manifest(manifest["log_origin"], UUID(manifest["pack_id"]), raw, [signer])
    return zipped({layout.MANIFEST: raw, layout.MANIFEST_SIGNATURE: str(note).encode(), **signed})


def lines(content: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in content.decode().splitlines()]


def jsonl(values: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(v, separators=(",", ":")) + "\n" for v in values).encode()


def refused_disclosure(api: Api, referral_id: UUID, agencies: dict[str, UUID]) -> str:
    """A disclosure to the mentors, who have not signed the ISP: refused, and recorded."""
    body = disclosure(agencies[POLICE], [agencies[MENTORS]])
    answer = api.client.post(
        f"/referrals/{referral_id}/disclosures",
        json={"expected_version": api.versions[referral_id], **body},
        headers=api.headers("police-1"),
    )
    assert answer.status_code == 409, answer.text
    refusal: str = answer.json()["refused_attempt_id"]
    return refusal


class World:
    def __init__(self, api: Api, clock: FixedClock) -> None:
        self.api = api
        agencies = register_agencies(api)
        agencies.update(api.scenario().register({COUNCIL: "local_authority"}))
        self.agencies = agencies
        self.case = case_with_disclosures(api, clock, agencies, "2026-03-05", [[SCHOOL]])
        self.other = case_with_disclosures(api, clock, agencies, "2026-03-06", [[CHILDRENS]])
        self.refused = [refused_disclosure(api, case, agencies) for case in (self.case, self.other)]
        end_involvement(api, clock, self.case, agencies[SCHOOL], "2026-03-09")
        api.history(self.case, reveal=False)  # a consultation the access log holds
        runtime = api.client.app.state.runtime  # type: ignore[attr-defined]
        self.runtime = runtime
        self.signer: NoteSigner = runtime.projections.sealing.signers[0]
        self.log_key = str(self.signer.verifier_key())


@pytest.fixture
def world(api: Api, clock: FixedClock) -> World:
    return World(api, clock)


def test_an_honest_pack_verifies_offline_and_shows_what_the_log_holds(
    world: World, tmp_path: Path
) -> None:
    api = world.api
    pack = make_pack(api, world.case, world.agencies[COUNCIL])
    checked = verify_pack_cli(tmp_path, pack, world.log_key, as_a_process=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "intact" in checked.stdout
    files = members(pack)
    manifest = json.loads(files[layout.MANIFEST])
    history = api.history(world.case)
    assert manifest["events"] == len(history), "the pack ends with its own disclosure"
    assert manifest["purpose"] == PURPOSE
    assert manifest["requester"]["name"] == COUNCIL
    assert manifest["protective_marking"] == "OFFICIAL-SENSITIVE"
    revealed = files[layout.REVEALED_EVENTS].decode()
    assert SUBJECT_NAME in revealed, "the subject's data is revealed for the dispute"
    assert RELATIVE_NAME not in revealed, "third parties stay redacted unless asked for"
    redactions = json.loads(files[layout.REDACTIONS])
    assert {r["field"] for r in redactions} >= {"partner_and_parents"}
    assert all(r["reason"] for r in redactions)
    assert RELATIVE_NAME.encode() not in b"".join(files.values())
    disclosures = json.loads(files[layout.DISCLOSURES])
    assert [d["event"] for d in disclosures] == ["InformationDisclosed", "DisputePackDisclosed"]
    assert all(b["text"] for d in disclosures for b in d["legal_bases"])
    section8 = json.loads(files[layout.SECTION8])
    assert "AgencyInvolvementEnded" in {entry["event"] for entry in section8}
    (refusal,) = lines(files[layout.REFUSALS])
    assert refusal["originator_id"] == world.refused[0], "the case's refused attempt, as stored"
    assert "refused attempts" in checked.stdout
    assert ", 1 refused" in checked.stdout
    access = lines(files[layout.ACCESS_LOG])
    assert access, "the case's consultations are in the pack"
    assert "README.txt" in files
    assert "verify-pack" in files["README.txt"].decode()


@SQLITE_ONLY
def test_the_pack_is_a_recorded_disclosure_in_the_registers_and_the_access_log(
    world: World,
) -> None:
    api = world.api
    make_pack(api, world.case, world.agencies[COUNCIL])
    (event,) = [e for e in api.history(world.case) if e["event"] == "DisputePackDisclosed"]
    assert event["actor_id"] == "dpo-1"
    register = api.client.get(
        f"/agencies/{world.agencies[COUNCIL]}/disclosure-register",
        params={"after_position": api.log_position()},
        headers=api.headers("dpo-1"),
    )
    assert register.status_code == 200, register.text
    rows = [r for r in register.json()["rows"] if r["information_category"] == "dispute_pack"]
    assert [(r["direction"], r["purpose"]) for r in rows] == [("disclosed", PURPOSE)]
    log = api.client.get(
        "/access-log", params={"referral_id": str(world.case)}, headers=api.headers("dpo-1")
    ).json()["consultations"]
    (entry,) = [e for e in log if e["route"] == "disclose_dispute_pack"]
    assert (entry["revealed"], entry["purpose"]) == (True, "Section 7 dispute DSP-7")


@SQLITE_ONLY
def test_a_pack_needs_a_compliance_officer_and_a_stated_purpose(world: World) -> None:
    api = world.api
    body = request_body(api, world.case, world.agencies[COUNCIL])
    path = f"/referrals/{world.case}/dispute-packs"
    without = api.client.post(path, json=body, headers=api.headers("dpo-1"))
    assert (without.status_code, without.json()["rule"]) == (403, "purpose-required")
    staff = api.client.post(
        path, json=body, headers={**api.headers("triage-1"), "Access-Purpose": "curious"}
    )
    assert staff.status_code == 403
    bad = api.client.post(
        path,
        json={**body, "reveal_third_parties": True},
        headers={**api.headers("dpo-1"), "Access-Purpose": "dispute"},
    )
    assert bad.status_code == 422
    assert "third_party_reason" in bad.text
    assert all(e["event"] != "DisputePackDisclosed" for e in api.history(world.case))


Forgery = Callable[[World, dict[str, bytes]], bytes]


def _byte_changed(name: str) -> Forgery:
    def forge(_world: World, files: dict[str, bytes]) -> bytes:
        content = files[name]
        middle = len(content) // 2
        files[name] = content[:middle] + bytes([content[middle] ^ 0x01]) + content[middle + 1 :]
        return zipped(files)

    return forge


def _event_removed(world: World, files: dict[str, bytes]) -> bytes:
    stored, revealed = lines(files[layout.STORED_EVENTS]), lines(files[layout.REVEALED_EVENTS])
    files[layout.STORED_EVENTS] = jsonl(stored[:2] + stored[3:])
    files[layout.REVEALED_EVENTS] = jsonl(revealed[:2] + revealed[3:])
    manifest = json.loads(files[layout.MANIFEST])
    manifest["events"] -= 1
    files[layout.MANIFEST] = json.dumps(manifest).encode()
    return resigned(files, world.signer)


def _other_case_inserted(world: World, files: dict[str, bytes]) -> bytes:
    other = members(make_pack(world.api, world.other, world.agencies[COUNCIL]))
    stored = lines(files[layout.STORED_EVENTS])
    revealed = lines(files[layout.REVEALED_EVENTS])
    intruder = lines(other[layout.STORED_EVENTS])[1]
    intruder_revealed = lines(other[layout.REVEALED_EVENTS])[1]
    files[layout.STORED_EVENTS] = jsonl([*stored, intruder])
    files[layout.REVEALED_EVENTS] = jsonl([*revealed, intruder_revealed])
    manifest = json.loads(files[layout.MANIFEST])
    manifest["events"] += 1
    files[layout.MANIFEST] = json.dumps(manifest).encode()
    return resigned(files, world.signer)


def _other_refusal_inserted(world: World, files: dict[str, bytes]) -> bytes:
    other = members(make_pack(world.api, world.other, world.agencies[COUNCIL]))
    theirs = lines(other[layout.REFUSALS])
    files[layout.REFUSALS] = jsonl([*lines(files[layout.REFUSALS]), *theirs])
    return resigned(files, world.signer)


def _signed_by_another_key(_world: World, files: dict[str, bytes]) -> bytes:
    stranger = NoteSigner("vtr-ledger.example", Ed25519PrivateKey.generate())
    return resigned(files, stranger)


def _other_checkpoint(world: World, files: dict[str, bytes]) -> bytes:
    # A genuine, signed checkpoint of the same log, from before the pack's last events.
    sealing = world.runtime.projections.sealing
    earlier = sealing.checkpoints.all_checkpoints("events")[0]
    files[layout.EVENT_CHECKPOINT] = sealing.checkpoints.served_note(earlier).encode()
    return resigned(files, world.signer)


def _value_changed(world: World, files: dict[str, bytes]) -> bytes:
    revealed = lines(files[layout.REVEALED_EVENTS])
    subject = revealed[0]["state"]["subject"]
    subject["full_name"] = "Somebody Else"
    files[layout.REVEALED_EVENTS] = jsonl(revealed)
    return resigned(files, world.signer)


FORGERIES: dict[str, tuple[Forgery, str]] = {
    "a byte of the stored events": (_byte_changed(layout.STORED_EVENTS), "events/stored.jsonl"),
    "a byte of the revealed events": (
        _byte_changed(layout.REVEALED_EVENTS),
        "events/revealed.jsonl",
    ),
    "a byte of the keys": (_byte_changed(layout.KEYS), "keys.json"),
    "a byte of the access log": (_byte_changed(layout.ACCESS_LOG), "access-log/stored.jsonl"),
    "a byte of the checkpoint": (_byte_changed(layout.EVENT_CHECKPOINT), "checkpoints/events"),
    "a byte of the README": (_byte_changed(layout.README), "README.txt"),
    "a byte of the manifest": (_byte_changed(layout.MANIFEST), "manifest"),
    "an event removed": (_event_removed, "version(s) 3 missing"),
    "another case's event inserted": (_other_case_inserted, "belongs to another case"),
    "another case's refusal inserted": (_other_refusal_inserted, "is about another case"),
    "a manifest signed by another key": (_signed_by_another_key, "not signed by the log key"),
    "a proof against another checkpoint": (_other_checkpoint, "not proved in the checkpoint"),
    "a revealed value changed": (_value_changed, "differs from what was sealed"),
}


def test_every_forgery_is_refused_naming_what(world: World, tmp_path: Path) -> None:
    world.runtime.projections.seal()  # a first checkpoint, before the pack's own events
    honest = make_pack(world.api, world.case, world.agencies[COUNCIL])
    assert verify_pack(honest, world.signer.verifier_key()).intact
    for name, (forge, named) in FORGERIES.items():
        forged = forge(world, members(honest))
        report = verify_pack(forged, world.signer.verifier_key())
        assert not report.intact, name
        assert any(named in finding for finding in report.findings), (name, report.findings)
    checked = verify_pack_cli(tmp_path, _value_changed(world, members(honest)), world.log_key)
    assert checked.returncode == 1, checked.stdout + checked.stderr
    assert "differs from what was sealed" in checked.stdout


def test_a_pack_made_before_an_erasure_still_verifies_and_one_after_shows_it_erased(
    world: World, tmp_path: Path
) -> None:
    api = world.api
    before = make_pack(api, world.case, world.agencies[COUNCIL])
    erase_case(api, world.case)
    after = make_pack(api, world.case, world.agencies[COUNCIL])
    for pack in (before, after):
        checked = verify_pack_cli(tmp_path, pack, world.log_key)
        assert checked.returncode == 0, checked.stdout + checked.stderr
    assert SUBJECT_NAME in members(before)[layout.REVEALED_EVENTS].decode()
    files = members(after)
    assert SUBJECT_NAME not in files[layout.REVEALED_EVENTS].decode()
    first = lines(files[layout.REVEALED_EVENTS])[0]["state"]
    assert set(first["subject"]) == {layout.ERASED}
    assert json.loads(files[layout.KEYS]) == [] or all(
        k["group"] == "controller" for k in json.loads(files[layout.KEYS])
    )


@SQLITE_ONLY
def test_a_pack_as_it_stood_holds_only_what_was_recorded_by_then(
    world: World, clock: FixedClock
) -> None:
    api = world.api
    events_then = len(api.history(world.case))
    moment = clock.now()
    clock.advance(days=2)
    make_pack(api, world.case, world.agencies[COUNCIL])  # recorded after the moment
    pack = make_pack(api, world.case, world.agencies[COUNCIL], as_of=moment.isoformat())
    manifest = json.loads(members(pack)[layout.MANIFEST])
    assert manifest["events"] == events_then
    assert verify_pack(pack, world.signer.verifier_key()).intact


@SQLITE_ONLY
def test_a_witness_key_must_have_cosigned(world: World, tmp_path: Path) -> None:
    pack = make_pack(world.api, world.case, world.agencies[COUNCIL])
    vkey = str(Cosigner("witness.example", Ed25519PrivateKey.generate()).verifier_key())
    checked = verify_pack_cli(tmp_path, pack, world.log_key, vkey)
    assert checked.returncode == 1, checked.stdout + checked.stderr
    assert "no valid cosignature by witness witness.example" in checked.stdout


@SQLITE_ONLY
def test_the_pack_refers_to_the_police_disclosure_with_its_bases(world: World) -> None:
    pack = make_pack(world.api, world.case, world.agencies[COUNCIL])
    (shared, _pack) = json.loads(members(pack)[layout.DISCLOSURES])
    assert shared["disclosing_agency"]["name"] == POLICE
    assert [b["entry_id"] for b in shared["legal_bases"]] == list(TODAY_BASES)


@SQLITE_ONLY
def test_a_pack_of_a_missing_case_is_404(world: World) -> None:
    api = world.api
    answer = api.client.post(
        "/referrals/00000000-0000-4000-8000-000000000000/dispute-packs",
        json={**request_body(api, world.case, world.agencies[COUNCIL]), "expected_version": 1},
        headers={**api.headers("dpo-1"), "Access-Purpose": "dispute"},
    )
    assert answer.status_code == 404, answer.text


def test_a_pack_of_a_ledger_nobody_has_read_yet_verifies(api: Api, tmp_path: Path) -> None:
    """The first thing a new ledger is asked for may be a pack: its access log is still empty
    (found by the benchmark: the pack had no access-log checkpoint to prove against)."""
    requester = api.scenario().register({COUNCIL: "local_authority"})[COUNCIL]
    referral_id = api.received(referral_form())
    runtime = api.client.app.state.runtime  # type: ignore[attr-defined]
    assert runtime.access_log.latest_position() == 0, "nothing has been read yet"
    pack = make_pack(api, referral_id, requester)
    key = str(runtime.projections.sealing.signers[0].verifier_key())
    checked = verify_pack_cli(tmp_path, pack, key)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "0 access-log entries" in checked.stdout


@SQLITE_ONLY
def test_bad_input_is_named_and_stores_nothing(world: World, tmp_path: Path) -> None:
    """An unknown requester is a 422 naming it, with nothing recorded; verify-pack names a
    key that is not one (exit 2) and a file that is not a pack (exit 1), never a traceback."""
    api = world.api
    before = api.log_position()
    answer = api.client.post(
        f"/referrals/{world.case}/dispute-packs",
        json=request_body(api, world.case, UUID(int=5)),
        headers={**api.headers("dpo-1"), "Access-Purpose": "dispute"},
    )
    assert answer.status_code == 422, answer.text
    assert "requester_agency_id" in answer.text
    assert api.log_position() == before
    pack = make_pack(api, world.case, world.agencies[COUNCIL])
    not_a_key = verify_pack_cli(tmp_path, pack, "not+a+key")
    assert (not_a_key.returncode, "Traceback" in not_a_key.stderr) == (2, False)
    assert "--log-key" in not_a_key.stderr
    not_a_pack = verify_pack_cli(tmp_path, b"PK not really a zip", world.log_key)
    assert not_a_pack.returncode == 1, not_a_pack.stdout + not_a_pack.stderr
    assert "not a readable ZIP file" in not_a_pack.stdout
    assert "Traceback" not in not_a_pack.stderr
