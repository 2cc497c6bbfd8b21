"""The load → decide → save cycle every command goes through, and what it guarantees.

A change names the version it was decided on, and a stale one is refused rather than
merged. A command that carries an idempotency key is recorded with its outcome in the
same transaction as its events, so a retry appends nothing and gets the first outcome:
a retried change is recognised when its version is stale or its record collides.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, TypeVar
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import (
    IntegrityError,
    InterfaceError,
    Mapper,
    OperationalError,
    Recording,
)
from eventsourcing.utils import Environment

from aggregates.agency import Agency
from aggregates.referral import Referral
from commands.base import Change, Command
from commands.clock import Clock, SystemClock
from commands.context import Issued, Outcome
from commands.errors import (
    AgencyNotFoundError,
    ConcurrentChangeError,
    ErasedCaseError,
    IdempotencyKeyReusedError,
    ReferralNotFoundError,
    StaleVersionError,
)
from commands.keyring import KeyRing
from commands.recorders import IdempotencyRecord, LedgerRecorder
from commands.snapshot_recorders import snapshot_recorder_beside
from commands.snapshots import ReferralSnapshots
from events.base import AuditEnvelope, DomainEvent
from events.intake import ReferralReceived
from events.registry import event_class_for
from events.storage import EventMapper

A = TypeVar("A", Referral, Agency)


class LedgerCore(Application[UUID]):
    """The event-sourced application behind every command of the ledger."""

    name = "vtr"
    env: ClassVar[dict[str, str]] = {}

    def __init_subclass__(cls, **kwargs: object) -> None:
        # The library names a subclass after itself, and so its tables: keep the stored name.
        super().__init_subclass__(**kwargs)
        if "name" not in cls.__dict__ or cls.name == cls.__name__:
            cls.name = LedgerCore.name

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        *,
        keyring: KeyRing,
        clock: Clock | None = None,
        new_id: Callable[[], UUID] = uuid4,
    ) -> None:
        self.keyring = keyring
        self._clock = clock or SystemClock()
        self._new_id = new_id
        self._fingerprint_key = keyring.derived_secret("idempotency fingerprints")
        self._save_listeners: list[Callable[[int], None]] = []
        super().__init__(env)
        if not isinstance(self.recorder, LedgerRecorder):
            raise TypeError("the ledger needs a LedgerRecorder (see APPLICATION_RECORDER_TOPIC)")
        self.ledger_recorder: LedgerRecorder = self.recorder
        self.referral_snapshots = ReferralSnapshots(
            snapshot_recorder_beside(self.recorder), self.recorder, self._event_mapper()
        )

    def construct_env(self, name: str, env: Mapping[str, str] | None = None) -> Environment:
        # Only the composition root reads the process environment; it passes what we need.
        return Environment(name, {**type(self).env, **(env or {})})

    def construct_mapper(self) -> Mapper[UUID]:
        return EventMapper(self.keyring)

    @property
    def clock(self) -> Clock:
        return self._clock

    def on_saved(self, listener: Callable[[int], None]) -> None:
        """Call `listener(position)` after each save (wakes in-process projections)."""
        self._save_listeners.append(listener)

    # Reads of one aggregate's own history (lists go through projections)

    def referral(self, referral_id: UUID) -> Referral:
        referral = self.referral_snapshots.load(referral_id)
        if referral is None:
            raise ReferralNotFoundError(referral_id)
        return referral

    def agency(self, agency_id: UUID) -> Agency:
        return self._load(agency_id, Agency.project, AgencyNotFoundError)

    def history(self, referral_id: UUID, *, reveal: bool = False) -> list[tuple[int, DomainEvent]]:
        """The referral's events with their log positions; personal data opened only on request."""
        notifications = self.ledger_recorder.select_history(referral_id)
        if not notifications or notifications[0].topic != ReferralReceived.TOPIC:
            raise ReferralNotFoundError(referral_id)
        mapper = self._event_mapper()
        if reveal:
            self.keyring.forget_destroyed(referral_id)  # another process may have erased it
        decode = mapper.to_revealed_event if reveal else mapper.to_domain_event
        return [(notification.id, decode(notification)) for notification in notifications]

    def _load(
        self,
        aggregate_id: UUID,
        project: Callable[..., A | None],
        not_found: Callable[[UUID], Exception],
    ) -> A:
        try:
            aggregate: A = self.repository.get(aggregate_id, projector_func=project)
        except AggregateNotFoundError:
            raise not_found(aggregate_id) from None
        return aggregate

    # The load → decide → save cycle

    def _create(
        self, command: Command, issued: Issued, create: Callable[[AuditEnvelope], Any]
    ) -> Outcome:
        if replayed := self._replay(issued, command, None):
            return replayed
        return self._save(create(self._audit(issued)), command, issued, None, version_before=0)

    def _change(
        self,
        aggregate_id: UUID,
        command: Change,
        issued: Issued,
        decide: Callable[[A, AuditEnvelope], None],
        load: Callable[[UUID], A],
    ) -> Outcome:
        aggregate = load(aggregate_id)
        if aggregate.version != command.expected_version:
            # A retry of a change that was recorded always arrives stale: answer it here,
            # so the idempotency lookup costs nothing on the usual path.
            if replayed := self._replay(issued, command, aggregate_id):
                return replayed
            raise StaleVersionError(expected=command.expected_version, actual=aggregate.version)
        version_before = aggregate.version
        decide(aggregate, self._audit(issued))
        return self._save(aggregate, command, issued, aggregate_id, version_before)

    def _save(
        self,
        aggregate: Any,
        command: Command,
        issued: Issued,
        aggregate_id: UUID | None,
        version_before: int,
    ) -> Outcome:
        record = self._idempotency_record(issued, command, aggregate_id, aggregate, version_before)
        try:
            recordings = self.save(aggregate, idempotency=record)
        except IntegrityError:
            # The versions are taken: by this very command, if the database committed it and
            # the acknowledgement was lost (the retry then collides with its own events), or by
            # someone else's change. Only the second is a refusal.
            if stored := self._recorded_already(aggregate, version_before, issued):
                return stored
            if replayed := self._replay(issued, command, aggregate_id):
                return replayed
            raise ConcurrentChangeError from None
        except (OperationalError, InterfaceError):
            # The store stopped answering: the command may or may not be in the log. Say so
            # only when it cannot be found there.
            stored = self._found_after_failure(aggregate, version_before, issued)
            if stored is None:
                raise
            return stored
        return _outcome(aggregate.id, recordings)

    def _recorded_already(
        self, aggregate: Any, version_before: int, issued: Issued
    ) -> Outcome | None:
        """The outcome of this command if its events are in the log (found by command id)."""
        stored = self.ledger_recorder.select_history(
            aggregate.id, gt=version_before, lte=aggregate.version
        )
        mapper = self._event_mapper()
        if not stored or mapper.to_domain_event(stored[0]).audit.command_id != issued.command_id:
            return None
        for listener in self._save_listeners:
            listener(stored[-1].id)
        return Outcome(
            aggregate_id=aggregate.id,
            version=stored[-1].originator_version,
            position=stored[-1].id,
            events=tuple(event_class_for(n.topic).__name__ for n in stored),
        )

    def _found_after_failure(
        self, aggregate: Any, version_before: int, issued: Issued
    ) -> Outcome | None:
        try:
            return self._recorded_already(aggregate, version_before, issued)
        except (OperationalError, InterfaceError):
            return None

    def _notify(self, recordings: list[Recording[UUID]]) -> None:
        if recordings:
            for listener in self._save_listeners:
                listener(recordings[-1].notification.id)

    def _audit(self, issued: Issued) -> AuditEnvelope:
        return AuditEnvelope(
            actor_id=issued.actor.actor_id,
            actor_role=issued.actor.role,
            actor_agency=issued.actor.agency,
            actor_agency_id=issued.actor.agency_id,
            occurred_at=self._clock.now(),
            command_id=issued.command_id,
        )

    def _idempotency_record(
        self,
        issued: Issued,
        command: Command,
        aggregate_id: UUID | None,
        aggregate: Any,
        version_before: int,
    ) -> IdempotencyRecord | None:
        if issued.idempotency_key is None:
            return None
        return IdempotencyRecord(
            actor_id=issued.actor.actor_id,
            idempotency_key=issued.idempotency_key,
            command=type(command).__name__,
            fingerprint=self._fingerprint(command, aggregate_id),
            aggregate_id=aggregate.id,
            first_version=version_before + 1,
            last_version=aggregate.version,
        )

    def _replay(
        self, issued: Issued, command: Command, aggregate_id: UUID | None
    ) -> Outcome | None:
        if issued.idempotency_key is None:
            return None
        record = self.ledger_recorder.find_idempotency_record(
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
        notifications = self.ledger_recorder.select_history(
            record.aggregate_id, gt=record.first_version - 1, lte=record.last_version
        )
        return Outcome(
            aggregate_id=record.aggregate_id,
            version=record.last_version,
            position=notifications[-1].id,
            events=tuple(event_class_for(n.topic).__name__ for n in notifications),
            replayed=True,
        )

    def _fingerprint(self, command: Command, aggregate_id: UUID | None) -> str:
        """A keyed digest of the command, so a stored record reveals nothing of its content."""
        message = f"{type(command).__name__}|{aggregate_id}|{command.model_dump_json()}"
        return hmac.new(self._fingerprint_key, message.encode(), hashlib.sha256).hexdigest()

    def _event_mapper(self) -> EventMapper:
        assert isinstance(self.mapper, EventMapper)  # noqa: S101 (construct_mapper makes it)
        return self.mapper


def _outcome(aggregate_id: UUID, recordings: list[Recording[UUID]]) -> Outcome:
    last = recordings[-1]
    return Outcome(
        aggregate_id=aggregate_id,
        version=last.domain_event.originator_version,
        position=last.notification.id,
        events=tuple(type(recording.domain_event).__name__ for recording in recordings),
    )
