"""Moving the controller's reasoning out from under the subject's key (a one-way migration).

The controller's reasoning (the reasons of holds, reviews and erasure requests) is sealed
under a key no erasure names; version 1 of those events sealed it under the subject's key.
`reseal_controller_reasoning` moves each such reason, so erasing the subject no longer
erases the justification.
"""

from __future__ import annotations

from typing import NamedTuple
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder
from pydantic_core import from_json

from commands.keyring import KeyRing
from commands.recorders import LedgerRecorder
from events.base import DomainEvent
from events.disposal import LegalHoldLifted, LegalHoldPlaced
from events.erasure import ErasureExecuted, ErasureRequested, RetentionReviewed
from events.integrity.sealed_fields import SEALED
from events.personal import KeyGroup
from events.storage import EventMapper

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


class ControllerReasoningReseal:
    """Re-seals under the case's controller key each reason that version 1 of the controller's
    events sealed under the subject's key; each run reads only what was recorded since the last.

    A reason whose subject key is gone (destroyed, or named by an erasure should a restored key
    store have brought it back) stays erased: it cannot be read, and must not be. Only the state
    of the moved events is rewritten, never their envelope or position.
    """

    def __init__(
        self,
        log: ApplicationRecorder,
        recorder: LedgerRecorder,
        mapper: EventMapper,
        keyring: KeyRing,
    ) -> None:
        self._log = log
        self._recorder = recorder
        self._mapper = mapper
        self._keyring = keyring

    def run(self, page_size: int) -> ResealReport:
        after = self._recorder.migrated_through(RESEAL_MIGRATION)
        through = self._log.max_notification_id() or 0
        topics = [event_class.TOPIC for event_class in CONTROLLER_REASONING]
        subject_keys: dict[UUID, str | None] = {}
        moved = left = 0
        while after < through:
            page = self._log.select_notifications(
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
                resealed = self._mapper.to_stored_event(self._mapper.to_revealed_event(stored))
                moved += self._recorder.replace_event_state(stored, resealed.state)
            if len(page) < page_size:
                break
            after = page[-1].id
        self._recorder.record_migrated_through(RESEAL_MIGRATION, through)
        return ResealReport(moved, left, through)

    def _subject_key_left(self, referral_id: UUID) -> str | None:
        """The id of the case's subject key, unless it is destroyed or an erasure named it."""
        key_id = self._keyring.live_key_ids(referral_id).get(KeyGroup.SUBJECT)
        erased: set[str] = set()
        for stored in self._recorder.select_history(referral_id):
            if stored.topic == ErasureExecuted.TOPIC:
                event = self._mapper.to_domain_event(stored)
                if isinstance(event, ErasureExecuted):
                    erased.update(event.key_ids)
        return None if key_id in erased else key_id


def _sealed_by_version_1(state: bytes) -> str | None:
    """The key id a version 1 record sealed its reason under; None for a later version."""
    fields = from_json(state)
    reason = fields.get("reason")
    if "class_version" in fields or not isinstance(reason, dict) or SEALED not in reason:
        return None
    return str(reason[SEALED])
