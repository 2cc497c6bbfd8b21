"""Commands of section 8 and of erasure, on the write side.

An erasure is recorded first and its keys destroyed right after: the record is the source
of truth, and destroying a key again is harmless, so `reapply_erasures` can finish the job
after a crash between the two or after the key store is restored from a backup.

The controller's reasoning (the reasons of holds, reviews and erasure requests) is sealed
under a key no erasure names; `reseal_controller_reasoning` moves there the reasons that
version 1 of those events sealed under the subject's key.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple
from uuid import UUID

from pydantic_core import from_json

from aggregates.errors import InvalidInstructionError
from aggregates.referral import Referral
from commands.context import Issued, Outcome
from commands.disposal import ConfirmDisposal, EndAgencyInvolvement, LiftLegalHold, PlaceLegalHold
from commands.erasure import ApproveErasure, ExecuteErasure, RequestErasure, ReviewRetention
from commands.errors import ReferralNotFoundError
from commands.ledger_sharing import SharingCommands
from events.base import AuditEnvelope, DomainEvent
from events.disposal import LegalHoldLifted, LegalHoldPlaced
from events.erasure import ErasureExecuted, ErasureRequested, RetentionReviewed
from events.personal import KeyGroup
from events.storage import SEALED, logged_events

DEFAULT_DISPOSAL_WORKING_DAYS = 10
CONTROLLER_REASONING: tuple[type[DomainEvent], ...] = (
    LegalHoldPlaced,
    LegalHoldLifted,
    RetentionReviewed,
    ErasureRequested,
)
RESEAL_MIGRATION = "controller-reasoning-v2"


class ResealReport(NamedTuple):
    moved: int
    left_erased: int  # their subject key was destroyed first: they stay erased
    through: int  # the log position read up to


class SectionEightCommands(SharingCommands):
    """End of involvement, deletion or return, legal holds, erasure and retention review."""

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        *,
        disposal_working_days: int = DEFAULT_DISPOSAL_WORKING_DAYS,
        **parts: Any,
    ) -> None:
        self.disposal_working_days = disposal_working_days
        super().__init__(env, **parts)

    def end_agency_involvement(
        self, referral_id: UUID, command: EndAgencyInvolvement, issued: Issued
    ) -> Outcome:
        agency = self._agency_ref(command.agency_id, "agency_id")
        days = self.disposal_working_days

        def decide(referral: Referral, audit: AuditEnvelope) -> None:
            referral.end_agency_involvement(
                audit, agency, command.ended_on, command.reason, command.note, days
            )

        return self._change(referral_id, command, issued, decide, self.referral)

    def confirm_disposal(
        self, referral_id: UUID, command: ConfirmDisposal, issued: Issued
    ) -> Outcome:
        def decide(referral: Referral, audit: AuditEnvelope) -> None:
            referral.confirm_disposal(
                audit,
                command.obligation_no,
                command.method,
                command.disposed_on,
                complete=command.complete,
                note=command.note,
            )

        return self._change(referral_id, command, issued, decide, self.referral)

    def place_legal_hold(
        self, referral_id: UUID, command: PlaceLegalHold, issued: Issued
    ) -> Outcome:
        def decide(referral: Referral, audit: AuditEnvelope) -> None:
            referral.place_legal_hold(audit, command.ground, command.reason)

        return self._change(referral_id, command, issued, decide, self.referral)

    def lift_legal_hold(self, referral_id: UUID, command: LiftLegalHold, issued: Issued) -> Outcome:
        days = self.disposal_working_days

        def decide(referral: Referral, audit: AuditEnvelope) -> None:
            referral.lift_legal_hold(audit, command.reason, days)

        return self._change(referral_id, command, issued, decide, self.referral)

    def review_retention(
        self, referral_id: UUID, command: ReviewRetention, issued: Issued
    ) -> Outcome:
        def decide(referral: Referral, audit: AuditEnvelope) -> None:
            referral.review_retention(
                audit, command.reviewed_on, command.decision, command.next_review_on, command.reason
            )

        return self._change(referral_id, command, issued, decide, self.referral)

    def request_erasure(self, command: RequestErasure, issued: Issued) -> Outcome:
        def decide(referral: Referral, audit: AuditEnvelope) -> None:
            referral.request_erasure(audit, command.key_groups, command.ground, command.reason)

        return self._change(command.referral_id, command, issued, decide, self._named_referral)

    def approve_erasure(self, command: ApproveErasure, issued: Issued) -> Outcome:
        def decide(referral: Referral, audit: AuditEnvelope) -> None:
            referral.approve_erasure(audit, command.request_no)

        return self._change(command.referral_id, command, issued, decide, self._named_referral)

    def execute_erasure(self, command: ExecuteErasure, issued: Issued) -> Outcome:
        referral_id = command.referral_id
        key_ids = self.keyring.live_key_ids(referral_id)
        executed: list[ErasureExecuted] = []

        def decide(referral: Referral, audit: AuditEnvelope) -> None:
            referral.execute_erasure(audit, command.request_no, key_ids)
            executed.extend(e for e in referral.pending_events if isinstance(e, ErasureExecuted))

        outcome = self._change(referral_id, command, issued, decide, self._named_referral)
        for event in executed:
            self._destroy_keys(referral_id, event.key_ids)
        return outcome

    def reapply_erasures(self, *, only_revived: bool = False) -> int:
        """Destroy every key an erasure named, again (after a crash or a restore from backup);
        returns how many erasures were applied. `only_revived` touches only erasures whose
        keys are back in the store (a key store restored from a backup taken before them):
        cheap enough to run at every start."""
        applied = 0
        for referral_id, event in self._executed_erasures():
            if only_revived:
                revived = set(event.key_ids) & set(self._stored_key_ids(referral_id))
                if not revived:
                    continue
            self._destroy_keys(referral_id, event.key_ids)
            applied += 1
        return applied

    def _stored_key_ids(self, referral_id: UUID) -> list[str]:
        return [
            key.key_id
            for key in self.keyring.stored_keys(referral_id)
            if key.wrapped_key is not None
        ]

    def reseal_controller_reasoning(self, page_size: int = 500) -> ResealReport:
        """Re-seal under the case's controller key each reason that version 1 of the
        controller's events sealed under the subject's key, so erasing the subject no longer
        erases the justification; each run reads only what was recorded since the last.

        A reason whose subject key is gone (destroyed, or named by an erasure should a
        restored key store have brought it back) stays erased: it cannot be read, and must not
        be. Only the state of the moved events is rewritten, never their envelope or position.
        """
        recorder = self.ledger_recorder
        after = recorder.migrated_through(RESEAL_MIGRATION)
        through = self.recorder.max_notification_id() or 0
        topics = [event_class.TOPIC for event_class in CONTROLLER_REASONING]
        mapper = self._event_mapper()
        subject_keys: dict[UUID, str | None] = {}
        moved = left = 0
        while after < through:
            page = self.recorder.select_notifications(
                start=after, limit=page_size, stop=through, topics=topics, inclusive_of_start=False
            )
            for stored in page:
                key_id = _sealed_by_version_1(stored.state)
                if key_id is None:
                    continue
                referral_id = UUID(str(stored.originator_id))
                if referral_id not in subject_keys:
                    subject_keys[referral_id] = self._subject_key_left(referral_id)
                if key_id != subject_keys[referral_id]:
                    left += 1
                    continue
                resealed = mapper.to_stored_event(mapper.to_revealed_event(stored))
                moved += recorder.replace_event_state(stored, resealed.state)
            if len(page) < page_size:
                break
            after = page[-1].id
        recorder.record_migrated_through(RESEAL_MIGRATION, through)
        return ResealReport(moved, left, through)

    def _subject_key_left(self, referral_id: UUID) -> str | None:
        """The id of the case's subject key, unless it is destroyed or an erasure named it."""
        key_id = self.keyring.live_key_ids(referral_id).get(KeyGroup.SUBJECT)
        erased = {
            erased_id
            for _, event in self.history(referral_id)
            if isinstance(event, ErasureExecuted)
            for erased_id in event.key_ids
        }
        return None if key_id in erased else key_id

    def _destroy_keys(self, referral_id: UUID, key_ids: list[str]) -> None:
        self.keyring.destroy(key_ids)
        self.ledger_recorder.tombstone_idempotency_records(referral_id)

    def _executed_erasures(self) -> list[tuple[UUID, ErasureExecuted]]:
        return [
            (event.originator_id, event)
            for _, event in logged_events(self.recorder, [ErasureExecuted.TOPIC])
            if isinstance(event, ErasureExecuted)
        ]

    def _named_referral(self, referral_id: UUID) -> Referral:
        """The referral a command names in its body: an unknown one is an invalid field."""
        try:
            return self.referral(referral_id)
        except ReferralNotFoundError:
            raise InvalidInstructionError(
                "referral_id", f"There is no referral {referral_id}."
            ) from None


def _sealed_by_version_1(state: bytes) -> str | None:
    """The key id a version 1 record sealed its reason under; None for a later version."""
    fields = from_json(state)
    reason = fields.get("reason")
    if "class_version" in fields or not isinstance(reason, dict) or SEALED not in reason:
        return None
    return str(reason[SEALED])
