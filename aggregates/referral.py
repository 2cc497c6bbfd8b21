"""The Referral aggregate: one VTR referral, from receipt by the MASH to its post-exit reviews.

Each command method checks that the guidance allows the step now, then records one event.
A refused step raises a DomainError naming the rule and records nothing. Time and ids come
in with the audit envelope; the aggregate does no I/O. The steps live in one module per
stage of the process; this class brings them together.
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol

from aggregates.conclusion import ConclusionSteps
from aggregates.consent import ConsentSteps
from aggregates.dispute import DisputeSteps
from aggregates.erasure import ErasureSteps
from aggregates.errors import (
    InvalidInstructionError,
)
from aggregates.intake import IntakeSteps, ReferralForm
from aggregates.meetings import MeetingSteps
from aggregates.referral_base import not_after
from aggregates.referral_evolution import evolve
from aggregates.review import ReviewSteps
from aggregates.sharing import SharingSteps
from aggregates.strategy_discussion import StrategyDiscussionSteps
from aggregates.strategy_meeting import StrategyMeetingSteps
from events.base import AuditEnvelope, DomainEvent
from events.intake import (
    ReferralReceived,
)
from events.vocabulary import (
    ReceivedVia,
)


class Referral(
    IntakeSteps,
    StrategyDiscussionSteps,
    StrategyMeetingSteps,
    ReviewSteps,
    DisputeSteps,
    MeetingSteps,
    ConsentSteps,
    SharingSteps,
    ConclusionSteps,
    ErasureSteps,
):
    """A VTR referral. Its state holds no personal data; its events carry it sealed."""

    @classmethod
    def project(
        cls, referral: Referral | None, events: Iterable[DomainEventProtocol[UUID]]
    ) -> Referral | None:
        """Rebuild a referral from its history (the repository's projector function)."""
        state = referral.state if referral is not None else None
        for event in events:
            if not isinstance(event, DomainEvent):
                raise TypeError(f"{type(event).__name__} is not a referral event")
            if state is None and not isinstance(event, ReferralReceived):
                return None  # another aggregate's history: no such referral
            state = evolve(state, event)
        return cls(state) if state is not None else None

    @classmethod
    def receive(cls, referral_id: UUID, audit: AuditEnvelope, form: ReferralForm) -> Referral:
        not_after(form.received_at, audit.occurred_at, "received_at", "the time it is recorded")
        out_of_hours = form.received_via is ReceivedVia.OUT_OF_HOURS_101
        if out_of_hours != (form.on_call_detective_inspector is not None):
            raise InvalidInstructionError(
                "on_call_detective_inspector",
                "A referral that came out of hours through 101 names the on-call Detective "
                "Inspector who took it; other routes name none.",
            )
        if (
            form.subject.date_of_birth is not None
            and form.subject.date_of_birth > form.received_at.date()
        ):
            raise InvalidInstructionError(
                "subject.date_of_birth", "The date of birth is after the referral was received."
            )
        event = ReferralReceived(
            originator_id=referral_id,
            originator_version=1,
            audit=audit,
            received_at=form.received_at,
            received_via=form.received_via,
            on_call_detective_inspector=form.on_call_detective_inspector,
            referring_agency=form.referring_agency,
            subject_age_group=form.subject_age_group,
            subject=form.subject,
            partner_and_parents=form.partner_and_parents,
            children_and_siblings=form.children_and_siblings,
            concern=form.concern,
            referrer=form.referrer,
        )
        referral = cls(evolve(None, event))
        referral._pending.append(event)
        return referral
