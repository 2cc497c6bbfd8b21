"""Producing a dispute pack: the case as it stood, as stored, opened where the purpose allows,
with the proofs, keys and signatures that let someone outside check it (the format and its
checks are `events.integrity.pack`).

The pack is made from a recorded `DisputePackDisclosed` event: its moment, its reveal choice
and the data keys it names are the ones the log holds, so a retried request makes the same
pack from the same record.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import takewhile
from typing import Any
from uuid import UUID

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic_core import to_json

from aggregates.legal_bases import LEGAL_BASES
from api.access.log import COLUMNS
from api.access.marking import MARKING_AS_WRITTEN, PROTECTIVE_MARKING
from api.bootstrap import Runtime, Sealing
from commands.keystores import WrappedKey
from events.base import DomainEvent
from events.dispute import DisputePackDisclosed
from events.forms import LegalBasisRef
from events.integrity import pack as files
from events.integrity.entries import StoredConsultation, StoredRecord
from events.integrity.merkle import MerkleTree
from events.integrity.sealed_fields import key_text, open_sealed, sealed_key_id
from events.registry import SECTION_8_EVENTS
from events.sharing import InformationDisclosed
from events.storage import EventMapper
from projections.case_view import reference
from projections.checkpoints import StoredCheckpoint
from projections.disclosure_register import DisclosureRegister
from projections.register_export import instant
from projections.seals import stored_record

THIRD_PARTIES_NOT_ASKED = "third parties' data: the request did not ask to reveal it"
KEY_NOT_CARRIED = "its key is not one the pack's recorded disclosure names"
SECTION_8_TOPICS = frozenset(event.TOPIC for event in SECTION_8_EVENTS)


class PackNotReadyError(Exception):
    """The log's seals have not reached what the pack must prove; try again shortly."""


@dataclass(frozen=True)
class ProvedLog:
    """One sealed log at a signed checkpoint: its note, and each position's leaf and proof."""

    checkpoint: StoredCheckpoint
    note: str
    index_of: Mapping[int, int]
    tree: MerkleTree

    def proof(self, position: int) -> tuple[int, list[bytes]]:
        index = self.index_of[position]
        return index, self.tree.inclusion_proof(index)


def produce_dispute_pack(runtime: Runtime, referral_id: UUID, version: int) -> bytes:
    """The ZIP of the pack recorded at `version` of the referral."""
    ledger = runtime.ledger
    mapper = EventMapper(keys=None)
    stored = ledger.ledger_recorder.select_history(referral_id)
    decoded = [(n, mapper.to_domain_event(n)) for n in stored]
    recorded = next(event for n, event in decoded if n.originator_version == version)
    if not isinstance(recorded, DisputePackDisclosed):
        raise TypeError(f"version {version} of {referral_id} is not a dispute pack")
    as_of = recorded.as_of
    # The case's first events up to the moment: versions stay whole even if a clock stepped back.
    case = [
        (stored_record(n), event)
        for n, event in takewhile(lambda pair: pair[1].audit.occurred_at <= as_of, decoded)
    ]
    refusals = _refusals(runtime, referral_id, as_of)
    sealing = runtime.projections.sealing
    events_log = _proved_log(sealing, "events", [r.position for r, _ in case] + list(refusals))
    access_log = _proved_log(sealing, "access", [])
    access = [
        entry
        for entry in runtime.access_log.case_entries(referral_id)
        if entry.position in access_log.index_of
    ]
    keys = _carried_keys(runtime, referral_id, recorded.carried_key_ids)
    revealed, redactions = _revealed(case, keys, runtime.ledger.keyring.stored_keys(referral_id))
    contents = {
        files.STORED_EVENTS: "".join(
            files.stored_event_line(record, *events_log.proof(record.position))
            for record, _ in case
        ),
        files.REVEALED_EVENTS: "".join(_line(line) for line in revealed),
        files.REFUSALS: "".join(
            files.stored_event_line(record, *events_log.proof(record.position))
            for record in refusals.values()
        ),
        files.ACCESS_LOG: "".join(
            files.stored_entry_line(entry, *access_log.proof(entry.position)) for entry in access
        ),
        files.EVENT_CHECKPOINT: events_log.note,
        files.ACCESS_CHECKPOINT: access_log.note,
        files.KEYS: _json(
            [
                {"key_id": key_id, "group": group, "key": key_text(raw)}
                for key_id, (group, raw) in sorted(keys.items())
            ]
        ),
        files.REDACTIONS: _json(redactions),
        files.DISCLOSURES: _json(_disclosures(case)),
        files.SECTION8: _json(
            [line for line in revealed if line["topic"] in SECTION_8_TOPICS],
        ),
        files.README: README.format(reference=reference(referral_id)),
    }
    encoded = {name: text.encode() for name, text in contents.items()}
    manifest = _manifest(runtime, recorded, case, refusals, access, events_log, access_log)
    manifest["files"] = {name: files.digest(content) for name, content in sorted(encoded.items())}
    manifest_bytes = _json(manifest).encode()
    signature = files.sign_manifest(
        sealing.logs["events"].origin, recorded.pack_id, manifest_bytes, sealing.signers
    )
    return _zip(
        {
            files.MANIFEST: manifest_bytes,
            files.MANIFEST_SIGNATURE: str(signature).encode(),
            **encoded,
        }
    )


