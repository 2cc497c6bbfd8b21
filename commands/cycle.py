"""The load → decide → save cycle every command goes through, and what it guarantees.

A change names the version it was decided on, and a stale one is refused rather than
merged. A command that carries an idempotency key is recorded with its outcome in the
same transaction as its events, so a retry appends nothing and gets the first outcome:
a retried change is recognised when its version is stale or its record collides.
Business time and new ids come from the ledger's clock and id source, never from here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Repository
from eventsourcing.persistence import IntegrityError, InterfaceError, OperationalError, Recording

from aggregates.agency import Agency
from aggregates.base import Aggregate
from aggregates.errors import InvalidInstructionError
from aggregates.referral import Referral
from commands.base import Change, Command
from commands.clock import Clock
from commands.context import Issued, Outcome
from commands.errors import (
    AgencyNotFoundError,
    ConcurrentChangeError,
    ReferralNotFoundError,
    StaleVersionError,
)
from commands.idempotency import Idempotency, stored_outcome
from commands.recorders import LedgerRecorder
from commands.snapshots import ReferralSnapshots
from events.base import AuditEnvelope
from events.forms import AgencyRef
from events.storage import EventMapper

Loaded = TypeVar("Loaded", Referral, Agency)
Told = TypeVar("Told", bound=Change)
Save = Callable[..., list[Recording[UUID]]]


class CommandCycle:
    """Loads an aggregate, lets a handler decide on it, and saves what it decided, once."""

    def __init__(
        self,
        *,
        repository: Repository[UUID],
        save: Save,
        recorder: LedgerRecorder,
        mapper: EventMapper,
        idempotency: Idempotency,
        snapshots: ReferralSnapshots,
        clock: Clock,
        new_id: Callable[[], UUID],
        announce: Callable[[int], None],
    ) -> None:
        self._repository = repository
        self._save = save
        self._recorder = recorder
        self._mapper = mapper
        self._idempotency = idempotency
        self._snapshots = snapshots
        self.clock = clock
        self.new_id = new_id
        self._announce = announce

    # Loads

    def referral(self, referral_id: UUID) -> Referral:
        referral = self._snapshots.load(referral_id)
        if referral is None:
            raise ReferralNotFoundError(referral_id)
        return referral

    def agency(self, agency_id: UUID) -> Agency:
        return self._load(agency_id, Agency.project, AgencyNotFoundError)

    def named_referral(self, referral_id: UUID) -> Referral:
        """The referral a command names in its body: an unknown one is an invalid field."""
        try:
            return self.referral(referral_id)
        except ReferralNotFoundError:
            raise InvalidInstructionError(
                "referral_id", f"There is no referral {referral_id}."
            ) from None

    def named_agency(self, agency_id: UUID, field: str) -> Agency:
        """An agency a command names in `field`: an unknown one is an invalid field."""
        try:
            return self.agency(agency_id)
        except AgencyNotFoundError:
            raise InvalidInstructionError(field, f"There is no agency {agency_id}.") from None

    def agency_ref(self, agency_id: UUID, field: str) -> AgencyRef:
        return self.named_agency(agency_id, field).state.ref

    def _load(
        self,
        aggregate_id: UUID,
        project: Callable[..., Loaded | None],
        not_found: Callable[[UUID], Exception],
    ) -> Loaded:
        try:
            aggregate: Loaded = self._repository.get(aggregate_id, projector_func=project)
        except AggregateNotFoundError:
            raise not_found(aggregate_id) from None
        return aggregate

    # Decisions

    def create(
        self, command: Command, issued: Issued, create: Callable[[AuditEnvelope], Aggregate]
    ) -> Outcome:
        if replayed := self._idempotency.replay(issued, command, None):
            return replayed
        return self._save_decided(create(self.audit(issued)), command, issued, None, 0)

    def change(
        self,
        aggregate_id: UUID,
        command: Change,
        issued: Issued,
        decide: Callable[[Loaded, AuditEnvelope], None],
        load: Callable[[UUID], Loaded],
        saved: Callable[[Loaded, Outcome], None] | None = None,
    ) -> Outcome:
        aggregate = load(aggregate_id)
        if aggregate.version != command.expected_version:
            # A retry of a change that was recorded always arrives stale: answer it here,
            # so the idempotency lookup costs nothing on the usual path.
            if replayed := self._idempotency.replay(issued, command, aggregate_id):
                return replayed
            raise StaleVersionError(expected=command.expected_version, actual=aggregate.version)
        version_before = aggregate.version
        decide(aggregate, self.audit(issued))
        outcome = self._save_decided(aggregate, command, issued, aggregate_id, version_before)
        if saved is not None and outcome.version == aggregate.version:
            saved(aggregate, outcome)
        return outcome

    def change_referral(
        self,
        referral_id: UUID,
        command: Change,
        issued: Issued,
        decide: Callable[[Referral, AuditEnvelope], None],
    ) -> Outcome:
        return self.change(
            referral_id,
            command,
            issued,
            decide,
            self._referral_to_change,
            lambda referral, outcome: self._snapshots.remember(referral, outcome.position),
        )

    def take(
        self,
        referral_id: UUID,
        command: Told,
        issued: Issued,
        step: Callable[[Referral, AuditEnvelope, Told], None],
    ) -> Outcome:
        """A step that needs nothing but its command: handed the command whole."""
        return self.change_referral(
            referral_id, command, issued, lambda referral, audit: step(referral, audit, command)
        )

    def _referral_to_change(self, referral_id: UUID) -> Referral:
        referral = self._snapshots.load(referral_id, to_change=True)
        if referral is None:
            raise ReferralNotFoundError(referral_id)
        return referral

    def change_agency(
        self,
        agency_id: UUID,
        command: Change,
        issued: Issued,
        decide: Callable[[Agency, AuditEnvelope], None],
    ) -> Outcome:
        return self.change(agency_id, command, issued, decide, self.agency)

    def record(self, aggregate: Aggregate) -> None:
        """Save an aggregate of its own, outside any command's idempotency (a refusal)."""
        self._save(aggregate)

    def audit(self, issued: Issued) -> AuditEnvelope:
        return AuditEnvelope(
            actor_id=issued.actor.actor_id,
            actor_role=issued.actor.role,
            actor_agency=issued.actor.agency,
            actor_agency_id=issued.actor.agency_id,
            occurred_at=self.clock.now(),
            command_id=issued.command_id,
        )

    # Saving, and what a failed save may still have recorded

    def _save_decided(
        self,
        decided: Aggregate,
        command: Command,
        issued: Issued,
        aggregate_id: UUID | None,
        version_before: int,
    ) -> Outcome:
        record = self._idempotency.record(issued, command, aggregate_id, decided, version_before)
        try:
            recordings = self._save(decided, idempotency=record)
        except IntegrityError:
            # The versions are taken: by this very command, if the database committed it and
            # the acknowledgement was lost (the retry then collides with its own events), or by
            # someone else's change. Only the second is a refusal.
            if stored := self._recorded_already(decided, version_before, issued):
                return stored
            if replayed := self._idempotency.replay(issued, command, aggregate_id):
                return replayed
            raise ConcurrentChangeError from None
        except (OperationalError, InterfaceError):
            # The store stopped answering: the command may or may not be in the log. Say so
            # only when it cannot be found there.
            stored = self._found_after_failure(decided, version_before, issued)
            if stored is None:
                raise
            return stored
        last = recordings[-1]
        return Outcome(
            aggregate_id=decided.id,
            version=last.domain_event.originator_version,
            position=last.notification.id,
            events=tuple(type(recording.domain_event).__name__ for recording in recordings),
        )

    def _recorded_already(
        self, decided: Aggregate, version_before: int, issued: Issued
    ) -> Outcome | None:
        """The outcome of this command if its events are in the log (found by command id)."""
        stored = self._recorder.select_history(decided.id, gt=version_before, lte=decided.version)
        if not stored or self._mapper.to_domain_event(stored[0]).audit.command_id != (
            issued.command_id
        ):
            return None
        self._announce(stored[-1].id)
        return stored_outcome(decided.id, stored)

    def _found_after_failure(
        self, decided: Aggregate, version_before: int, issued: Issued
    ) -> Outcome | None:
        try:
            return self._recorded_already(decided, version_before, issued)
        except (OperationalError, InterfaceError):
            return None
