"""Commands of section 8 and of erasure, on the write side.

An erasure is recorded first and its keys destroyed right after: the record is the source
of truth, and destroying a key again is harmless, so `reapply_erasures` can finish the job
after a crash between the two or after the key store is restored from a backup.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from aggregates.errors import InvalidInstructionError
from aggregates.referral import Referral
from commands import section8 as s8
from commands.context import Issued, Outcome
from commands.errors import ReferralNotFoundError
from commands.ledger_sharing import SharingCommands
from events.base import AuditEnvelope
from events.erasure import ErasureExecuted
from events.storage import logged_events

DEFAULT_DISPOSAL_WORKING_DAYS = 10


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
        self, referral_id: UUID, command: s8.EndAgencyInvolvement, issued: Issued
    ) -> Outcome:
        agency = self._agency_ref(command.agency_id, "agency_id")
        days = self.disposal_working_days

        def decide(referral: Referral, audit: AuditEnvelope) -> None:
            referral.end_agency_involvement(
                audit, agency, command.ended_on, command.reason, command.note, days
            )

        return self._change(referral_id, command, issued, decide, self.referral)

    def confirm_disposal(
        self, referral_id: UUID, command: s8.ConfirmDisposal, issued: Issued
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
        self, referral_id: UUID, command: s8.PlaceLegalHold, issued: Issued
    ) -> Outcome:
        def decide(referral: Referral, audit: AuditEnvelope) -> None:
            referral.place_legal_hold(audit, command.ground, command.reason)

        return self._change(referral_id, command, issued, decide, self.referral)

    def lift_legal_hold(
        self, referral_id: UUID, command: s8.LiftLegalHold, issued: Issued
    ) -> Outcome:
        days = self.disposal_working_days

        def decide(referral: Referral, audit: AuditEnvelope) -> None:
            referral.lift_legal_hold(audit, command.reason, days)

        return self._change(referral_id, command, issued, decide, self.referral)

    def review_retention(
        self, referral_id: UUID, command: s8.ReviewRetention, issued: Issued
    ) -> Outcome:
        def decide(referral: Referral, audit: AuditEnvelope) -> None:
            referral.review_retention(
                audit, command.reviewed_on, command.decision, command.next_review_on, command.reason
            )

        return self._change(referral_id, command, issued, decide, self.referral)

    def request_erasure(self, command: s8.RequestErasure, issued: Issued) -> Outcome:
        def decide(referral: Referral, audit: AuditEnvelope) -> None:
            referral.request_erasure(audit, command.key_groups, command.ground, command.reason)

        return self._change(command.referral_id, command, issued, decide, self._named_referral)

    def approve_erasure(self, command: s8.ApproveErasure, issued: Issued) -> Outcome:
        def decide(referral: Referral, audit: AuditEnvelope) -> None:
            referral.approve_erasure(audit, command.request_no)

        return self._change(command.referral_id, command, issued, decide, self._named_referral)

    def execute_erasure(self, command: s8.ExecuteErasure, issued: Issued) -> Outcome:
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

    def reapply_erasures(self) -> int:
        """Destroy every key an erasure named, again (after a crash or a restore from backup);
        returns how many erasures were applied."""
        applied = 0
        for referral_id, event in self._executed_erasures():
            self._destroy_keys(referral_id, event.key_ids)
            applied += 1
        return applied

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
