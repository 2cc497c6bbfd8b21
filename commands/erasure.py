"""Commands of erasure and retention review.

An erasure is recorded first and its keys destroyed right after: the record is the source
of truth, and destroying a key again is harmless, so `reapply_erasures` can finish the job
after a crash between the two or after the key store is restored from a backup.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder

from aggregates.erasure import (
    ErasureApplication,
    ErasureApproval,
    ErasureExecution,
    RetentionReviewReport,
)
from aggregates.referral import Referral
from commands.base import ChangeReferral
from commands.clock import Clock
from commands.context import Issued, Outcome
from commands.cycle import CommandCycle
from commands.keyring import KeyRing
from commands.recorders import LedgerRecorder
from events.base import AuditEnvelope
from events.erasure import ErasureExecuted
from events.personal import KeyGroup
from events.storage import logged_events


class ChangeNamedReferral(ChangeReferral):
    """A change to the referral its body names: erasure is asked for by case id, not on the
    case's own route. The id comes right after the version, before the instruction's fields,
    as the HTTP contract has always had it."""

    referral_id: UUID


class RequestErasure(ErasureApplication, ChangeNamedReferral):
    """Ask for the case's personal data of these key groups to be erased (needs approval).

    The reason is the controller's and outlives the erasure: it should hold no more personal
    data than the justification needs."""


class ApproveErasure(ErasureApproval, ChangeNamedReferral):
    """A second compliance officer approves an erasure request."""


class ExecuteErasure(ErasureExecution, ChangeNamedReferral):
    """Destroy the data keys of an approved request; the erased data can never be read again."""


class ReviewRetention(RetentionReviewReport, ChangeReferral):
    """Review the case's record under the retention schedule: retain until a next review, or
    erase (which raises an erasure request for a second person to approve)."""


class KeyDestruction:
    """Destroys the keys an erasure named, stamped with the ledger's clock, and keeps the
    case's idempotency records only as tombstones (their digests covered erased data)."""

    def __init__(self, keyring: KeyRing, recorder: LedgerRecorder, clock: Clock) -> None:
        self._keyring = keyring
        self._recorder = recorder
        self._clock = clock

    def live_key_ids(self, referral_id: UUID) -> dict[KeyGroup, str]:
        return self._keyring.live_key_ids(referral_id)

    def destroy(self, referral_id: UUID, key_ids: Sequence[str]) -> None:
        self._keyring.destroy(key_ids, at=self._clock.now())
        self._recorder.tombstone_idempotency_records(referral_id)

    def revived(self, referral_id: UUID, key_ids: Sequence[str]) -> bool:
        """Whether a key this erasure named is back in the store (restored from a backup)."""
        stored = {
            key.key_id
            for key in self._keyring.stored_keys(referral_id)
            if key.wrapped_key is not None
        }
        return not stored.isdisjoint(key_ids)


# Handlers


def request_erasure(cycle: CommandCycle, command: RequestErasure, issued: Issued) -> Outcome:
    return cycle.change(
        command.referral_id,
        command,
        issued,
        lambda referral, audit: referral.request_erasure(audit, command),
        cycle.named_referral,
    )


def approve_erasure(cycle: CommandCycle, command: ApproveErasure, issued: Issued) -> Outcome:
    return cycle.change(
        command.referral_id,
        command,
        issued,
        lambda referral, audit: referral.approve_erasure(audit, command),
        cycle.named_referral,
    )


def execute_erasure(
    cycle: CommandCycle, keys: KeyDestruction, command: ExecuteErasure, issued: Issued
) -> Outcome:
    referral_id = command.referral_id
    key_ids = keys.live_key_ids(referral_id)
    executed: list[ErasureExecuted] = []

    def decide(referral: Referral, audit: AuditEnvelope) -> None:
        referral.execute_erasure(audit, command, key_ids=key_ids)
        executed.extend(e for e in referral.pending_events if isinstance(e, ErasureExecuted))

    outcome = cycle.change(referral_id, command, issued, decide, cycle.named_referral)
    for event in executed:
        keys.destroy(referral_id, event.key_ids)
    return outcome


def reapply_erasures(
    keys: KeyDestruction, log: ApplicationRecorder, *, only_revived: bool = False
) -> int:
    """Destroy every key an erasure named, again (after a crash or a restore from backup);
    returns how many erasures were applied. `only_revived` touches only erasures whose
    keys are back in the store (a key store restored from a backup taken before them):
    cheap enough to run at every start."""
    applied = 0
    for _, event in logged_events(log, [ErasureExecuted.TOPIC]):
        if not isinstance(event, ErasureExecuted):
            continue
        if only_revived and not keys.revived(event.originator_id, event.key_ids):
            continue
        keys.destroy(event.originator_id, event.key_ids)
        applied += 1
    return applied
