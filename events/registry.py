"""Every stored event class, found by its topic."""

from __future__ import annotations

from types import MappingProxyType

from events.agency import AgencyRegistered, IspLapsed, IspSigned
from events.base import DomainEvent
from events.conclusion import PostExitReviewRecorded, ProcessConcluded, ReferredToAlternativeSupport
from events.consent import (
    ConsentApproachDecided,
    ConsentGiven,
    ConsentRefused,
    ConsentSought,
    ConsentWithdrawn,
)
from events.disposal import (
    AgencyInvolvementEnded,
    AgencyInvolvementEndProposed,
    DisposalConfirmed,
    DisposalObligationRaised,
    LegalHoldLifted,
    LegalHoldPlaced,
)
from events.dispute import (
    DisputePackDisclosed,
    DisputeRaised,
    DisputeReferred,
    DisputeResolved,
)
from events.erasure import ErasureApproved, ErasureExecuted, ErasureRequested, RetentionReviewed
from events.intake import (
    FurtherInformationRequested,
    FurtherInformationReturned,
    ReferralReceived,
    ReferralScreenedIn,
    ReferralScreenedOut,
    SecurityChecksRecorded,
)
from events.meetings import MEETING_EVENTS
from events.review import ReviewHeld
from events.sharing import (
    AgencyInvitedToStrategyMeeting,
    ConfidentialityStatementRead,
    DisclosureWithheld,
    InformationDisclosed,
    OnwardDisclosureSanctioned,
    SharingRefused,
    SubjectDiscussionDecided,
)
from events.strategy_discussion import (
    MashDecisionSigned,
    ReferrerConsulted,
    ReferrerNotified,
    RiskAssessmentRecorded,
    StrategyDiscussionConcluded,
    StrategyDiscussionScheduled,
)
from events.strategy_meeting import StrategyMeetingConcluded, StrategyMeetingConvened

SHARING_EVENTS: tuple[type[DomainEvent], ...] = (
    ConsentApproachDecided,
    ConsentSought,
    ConsentGiven,
    ConsentRefused,
    ConsentWithdrawn,
    AgencyInvitedToStrategyMeeting,
    ConfidentialityStatementRead,
    InformationDisclosed,
    DisclosureWithheld,
    OnwardDisclosureSanctioned,
    SubjectDiscussionDecided,
)
SECTION_8_EVENTS: tuple[type[DomainEvent], ...] = (
    AgencyInvolvementEndProposed,
    AgencyInvolvementEnded,
    DisposalObligationRaised,
    DisposalConfirmed,
    LegalHoldPlaced,
    LegalHoldLifted,
    ErasureRequested,
    ErasureApproved,
    ErasureExecuted,
    RetentionReviewed,
)
REFERRAL_EVENTS: tuple[type[DomainEvent], ...] = (
    ReferralReceived,
    SecurityChecksRecorded,
    FurtherInformationRequested,
    FurtherInformationReturned,
    ReferralScreenedOut,
    ReferralScreenedIn,
    StrategyDiscussionScheduled,
    ReferrerConsulted,
    RiskAssessmentRecorded,
    StrategyDiscussionConcluded,
    MashDecisionSigned,
    ReferrerNotified,
    StrategyMeetingConvened,
    StrategyMeetingConcluded,
    ReviewHeld,
    ProcessConcluded,
    ReferredToAlternativeSupport,
    PostExitReviewRecorded,
    DisputeRaised,
    DisputeReferred,
    DisputeResolved,
    DisputePackDisclosed,
    *MEETING_EVENTS,
    *SHARING_EVENTS,
    *SECTION_8_EVENTS,
)
AGENCY_EVENTS: tuple[type[DomainEvent], ...] = (AgencyRegistered, IspSigned, IspLapsed)
REFUSAL_EVENTS: tuple[type[DomainEvent], ...] = (SharingRefused,)
ALL_EVENTS = (*REFERRAL_EVENTS, *AGENCY_EVENTS, *REFUSAL_EVENTS)

EVENT_CLASSES = MappingProxyType({cls.TOPIC: cls for cls in ALL_EVENTS})
if len(EVENT_CLASSES) != len(ALL_EVENTS):
    raise RuntimeError("two event classes share a topic")


class UnknownEventTopicError(LookupError):
    """A stored event names a topic this code does not know."""


def event_class_for(topic: str) -> type[DomainEvent]:
    try:
        return EVENT_CLASSES[topic]
    except KeyError:
        raise UnknownEventTopicError(f"no event class is registered for topic {topic!r}") from None
