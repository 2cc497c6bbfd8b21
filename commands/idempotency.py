"""How a retried command is recognised by its idempotency key, and answered with its first outcome.

The record of a keyed command holds a keyed digest of the command (never its content), so
a key reused for another command is refused, and a case erased since is said to be erased.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from uuid import UUID

from eventsourcing.persistence import Notification

from aggregates.base import Aggregate
from commands.base import Command
from commands.context import Issued, Outcome
from commands.errors import ErasedCaseError, IdempotencyKeyReusedError
from commands.recorders import IdempotencyRecord, LedgerRecorder
from events.registry import event_class_for


class Idempotency:
    def __init__(self, recorder: LedgerRecorder, fingerprint_key: bytes) -> None:
        self._recorder = recorder
        self._fingerprint_key = fingerprint_key

    def record(
        self,
        issued: Issued,
        command: Command,
        aggregate_id: UUID | None,
        decided: Aggregate,
        version_before: int,
    ) -> IdempotencyRecord | None:
        """What to store beside the command's events, if it carries a key."""
        if issued.idempotency_key is None:
            return None
        return IdempotencyRecord(
            actor_id=issued.actor.actor_id,
            idempotency_key=issued.idempotency_key,
            command=type(command).__name__,
            fingerprint=self._fingerprint(command, aggregate_id),
            aggregate_id=decided.id,
            first_version=version_before + 1,
            last_version=decided.version,
        )

    def replay(self, issued: Issued, command: Command, aggregate_id: UUID | None) -> Outcome | None:
        """The first outcome of this command if its key was recorded; None for a new command."""
        if issued.idempotency_key is None:
            return None
        record = self._recorder.find_idempotency_record(
            issued.actor.actor_id, issued.idempotency_key
        )
        if record is None:
            return None
        if record.fingerprint is None:
            # The case was erased since: only the command's name is left to compare.
            if record.command != type(command).__name__:
                raise IdempotencyKeyReusedError
            raise ErasedCaseError(record.aggregate_id)
        if not hmac.compare_digest(record.fingerprint, self._fingerprint(command, aggregate_id)):
            raise IdempotencyKeyReusedError
        notifications = self._recorder.select_history(
            record.aggregate_id, gt=record.first_version - 1, lte=record.last_version
        )
        return stored_outcome(record.aggregate_id, notifications, replayed=True)

    def _fingerprint(self, command: Command, aggregate_id: UUID | None) -> str:
        """A keyed digest of the command, so a stored record reveals nothing of its content."""
        message = f"{type(command).__name__}|{aggregate_id}|{command.model_dump_json()}"
        return hmac.new(self._fingerprint_key, message.encode(), hashlib.sha256).hexdigest()


def stored_outcome(
    aggregate_id: UUID, notifications: Sequence[Notification], *, replayed: bool = False
) -> Outcome:
    """The outcome of a command whose events are these, as the log holds them."""
    return Outcome(
        aggregate_id=aggregate_id,
        version=notifications[-1].originator_version,
        position=notifications[-1].id,
        events=tuple(event_class_for(n.topic).__name__ for n in notifications),
        replayed=replayed,
    )
