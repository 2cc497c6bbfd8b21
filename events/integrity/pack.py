"""A dispute pack, and checking one offline: no database, no network, no key store.

A pack is a ZIP of one case as the ledger recorded it, for someone outside to check without
trusting us. Its files (the names below) and what ties them together:

- `manifest.json` names the case, the moment it stood at, the requester, the purpose, who
  produced it and when, the protective marking, and the SHA-256 of every other file.
  `manifest.sig` is a signed note (the log's own Ed25519 key, as its checkpoints use) whose
  text names the pack and the SHA-256 of `manifest.json`: no file can change unseen.
- `events/stored.jsonl`: the case's events exactly as stored (state bytes in base64), each
  with its leaf index and an inclusion proof against `checkpoints/events.txt`, the log's
  signed checkpoint with its witnesses' cosignatures. So every event is shown to be in the
  log every witness saw, at its place; versions 1..n with none missing, none from another
  case.
- `events/revealed.jsonl`: the same events with their sealed fields opened where the
  purpose allows. A revealed value is checked against the stored ciphertext with the data
  key the pack carries for its group (`keys.json`, the keys of this one case, whose handing
  over is itself recorded in the log); a withheld value is either `$redacted` (listed in
  `redactions.json` with its reason) or `$erased` (its key destroyed by an erasure the
  pack's own events record).
- `refusals/stored.jsonl` and `access-log/stored.jsonl`: the case's refused sharing
  attempts (events of their own) and its access-log entries, as stored, with inclusion
  proofs against their logs' checkpoints.
- `disclosures.json`, `section8.json`: readable views of the events above (the legal bases'
  texts, the section 8 record), for people; what they state is in the verified events.
- `README.txt`: how to check all this, in plain words.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NoReturn
from uuid import UUID

from events.integrity.entries import StoredConsultation, StoredRecord
from events.integrity.merkle import check_inclusion
from events.integrity.note import (
    Checkpoint,
    NoteError,
    NoteSigner,
    SignedNote,
    VerifierKey,
    add_signature,
    parse_note,
    sign_note,
    verify_note,
)
from events.integrity.sealed_fields import SealedFieldError, open_sealed, sealed_key_id

FORMAT = "vtr-ledger dispute pack 1"
MANIFEST = "manifest.json"
MANIFEST_SIGNATURE = "manifest.sig"
STORED_EVENTS = "events/stored.jsonl"
REVEALED_EVENTS = "events/revealed.jsonl"
REFUSALS = "refusals/stored.jsonl"
ACCESS_LOG = "access-log/stored.jsonl"
EVENT_CHECKPOINT = "checkpoints/events.txt"
ACCESS_CHECKPOINT = "checkpoints/access-log.txt"
KEYS = "keys.json"
REDACTIONS = "redactions.json"
DISCLOSURES = "disclosures.json"
SECTION8 = "section8.json"
README = "README.txt"
# What a withheld value says in `events/revealed.jsonl`.
REDACTED = "$redacted"
ERASED = "$erased"
ERASURE_EXECUTED = "vtr.referral.ErasureExecuted"
PACK_DISCLOSED = "vtr.referral.DisputePackDisclosed"
# Findings beyond this many are counted, not listed: one shifted file gives one per line.
LISTED_FINDINGS = 50


# Making a pack: the producer hands in what it read; these functions shape the files.


def stored_event_line(record: StoredRecord, leaf_index: int, proof: Sequence[bytes]) -> str:
    return _line(
        {
            "position": record.position,
            "originator_id": str(record.originator_id),
            "version": record.version,
            "topic": record.topic,
            "state": base64.b64encode(record.state).decode(),
            "leaf_index": leaf_index,
            "proof": [base64.b64encode(node).decode() for node in proof],
        }
    )


def stored_entry_line(entry: StoredConsultation, leaf_index: int, proof: Sequence[bytes]) -> str:
    return _line(
        {
            "position": entry.position,
            "columns": list(entry.columns),
            "leaf_index": leaf_index,
            "proof": [base64.b64encode(node).decode() for node in proof],
        }
    )


def manifest_note_text(origin: str, pack_id: UUID | str, manifest: bytes) -> str:
    return f"{origin}/dispute-pack\n{pack_id}\nsha256:{hashlib.sha256(manifest).hexdigest()}\n"


def sign_manifest(
    origin: str, pack_id: UUID, manifest: bytes, signers: Sequence[NoteSigner]
) -> SignedNote:
    note = sign_note(manifest_note_text(origin, pack_id, manifest), signers[0])
    for signer in signers[1:]:
        note = add_signature(note, signer)
    return note


def digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _line(value: Mapping[str, Any]) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False) + "\n"


# Checking a pack.


@dataclass
class PackReport:
    """What checking a pack found; `findings` empty means every check held."""

    referral_id: str | None = None
    events: int = 0
    revealed_fields: int = 0
    redacted_fields: int = 0
    erased_fields: int = 0
    refusals: int = 0
    access_entries: int = 0
    witnesses: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.findings

    def found(self, where: str, problem: str) -> None:
        self.findings.append(f"{where}: {problem}")


class _Stop(Exception):  # noqa: N818 (internal: a finding after which nothing else can be read)
    pass


def verify_pack(
    pack: bytes, log_key: VerifierKey, witness_keys: Iterable[VerifierKey] = ()
) -> PackReport:
    """Check every file, signature, proof and revealed value of a pack."""
    report = PackReport()
    try:
        files = _files(pack, report)
        manifest = _manifest(files, log_key, report)
        _listed_files(files, manifest, report)
        checkpoint = _checkpoint(files, EVENT_CHECKPOINT, manifest, log_key, witness_keys, report)
        events = _events(files, manifest, checkpoint, report)
        _revealed(files, events, manifest, report)
        _refusals(files, manifest, checkpoint, report)
        _access_log(files, manifest, log_key, report)
    except _Stop:
        pass
    return report


def _files(pack: bytes, report: PackReport) -> dict[str, bytes]:
    try:
        with zipfile.ZipFile(io.BytesIO(pack)) as archive:
            names = archive.namelist()
            files = {name: archive.read(name) for name in names if not name.endswith("/")}
    except (zipfile.BadZipFile, OSError, ValueError):
        _stop(report, "the pack", "not a readable ZIP file")
    if len(names) != len(set(names)):
        _stop(report, "the pack", "two files of one name: which one is meant is unknowable")
    return files


def _manifest(files: Mapping[str, bytes], log_key: VerifierKey, report: PackReport) -> Any:
    raw = files.get(MANIFEST)
    if raw is None:
        _stop(report, MANIFEST, "missing")
    try:
        manifest = json.loads(raw)
    except (ValueError, UnicodeError):
        _stop(report, MANIFEST, "not JSON")
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        _stop(report, MANIFEST, f"not a manifest of {FORMAT!r}")
    report.referral_id = str(manifest.get("referral_id"))
    try:
        note = parse_note(files.get(MANIFEST_SIGNATURE, b""))
        verdict = verify_note(note, [log_key])
    except (NoteError, ValueError) as error:
        report.found(MANIFEST_SIGNATURE, f"not a signed note ({error})")
        return manifest
    if not verdict.ok:
        report.found(MANIFEST_SIGNATURE, f"not signed by the log key {log_key.name}")
    pack_id = str(manifest.get("pack_id"))
    origin = str(manifest.get("log_origin"))
    if note.text != manifest_note_text(origin, pack_id, raw):
        report.found(MANIFEST_SIGNATURE, "signs another manifest (its SHA-256 differs)")
    return manifest


def _listed_files(files: Mapping[str, bytes], manifest: Any, report: PackReport) -> None:
    listed = manifest.get("files")
    if not isinstance(listed, dict):
        _stop(report, MANIFEST, "lists no files")
    for name in sorted(set(files) - {MANIFEST, MANIFEST_SIGNATURE}):
        if name not in listed:
            report.found(name, "not listed in the manifest")
        elif digest(files[name]) != listed[name]:
            report.found(name, "SHA-256 differs from the manifest's (the file was changed)")
    for name in sorted(set(listed) - set(files)):
        report.found(name, "listed in the manifest but missing from the pack")


_ORIGIN_OF = {EVENT_CHECKPOINT: "log_origin", ACCESS_CHECKPOINT: "access_log_origin"}


@dataclass(frozen=True)
class _Tree:
    size: int
    root: bytes


def _checkpoint(
    files: Mapping[str, bytes],
    name: str,
    manifest: Any,
    log_key: VerifierKey,
    witness_keys: Iterable[VerifierKey],
    report: PackReport,
) -> _Tree | None:
    raw = files.get(name)
    if raw is None:
        report.found(name, "missing")
        return None
    try:
        note = parse_note(raw)
        checkpoint = Checkpoint.parse(note.text)
        verdict = verify_note(note, [log_key])
    except (NoteError, ValueError) as error:
        report.found(name, f"not a signed checkpoint ({error})")
        return None
    if not verdict.ok:
        report.found(name, f"not signed by the log key {log_key.name}")
    expected_origin = str(manifest.get(_ORIGIN_OF[name]))
    if checkpoint.origin != expected_origin:
        report.found(name, f"a checkpoint of {checkpoint.origin!r}, not {expected_origin!r}")
    for witness in witness_keys:
        cosigned = verify_note(note, [witness])
        if not cosigned.ok:
            report.found(name, f"no valid cosignature by witness {witness.name}")
        elif name == EVENT_CHECKPOINT:
            report.witnesses.append(witness.name)
    return _Tree(checkpoint.size, checkpoint.root)


def _jsonl(files: Mapping[str, bytes], name: str, report: PackReport) -> Iterator[Any]:
    for number, text in enumerate(files.get(name, b"").decode("utf-8", "replace").splitlines()):
        try:
            yield json.loads(text)
        except ValueError:
            report.found(name, f"line {number + 1} is not JSON")


@dataclass(frozen=True)
class _Event:
    position: int
    version: int
    topic: str
    state: dict[str, Any]


def _events(
    files: Mapping[str, bytes], manifest: Any, tree: _Tree | None, report: PackReport
) -> list[_Event]:
    case = str(manifest.get("referral_id"))
    events: list[_Event] = []
    for line in _jsonl(files, STORED_EVENTS, report):
        record = _stored_record(line, report)
        if record is None:
            continue
        where = f"event at position {record.position} (version {record.version})"
        if str(record.originator_id) != case:
            report.found(where, f"belongs to another case ({record.originator_id})")
        _proved(record.leaf(), line, tree, where, report)
        try:
            state = json.loads(record.state)
        except ValueError:
            report.found(where, "its stored state is not JSON")
            continue
        events.append(_Event(record.position, record.version, record.topic, state))
    _in_sequence(events, manifest, report)
    report.events = len(events)
    return events


def _stored_record(line: Any, report: PackReport) -> StoredRecord | None:
    try:
        return StoredRecord(
            int(line["position"]),
            UUID(line["originator_id"]),
            int(line["version"]),
            str(line["topic"]),
            base64.b64decode(line["state"], validate=True),
        )
    except (KeyError, TypeError, ValueError, binascii.Error):
        report.found(STORED_EVENTS, f"an entry that is not a stored event: {_short(line)}")
        return None


def _proved(leaf: bytes, line: Any, tree: _Tree | None, where: str, report: PackReport) -> None:
    if tree is None:
        report.found(where, "no checkpoint to prove it against")
        return
    try:
        index = int(line["leaf_index"])
        proof = [base64.b64decode(node, validate=True) for node in line["proof"]]
    except (KeyError, TypeError, ValueError, binascii.Error):
        report.found(where, "carries no readable inclusion proof")
        return
    verdict = check_inclusion(leaf, index, tree.size, proof, tree.root)
    if not verdict.ok:
        report.found(where, f"not proved in the checkpoint of size {tree.size}: {verdict.reason}")


def _in_sequence(events: Sequence[_Event], manifest: Any, report: PackReport) -> None:
    """Versions 1..n, each once, in log order: nothing of the case left out or slipped in."""
    versions = [event.version for event in events]
    expected = manifest.get("events")
    if versions != list(range(1, len(versions) + 1)):
        seen = set(versions)
        missing = [v for v in range(1, max(versions, default=0) + 1) if v not in seen]
        repeated = sorted({v for v in versions if versions.count(v) > 1})
        detail = []
        if missing:
            detail.append(f"version(s) {_numbers(missing)} missing")
        if repeated:
            detail.append(f"version(s) {_numbers(repeated)} more than once")
        report.found(STORED_EVENTS, "; ".join(detail) or "versions out of order")
    if expected != len(events):
        report.found(STORED_EVENTS, f"holds {len(events)} events; the manifest says {expected}")
    positions = [event.position for event in events]
    if positions != sorted(set(positions)):
        report.found(STORED_EVENTS, "events are not in log order")


def _revealed(
    files: Mapping[str, bytes], events: Sequence[_Event], manifest: Any, report: PackReport
) -> None:
    keys = _carried_keys(files, report)
    redactions = _redactions(files, report)
    erased_keys = {
        key_id
        for event in events
        if event.topic == ERASURE_EXECUTED
        for key_id in event.state.get("key_ids", ())
    }
    revealed = list(_jsonl(files, REVEALED_EVENTS, report))
    if [line.get("position") for line in revealed] != [event.position for event in events]:
        report.found(REVEALED_EVENTS, "does not hold the stored events, one for one, in order")
        return
    shown_redactions: set[tuple[int, str]] = set()
    case = str(manifest.get("referral_id"))
    for event, line in zip(events, revealed, strict=True):
        where = f"event at position {event.position} (version {event.version})"
        state = line.get("state")
        if not isinstance(state, dict) or set(state) != set(event.state):
            report.found(where, "its revealed fields are not its stored fields")
            continue
        for name, stored in event.state.items():
            key_id = sealed_key_id(stored)
            shown = state[name]
            if key_id is None:
                if shown != stored:
                    report.found(where, f"field {name!r} differs from the stored event")
                continue
            check = _SealedField(case, event, name, stored, key_id, f"{where} field {name!r}")
            check.against(shown, keys, redactions, erased_keys, report)
            if _withheld(shown) == REDACTED:
                shown_redactions.add((event.position, name))
    for position, name in sorted(set(redactions) - shown_redactions):
        report.found(REDACTIONS, f"lists position {position} field {name!r}, not redacted")
    _keys_recorded(events, manifest, keys, report)


@dataclass(frozen=True)
class _SealedField:
    case: str
    event: _Event
    name: str
    stored: Mapping[str, str]
    key_id: str
    where: str

    def against(
        self,
        shown: Any,
        keys: Mapping[str, bytes],
        redactions: Mapping[tuple[int, str], str],
        erased_keys: set[str],
        report: PackReport,
    ) -> None:
        withheld = _withheld(shown)
        if withheld == ERASED:
            report.erased_fields += 1
            if shown[ERASED] != self.key_id or self.key_id not in erased_keys:
                report.found(
                    self.where,
                    f"shown as erased, but no erasure in the pack destroyed key {self.key_id}",
                )
            return
        if withheld == REDACTED:
            report.redacted_fields += 1
            if (self.event.position, self.name) not in redactions:
                report.found(self.where, "redacted without a reason in redactions.json")
            return
        key = keys.get(self.key_id)
        if key is None:
            report.found(self.where, f"revealed, but the pack carries no key {self.key_id}")
            return
        try:
            sealed = open_sealed(key, self.case, self.event.version, self.name, self.stored)
        except SealedFieldError as error:
            report.found(self.where, f"its stored value does not open: {error}")
            return
        report.revealed_fields += 1
        if sealed != shown:
            report.found(self.where, "the revealed value differs from what was sealed")


def _withheld(shown: Any) -> str | None:
    if isinstance(shown, dict) and len(shown) == 1:
        (marker,) = shown
        if marker in {REDACTED, ERASED}:
            return str(marker)
    return None


def _carried_keys(files: Mapping[str, bytes], report: PackReport) -> dict[str, bytes]:
    try:
        listed = json.loads(files.get(KEYS, b"[]"))
        return {str(k["key_id"]): base64.b64decode(k["key"], validate=True) for k in listed}
    except (ValueError, KeyError, TypeError, binascii.Error):
        report.found(KEYS, "not a list of data keys")
        return {}


def _redactions(files: Mapping[str, bytes], report: PackReport) -> dict[tuple[int, str], str]:
    try:
        listed = json.loads(files.get(REDACTIONS, b"[]"))
        found = {(int(r["position"]), str(r["field"])): str(r["reason"]) for r in listed}
    except (ValueError, KeyError, TypeError):
        report.found(REDACTIONS, "not a list of redactions")
        return {}
    for (position, name), reason in found.items():
        if not reason.strip():
            report.found(REDACTIONS, f"position {position} field {name!r} has no reason")
    return found


def _keys_recorded(
    events: Sequence[_Event], manifest: Any, keys: Mapping[str, bytes], report: PackReport
) -> None:
    """The pack's own disclosure, when its moment is in the pack, names the keys it carries."""
    for event in events:
        if event.topic == PACK_DISCLOSED and event.state.get("pack_id") == manifest.get("pack_id"):
            recorded = set(event.state.get("carried_key_ids", ()))
            if recorded != set(keys):
                report.found(KEYS, "carries other keys than the pack's recorded disclosure names")


