"""The Referral aggregate: one VTR referral, from receipt by the MASH to its post-exit reviews.

Each command method checks that the guidance allows the step now, then records one event.
A refused step raises a DomainError naming the rule and records nothing. Time and ids come
in with the audit envelope; the aggregate does no I/O. The steps live in one module per
stage of the process; this class brings them together.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol

from aggregates.conclusion import ConclusionSteps
from aggregates.consent import ConsentSteps
from aggregates.dispute import DisputeSteps
from aggregates.erasure import ErasureSteps
from aggregates.errors import (
    InvalidInstructionError,
)
from aggregates.intake import IntakeSteps
from aggregates.referral_base import not_after
from aggregates.referral_evolution import evolve
from aggregates.review import ReviewSteps
from aggregates.sharing import SharingSteps
from aggregates.strategy_discussion import StrategyDiscussionSteps
from aggregates.strategy_meeting import StrategyMeetingSteps
from events.base import AuditEnvelope, DomainEvent
from events.forms import (
    ReferralConcern,
    ReferrerDetails,
    RelatedPerson,
    SubjectDetails,
)
from events.intake import (
    ReferralReceived,
)
from events.vocabulary import (
    AgeGroup,
    ReceivedVia,
)


class Referral(
    IntakeSteps,
    StrategyDiscussionSteps,
    StrategyMeetingSteps,
    ReviewSteps,
    DisputeSteps,
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
    def receive(
        cls,
        referral_id: UUID,
        audit: AuditEnvelope,
        *,
        received_at: datetime,
        received_via: ReceivedVia,
        on_call_detective_inspector: str | None,
        referring_agency: str,
        subject_age_group: AgeGroup,
        subject: SubjectDetails,
        partner_and_parents: Sequence[RelatedPerson],
        children_and_siblings: Sequence[RelatedPerson],
        concern: ReferralConcern,
        referrer: ReferrerDetails,
    ) -> Referral:
        not_after(received_at, audit.occurred_at, "received_at", "the time it is recorded")
        out_of_hours = received_via is ReceivedVia.OUT_OF_HOURS_101
        if out_of_hours != (on_call_detective_inspector is not None):
            raise InvalidInstructionError(
                "on_call_detective_inspector",
                "A referral that came out of hours through 101 names the on-call Detective "
                "Inspector who took it; other routes name none.",
            )
        if subject.date_of_birth is not None and subject.date_of_birth > received_at.date():
            raise InvalidInstructionError(
                "subject.date_of_birth", "The date of birth is after the referral was received."
            )
        event = ReferralReceived(
            originator_id=referral_id,
            originator_version=1,
            audit=audit,
            received_at=received_at,
            received_via=received_via,
            on_call_detective_inspector=on_call_detective_inspector,
            referring_agency=referring_agency,
            subject_age_group=subject_age_group,
            subject=subject,
            partner_and_parents=tuple(partner_and_parents),
            children_and_siblings=tuple(children_and_siblings),
            concern=concern,
            referrer=referrer,
        )
        referral = cls(evolve(None, event))
        referral._pending.append(event)
        return referral
