"""The write side of the VTR process: one method per command, each load → decide → save."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Mapping
from typing import ClassVar
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError, Mapper, Recording
from eventsourcing.utils import Environment

from aggregates.referral import Referral
from commands import conclusion as c
from commands import intake as i
from commands import strategy as s
from commands.base import ChangeReferral, Command
from commands.clock import Clock, SystemClock
from commands.context import Issued, Outcome
from commands.errors import (
    ConcurrentChangeError,
    IdempotencyKeyReusedError,
    ReferralNotFoundError,
    StaleVersionError,
)
from commands.keyring import KeyRing
from commands.recorders import IdempotencyRecord, LedgerRecorder
from events.base import AuditEnvelope, DomainEvent
from events.registry import event_class_for
from events.storage import EventMapper

Decision = Callable[[Referral, AuditEnvelope], None]


class ReferralLedger(Application[UUID]):
    """Records the VTR process for referrals; every change is attributed, versioned, idempotent.

    A change names the version it was decided on, and a stale one is refused rather than
    merged. A command that carries an idempotency key is recorded with its outcome in the
    same transaction as its events, so a retry appends nothing and gets the first outcome:
    a retried change is recognised when its version is stale or its record collides.
    """

    name = "vtr"
    env: ClassVar[dict[str, str]] = {}

    def __init_subclass__(cls, **kwargs: object) -> None:
        # The library names a subclass after itself, and so its tables: keep the stored name.
        super().__init_subclass__(**kwargs)
        if "name" not in cls.__dict__ or cls.name == cls.__name__:
            cls.name = ReferralLedger.name

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

    def construct_env(self, name: str, env: Mapping[str, str] | None = None) -> Environment:
        # Only the composition root reads the process environment; it passes what we need.
        return Environment(name, {**type(self).env, **(env or {})})

    def construct_mapper(self) -> Mapper[UUID]:
        return EventMapper(self.keyring)

    def on_saved(self, listener: Callable[[int], None]) -> None:
        """Call `listener(position)` after each save (wakes in-process projections)."""
        self._save_listeners.append(listener)

    # Intake and MASH triage

    def receive_referral(self, command: i.ReceiveReferral, issued: Issued) -> Outcome:
        if replayed := self._replay(issued, command, None):
            return replayed
        referral = Referral.receive(
            self._new_id(),
            self._audit(issued),
            received_at=command.received_at,
            received_via=command.received_via,
            on_call_detective_inspector=command.on_call_detective_inspector,
            referring_agency=command.referring_agency,
            subject_age_group=command.subject_age_group,
            subject=command.subject,
            partner_and_parents=command.partner_and_parents,
            children_and_siblings=command.children_and_siblings,
            concern=command.concern,
            referrer=command.referrer,
        )
        return self._save(referral, command, issued, None, version_before=0)

    def record_security_checks(
        self, referral_id: UUID, command: i.RecordSecurityChecks, issued: Issued
    ) -> Outcome:
        return self._change(referral_id, command, issued, lambda r, a: r.record_security_checks(a))

    def request_further_information(
        self, referral_id: UUID, command: i.RequestFurtherInformation, issued: Issued
    ) -> Outcome:
        def decide(referral: Referral, audit: AuditEnvelope) -> None:
            referral.request_further_information(audit, command.information_needed)

        return self._change(referral_id, command, issued, decide)

    def return_further_information(
        self, referral_id: UUID, command: i.ReturnFurtherInformation, issued: Issued
    ) -> Outcome:
        def decide(referral: Referral, audit: AuditEnvelope) -> None:
            referral.return_further_information(audit, command.information_summary)

        return self._change(referral_id, command, issued, decide)

    def screen_out(
        self, referral_id: UUID, command: i.ScreenOutReferral, issued: Issued
    ) -> Outcome:
        def decide(referral: Referral, audit: AuditEnvelope) -> None:
            referral.screen_out(audit, command.reasons, command.other_reason)

        return self._change(referral_id, command, issued, decide)

    def screen_in(self, referral_id: UUID, command: i.ScreenInReferral, issued: Issued) -> Outcome:
        def decide(referral: Referral, audit: AuditEnvelope) -> None:
            referral.screen_in(audit, command.rationale)

        return self._change(referral_id, command, issued, decide)

    # Strategy discussion and the Section 2 decision

    def schedule_strategy_discussion(
        self, referral_id: UUID, command: s.ScheduleStrategyDiscussion, issued: Issued
    ) -> Outcome:
        def decide(referral: Referral, audit: AuditEnvelope) -> None:
            referral.schedule_strategy_discussion(
                audit,
                command.scheduled_for,
                command.lead_officer,
                command.social_care_service,
                command.social_care_representative,
            )

        return self._change(referral_id, command, issued, decide)

    def consult_referrer(
        self, referral_id: UUID, command: s.ConsultReferrer, issued: Issued
    ) -> Outcome:
        def decide(referral: Referral, audit: AuditEnvelope) -> None:
            referral.consult_referrer(audit, command.involvement, command.notes)

        return self._change(referral_id, command, issued, decide)

    def record_risk_assessment(
        self, referral_id: UUID, command: s.RecordRiskAssessment, issued: Issued
    ) -> Outcome:
        def decide(referral: Referral, audit: AuditEnvelope) -> None:
            referral.record_risk_assessment(audit, command.assessment)

        return self._change(referral_id, command, issued, decide)

    def conclude_strategy_discussion(
        self, referral_id: UUID, command: s.ConcludeStrategyDiscussion, issued: Issued
    ) -> Outcome:
        def decide(referral: Referral, audit: AuditEnvelope) -> None:
            referral.conclude_strategy_discussion(
                audit, command.outcome, command.vtr_category, command.reasons
            )

        return self._change(referral_id, command, issued, decide)

    def sign_mash_decision(
        self, referral_id: UUID, command: s.SignMashDecision, issued: Issued
    ) -> Outcome:
        def decide(referral: Referral, audit: AuditEnvelope) -> None:
            referral.sign_mash_decision(audit, command.capacity)

        return self._change(referral_id, command, issued, decide)

    def notify_referrer(
        self, referral_id: UUID, command: s.NotifyReferrer, issued: Issued
    ) -> Outcome:
        def decide(referral: Referral, audit: AuditEnvelope) -> None:
            referral.notify_referrer(
                audit,
                command.feedback_point,
                command.notified_at,
                command.notified_person,
                command.notified_by or issued.actor.actor_id,
                command.method,
            )

        return self._change(referral_id, command, issued, decide)

    # Strategy meeting, support and reviews

    def convene_strategy_meeting(
        self, referral_id: UUID, command: s.ConveneStrategyMeeting, issued: Issued
    ) -> Outcome:
        def decide(referral: Referral, audit: AuditEnvelope) -> None:
            referral.convene_strategy_meeting(
                audit, command.meeting_at, command.chair, command.nominated_by
            )

        return self._change(referral_id, command, issued, decide)

    def conclude_strategy_meeting(
        self, referral_id: UUID, command: s.ConcludeStrategyMeeting, issued: Issued
    ) -> Outcome:
        def decide(referral: Referral, audit: AuditEnvelope) -> None:
            referral.conclude_strategy_meeting(
                audit, command.outcome, command.actions, command.review_on, command.rationale
            )

        return self._change(referral_id, command, issued, decide)

    def hold_review(self, referral_id: UUID, command: s.HoldReview, issued: Issued) -> Outcome:
        def decide(referral: Referral, audit: AuditEnvelope) -> None:
            referral.hold_review(
                audit,
                command.held_on,
                command.outcome,
                command.next_review_on,
                command.amended_actions,
                command.progress_notes,
            )

        return self._change(referral_id, command, issued, decide)

    # Conclusion, post-exit reviews and disputes

    def conclude_process(
        self, referral_id: UUID, command: c.ConcludeProcess, issued: Issued
    ) -> Outcome:
        def decide(referral: Referral, audit: AuditEnvelope) -> None:
            referral.conclude_process(audit, command.concluded_on, command.note)

        return self._change(referral_id, command, issued, decide)

    def refer_to_alternative_support(
        self, referral_id: UUID, command: c.ReferToAlternativeSupport, issued: Issued
    ) -> Outcome:
        def decide(referral: Referral, audit: AuditEnvelope) -> None:
            referral.refer_to_alternative_support(
                audit, command.referred_on, command.support_provider, command.rationale
            )

        return self._change(referral_id, command, issued, decide)

    def record_post_exit_review(
        self, referral_id: UUID, command: c.RecordPostExitReview, issued: Issued
    ) -> Outcome:
        def decide(referral: Referral, audit: AuditEnvelope) -> None:
            referral.record_post_exit_review(
                audit, command.review_point, command.reviewed_on, command.outcome, command.notes
            )

        return self._change(referral_id, command, issued, decide)

    def raise_dispute(self, referral_id: UUID, command: c.RaiseDispute, issued: Issued) -> Outcome:
        def decide(referral: Referral, audit: AuditEnvelope) -> None:
            referral.raise_dispute(audit, command.disputed_decision, command.grounds)

        return self._change(referral_id, command, issued, decide)

    def refer_dispute(self, referral_id: UUID, command: c.ReferDispute, issued: Issued) -> Outcome:
        def decide(referral: Referral, audit: AuditEnvelope) -> None:
            referral.refer_dispute(
                audit,
                command.dispute_no,
                command.head_of_safeguarding,
                command.detective_superintendent,
            )

        return self._change(referral_id, command, issued, decide)

    def resolve_dispute(
        self, referral_id: UUID, command: c.ResolveDispute, issued: Issued
    ) -> Outcome:
        def decide(referral: Referral, audit: AuditEnvelope) -> None:
            referral.resolve_dispute(audit, command.dispute_no, command.outcome, command.resolution)

        return self._change(referral_id, command, issued, decide)

    # Reads of one referral's own history (lists go through projections)

    def referral(self, referral_id: UUID) -> Referral:
        try:
            return self.repository.get(referral_id, projector_func=Referral.project)
        except AggregateNotFoundError:
            raise ReferralNotFoundError(referral_id) from None

    def history(self, referral_id: UUID, *, reveal: bool = False) -> list[tuple[int, DomainEvent]]:
        """The referral's events with their log positions; personal data opened only on request."""
        notifications = self.ledger_recorder.select_history(referral_id)
        if not notifications:
            raise ReferralNotFoundError(referral_id)
        mapper = self._event_mapper()
        decode = mapper.to_revealed_event if reveal else mapper.to_domain_event
        return [(notification.id, decode(notification)) for notification in notifications]

    # The load → decide → save cycle

    def _change(
        self, referral_id: UUID, command: ChangeReferral, issued: Issued, decide: Decision
    ) -> Outcome:
        referral = self.referral(referral_id)
        if referral.version != command.expected_version:
            # A retry of a change that was recorded always arrives stale: answer it here,
            # so the idempotency lookup costs nothing on the usual path.
            if replayed := self._replay(issued, command, referral_id):
                return replayed
            raise StaleVersionError(expected=command.expected_version, actual=referral.version)
        version_before = referral.version
        decide(referral, self._audit(issued))
        return self._save(referral, command, issued, referral_id, version_before)

    def _save(
        self,
        referral: Referral,
        command: Command,
        issued: Issued,
        referral_id: UUID | None,
        version_before: int,
    ) -> Outcome:
        record = self._idempotency_record(issued, command, referral_id, referral, version_before)
        try:
            recordings = self.save(referral, idempotency=record)
        except IntegrityError:
            if replayed := self._replay(issued, command, referral_id):
                return replayed
            raise ConcurrentChangeError from None
        return _outcome(referral.id, recordings)

    def _notify(self, recordings: list[Recording[UUID]]) -> None:
        if recordings:
            for listener in self._save_listeners:
                listener(recordings[-1].notification.id)

    def _audit(self, issued: Issued) -> AuditEnvelope:
        return AuditEnvelope(
            actor_id=issued.actor.actor_id,
            actor_role=issued.actor.role,
            actor_agency=issued.actor.agency,
            occurred_at=self._clock.now(),
            command_id=issued.command_id,
        )

    def _idempotency_record(
        self,
        issued: Issued,
        command: Command,
        referral_id: UUID | None,
        referral: Referral,
        version_before: int,
    ) -> IdempotencyRecord | None:
        if issued.idempotency_key is None:
            return None
        return IdempotencyRecord(
            actor_id=issued.actor.actor_id,
            idempotency_key=issued.idempotency_key,
            command=type(command).__name__,
            fingerprint=self._fingerprint(command, referral_id),
            referral_id=referral.id,
            first_version=version_before + 1,
            last_version=referral.version,
        )

    def _replay(self, issued: Issued, command: Command, referral_id: UUID | None) -> Outcome | None:
        if issued.idempotency_key is None:
            return None
        record = self.ledger_recorder.find_idempotency_record(
            issued.actor.actor_id, issued.idempotency_key
        )
        if record is None:
            return None
        if not hmac.compare_digest(record.fingerprint, self._fingerprint(command, referral_id)):
            raise IdempotencyKeyReusedError
        notifications = self.ledger_recorder.select_history(
            record.referral_id, gt=record.first_version - 1, lte=record.last_version
        )
        return Outcome(
            referral_id=record.referral_id,
            version=record.last_version,
            position=notifications[-1].id,
            events=tuple(event_class_for(n.topic).__name__ for n in notifications),
            replayed=True,
        )

    def _fingerprint(self, command: Command, referral_id: UUID | None) -> str:
        """A keyed digest of the command, so a stored record reveals nothing of its content."""
        message = f"{type(command).__name__}|{referral_id}|{command.model_dump_json()}"
        return hmac.new(self._fingerprint_key, message.encode(), hashlib.sha256).hexdigest()

    def _event_mapper(self) -> EventMapper:
        assert isinstance(self.mapper, EventMapper)  # noqa: S101 (construct_mapper makes it)
        return self.mapper


def _outcome(referral_id: UUID, recordings: list[Recording[UUID]]) -> Outcome:
    last = recordings[-1]
    return Outcome(
        referral_id=referral_id,
        version=last.domain_event.originator_version,
        position=last.notification.id,
        events=tuple(type(recording.domain_event).__name__ for recording in recordings),
    )