def _refusals(runtime: Runtime, referral_id: UUID, as_of: Any) -> dict[int, StoredRecord]:
    """The case's refused sharing attempts recorded by `as_of`, as stored (each its own
    aggregate, found through the register, which is brought up to date first)."""
    runtime.projections.workers[DisclosureRegister.name].catch_up()
    found: dict[int, StoredRecord] = {}
    for refusal in runtime.projections.register.refusals(referral_id):
        if refusal.recorded_at > as_of:
            continue
        for notification in runtime.ledger.ledger_recorder.select_history(refusal.refusal_id):
            found[notification.id] = stored_record(notification)
    return dict(sorted(found.items()))


def _proved_log(sealing: Sealing, log: str, positions: Sequence[int]) -> ProvedLog:
    """Seal what is recorded, then take the latest checkpoint if it covers `positions`, or
    sign one at the sealed head that does."""
    worker = sealing.workers[log]
    worker.catch_up()  # safe beside a running sealer: a batch applies once, to one head
    sealer = worker.sealer
    head = sealer.head()
    seals = sealer.seals(0, head.size)
    index_of = {seal.position: seal.leaf_index for seal in seals}
    if any(position not in index_of for position in positions):
        raise PackNotReadyError(f"the {log} log is not sealed up to the case's last entry")
    needed = max((index_of[p] + 1 for p in positions), default=head.size)
    checkpoint = sealing.checkpoints.latest(log)
    if checkpoint is None or checkpoint.size < needed:
        # Signed at the sealed head (the empty tree of a log nobody has added to yet).
        if worker.checkpointer is None:
            raise PackNotReadyError(f"the {log} log has no checkpoint to prove the pack against")
        checkpoint = worker.checkpointer.sign(head.size, head.root, worker.checkpointer.now())
    tree = MerkleTree([seal.leaf_hash for seal in seals[: checkpoint.size]])
    covered = {p: i for p, i in index_of.items() if i < checkpoint.size}
    return ProvedLog(checkpoint, sealing.checkpoints.served_note(checkpoint), covered, tree)


def _carried_keys(
    runtime: Runtime, referral_id: UUID, key_ids: Iterable[str]
) -> dict[str, tuple[str, bytes]]:
    """The data keys the recorded disclosure names that still exist: id → (group, raw key)."""
    keyring = runtime.ledger.keyring
    stored = {key.key_id: key for key in keyring.stored_keys(referral_id)}
    carried = {}
    for key_id in key_ids:
        key = stored.get(key_id)
        if key is not None and key.wrapped_key is not None:
            carried[key_id] = (key.key_group.value, keyring.unwrap_raw(key))
    return carried