def _refusals(
    files: Mapping[str, bytes], manifest: Any, tree: _Tree | None, report: PackReport
) -> None:
    case = str(manifest.get("referral_id"))
    for line in _jsonl(files, REFUSALS, report):
        record = _stored_record(line, report)
        if record is None:
            continue
        where = f"refused attempt at position {record.position}"
        try:
            about = json.loads(record.state).get("referral_id")
        except ValueError:
            about = None
        if str(about) != case:
            report.found(where, f"is about another case ({about})")
        _proved(record.leaf(), line, tree, where, report)
        report.refusals += 1


def _access_log(
    files: Mapping[str, bytes], manifest: Any, log_key: VerifierKey, report: PackReport
) -> None:
    tree = _checkpoint(files, ACCESS_CHECKPOINT, manifest, log_key, (), report)
    case = str(manifest.get("referral_id"))
    case_column = manifest.get("access_log_case_column")
    for line in _jsonl(files, ACCESS_LOG, report):
        try:
            entry = StoredConsultation(int(line["position"]), tuple(line["columns"]))
        except (KeyError, TypeError, ValueError):
            report.found(ACCESS_LOG, f"an entry that is not an access-log row: {_short(line)}")
            continue
        where = f"access-log entry {entry.position}"
        if not isinstance(case_column, int) or not 0 <= case_column < len(entry.columns):
            report.found(MANIFEST, "does not say which access-log column names the case")
            return
        if entry.columns[case_column] != case:
            report.found(where, "is about another case")
        _proved(entry.leaf(), line, tree, where, report)
        report.access_entries += 1


def _stop(report: PackReport, where: str, problem: str) -> NoReturn:
    report.found(where, problem)
    raise _Stop


def _numbers(values: Sequence[int]) -> str:
    return ", ".join(str(v) for v in values[:10]) + (" ..." if len(values) > 10 else "")  # noqa: PLR2004


def _short(value: Any) -> str:
    return json.dumps(value)[:80]