def _revealed(
    case: Sequence[tuple[StoredRecord, DomainEvent]],
    keys: Mapping[str, tuple[str, bytes]],
    stored_keys: Sequence[WrappedKey],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    groups = {key.key_id: key for key in stored_keys}
    ciphers = {key_id: AESGCM(raw) for key_id, (_, raw) in keys.items()}
    revealed, redactions = [], []
    for record, event in case:
        state: dict[str, Any] = json.loads(record.state)
        for name, value in state.items():
            key_id = sealed_key_id(value)
            if key_id is None:
                continue
            known = groups.get(key_id)
            if known is not None and known.wrapped_key is None:
                state[name] = {files.ERASED: key_id}
            elif key_id in ciphers:
                cipher = ciphers[key_id]
                state[name] = open_sealed(cipher, record.originator_id, record.version, name, value)
            else:
                group = known.key_group.value if known else None
                reason = THIRD_PARTIES_NOT_ASKED if group == "third_party" else KEY_NOT_CARRIED
                state[name] = {files.REDACTED: reason}
                redactions.append(
                    {
                        "position": record.position,
                        "version": record.version,
                        "field": name,
                        "key_group": group,
                        "reason": reason,
                    }
                )
        revealed.append(
            {
                "position": record.position,
                "version": record.version,
                "topic": record.topic,
                "event": type(event).__name__,
                "recorded_at": instant(event.audit.occurred_at),
                "recorded_by": event.audit.actor_id,
                "recorded_by_role": event.audit.actor_role.value,
                "recorded_by_agency": event.audit.actor_agency,
                "state": state,
            }
        )
    return revealed, redactions


def _disclosures(case: Sequence[tuple[StoredRecord, DomainEvent]]) -> list[dict[str, Any]]:
    """Every disclosure of the case (and every pack made of it), with the text of each legal
    basis relied on as its catalogue entry stood (entries are never changed once published)."""
    found = []
    for record, event in case:
        if isinstance(event, InformationDisclosed | DisputePackDisclosed):
            dumped = event.model_dump(
                mode="json",
                include={
                    "disclosure_no",
                    "pack_no",
                    "disclosed_at",
                    "disclosing_agency",
                    "recipients",
                    "requester",
                    "information_category",
                    "purpose",
                    "handling_advice",
                    "relies_on_consent",
                    "consent_status",
                },
            )
            found.append(
                {
                    "position": record.position,
                    "event": type(event).__name__,
                    "recorded_at": instant(event.audit.occurred_at),
                    **dumped,
                    "legal_bases": [_basis(ref) for ref in event.legal_bases],
                }
            )
    return found


def _basis(ref: LegalBasisRef) -> dict[str, Any]:
    entry = LEGAL_BASES.get(ref.entry_id)
    return {
        **ref.model_dump(mode="json"),
        "text": entry.text if entry else None,
        "valid_from": entry.valid_from.isoformat() if entry else None,
        "valid_to": entry.valid_to.isoformat() if entry and entry.valid_to else None,
    }


def _manifest(
    runtime: Runtime,
    recorded: DisputePackDisclosed,
    case: Sequence[tuple[StoredRecord, DomainEvent]],
    refusals: Mapping[int, StoredRecord],
    access: Sequence[StoredConsultation],
    events_log: ProvedLog,
    access_log: ProvedLog,
) -> dict[str, Any]:
    audit = recorded.audit
    sealing = runtime.projections.sealing
    return {
        "format": files.FORMAT,
        "pack_id": str(recorded.pack_id),
        "pack_no": recorded.pack_no,
        "referral_id": str(recorded.originator_id),
        "reference": reference(recorded.originator_id),
        "as_of": instant(recorded.as_of),
        "requester": recorded.requester.model_dump(mode="json"),
        "disclosing_agency": recorded.disclosing_agency.model_dump(mode="json"),
        "purpose": recorded.purpose,
        "legal_bases": [_basis(ref) for ref in recorded.legal_bases],
        "handling_advice": recorded.handling_advice,
        "reveals_third_parties": recorded.reveals_third_parties,
        "produced_by": audit.actor_id,
        "produced_by_role": audit.actor_role.value,
        "produced_by_agency": audit.actor_agency,
        "produced_at": instant(audit.occurred_at),
        "recorded_as": {
            "position": max(r.position for r, _ in case),
            "version": recorded.originator_version,
        },
        "protective_marking": PROTECTIVE_MARKING,
        "marking_in_the_guidance": MARKING_AS_WRITTEN,
        "log_origin": sealing.logs["events"].origin,
        "access_log_origin": sealing.logs["access"].origin,
        "checkpoint": {
            "size": events_log.checkpoint.size,
            "root": events_log.checkpoint.root.hex(),
        },
        "access_log_checkpoint": {
            "size": access_log.checkpoint.size,
            "root": access_log.checkpoint.root.hex(),
        },
        "events": len(case),
        "refusals": len(refusals),
        "access_entries": len(access),
        "access_log_case_column": COLUMNS.index("referral_id"),
        "carried_key_ids": list(recorded.carried_key_ids),
    }


# pydantic-core's encoder: the standard library's falls back to Python when it indents, and
# was two thirds of a pack's time.
def _line(value: Mapping[str, Any]) -> str:
    return to_json(value).decode() + "\n"


def _json(value: Any) -> str:
    return to_json(value, indent=2).decode() + "\n"


def _zip(members: Mapping[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(
                zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)),
                content,
                compress_type=zipfile.ZIP_DEFLATED,
            )
    return buffer.getvalue()


README = """\
Dispute pack of case {reference}
================================

This pack holds one case of a Vulnerable To Radicalisation referral ledger as the ledger
recorded it, for checking by someone who does not have to trust whoever produced it.
It is protectively marked OFFICIAL-SENSITIVE: it holds personal data. Keep it as the
manifest's handling advice says, and only for the purpose the manifest states.

What is in it
-------------
manifest.json            what the pack is: the case, the moment it stood at (as_of), who
                         asked (requester), why (purpose, legal bases), who produced it and
                         when, and the SHA-256 of every other file.
manifest.sig             the manifest's signature by the ledger's signing key.
events/stored.jsonl      the case's events exactly as stored (state in base64), each with its
                         inclusion proof in the event log.
events/revealed.jsonl    the same events with personal data opened as far as the purpose
                         allows; a withheld value shows "$redacted" (with a reason in
                         redactions.json) or "$erased" (its key was destroyed by an erasure).
keys.json                the case's data keys for what is revealed: with them every revealed
                         value can be checked against the stored (encrypted) bytes.
refusals/stored.jsonl    refused attempts to share the case's information, as stored.
access-log/stored.jsonl  every recorded consultation of the case, as stored.
checkpoints/*.txt        the logs' signed checkpoints (C2SP signed notes), with the
                         cosignatures of independent witnesses.
disclosures.json         every disclosure of the case, with the text of each legal basis.
section8.json            the section 8 record: involvement ended, obligations, confirmations.

How to check it
---------------
With the ledger's software and nothing else (no database, no network):

    python -m api verify-pack PACK.zip --log-key <the ledger's public key> \\
        [--witness-key <a witness's public key> ...]

Get the public keys from their owners, not from this pack. The check confirms that:
1. the manifest is signed by the ledger's key and every file has the SHA-256 it lists;
2. the checkpoints are signed by the ledger's key (and cosigned by each witness named);
3. every event belongs to this case, versions run 1..n with none missing or repeated, and
   each is in the log at the checkpoint (its inclusion proof leads to the signed root);
4. every revealed value opens from the stored bytes with the key carried (AES-256-GCM, bound
   to its case, version and field), so no value was changed after it was recorded;
5. every erased value names a key an erasure in the pack destroyed, and every redaction
   has its reason;
6. the refused attempts and access-log entries are about this case and are in their logs.

A check of your own: each leaf is SHA-256(0x00 || entry) over the stored record (RFC 9162),
and the format of an entry is documented in docs/integrity.md of the ledger.
"""
