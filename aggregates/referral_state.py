"""What the process knows about a referral at any moment, folded from its events.

The state holds no personal data: only stages, codes, dates and staff references. Both the
Referral aggregate (to decide) and the case-view projection (to show) use the one fold in
`referral_evolution`, so the write side and the read side cannot disagree about a case.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from events.forms import AgencyRef, PlannedAction
from events.personal import KeyGroup
from events.vocabulary import (
    ActionStatus,
    AgeGroup,
    ConsentStage,
    ConsentStatus,
    ContactMethod,
    DiscussionOutcome,
    DisputedDecision,
    DisputeOutcome,
    ErasureGround,
    FeedbackPoint,
    Forum,
    LegalHoldGround,
    MeetingKind,
    MeetingOutcome,
    PostExitReviewOutcome,
    PostExitReviewPoint,
    ReceivedVia,
    ReferrerInvolvement,
    ReviewOutcome,
    ScreeningOutReason,
    SharingContext,
    SignatoryCapacity,
    SocialCareService,
    SubjectDiscussionDecision,
)


class Stage(StrEnum):
    TRIAGE = "triage"
    AWAITING_FURTHER_INFORMATION = "awaiting_further_information"
    SCREENED_OUT = "screened_out"
    AWAITING_STRATEGY_DISCUSSION = "awaiting_strategy_discussion"
    STRATEGY_DISCUSSION = "strategy_discussion"
    AWAITING_SECTION_2_SIGNATURES = "awaiting_section_2_signatures"
    AWAITING_STRATEGY_MEETING = "awaiting_strategy_meeting"
    STRATEGY_MEETING = "strategy_meeting"
    SUPPORT_AND_REVIEW = "support_and_review"
    EXIT_AGREED = "exit_agreed"
    ALTERNATIVE_SUPPORT_AGREED = "alternative_support_agreed"
    CONCLUDED = "concluded"
    REFERRED_TO_ALTERNATIVE_SUPPORT = "referred_to_alternative_support"


class StateModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FurtherInformationRequest(StateModel):
    request_no: int
    requested_at: datetime
    returned_at: datetime | None = None


class Screening(StateModel):
    screened_in: bool
    reasons: list[ScreeningOutReason]
    decided_at: datetime


class Signature(StateModel):
    capacity: SignatoryCapacity
    signatory_id: str
    signed_at: datetime


class StrategyDiscussion(StateModel):
    scheduled_for: datetime
    lead_officer: str
    social_care_service: SocialCareService
    social_care_representative: str
    referrer_involvement: list[ReferrerInvolvement] = []
    risk_assessments: int = 0
    outcome: DiscussionOutcome | None = None
    vtr_category: str | None = None
    concluded_at: datetime | None = None
    signatures: list[Signature] = []


class ReferrerFeedback(StateModel):
    feedback_point: FeedbackPoint
    notified_at: datetime
    notified_by: str
    method: ContactMethod


class StrategyMeeting(StateModel):
    meeting_at: datetime
    chair: str
    nominated_by: str | None
    outcome: MeetingOutcome | None = None
    concluded_at: datetime | None = None
    statement_read: str | None = None  # the Appendix C version read at this meeting


class ConsentDecision(StateModel):
    stage: ConsentStage
    seek: bool
    seeker_agency_id: UUID | None
    decided_at: datetime


class DisclosureSummary(StateModel):
    """What the process needs to remember of a disclosure (its content stays in the event)."""

    disclosure_no: int
    disclosing_agency: AgencyRef
    recipients: list[AgencyRef]
    context: SharingContext
    information_category: str
    disclosed_at: datetime
    onward_sanctioned: bool = False
    subject_discussion: SubjectDiscussionDecision | None = None


class Obligation(StateModel):
    """A recipient's duty to delete or return one disclosure (section 8)."""

    obligation_no: int
    disclosure_no: int
    agency: AgencyRef
    raised_on: date
    due_on: date
    discharged_on: date | None = None


class LegalHold(StateModel):
    hold_no: int
    ground: LegalHoldGround
    placed_at: datetime


class ErasureRequest(StateModel):
    request_no: int
    key_groups: list[KeyGroup]
    ground: ErasureGround
    requested_by: str
    approved_by: str | None = None
    executed_at: datetime | None = None


class Review(StateModel):
    review_no: int
    held_on: date
    outcome: ReviewOutcome
    next_review_on: date | None


class ExitRoute(StateModel):
    """The agreed way out of the process, before the exit itself is recorded."""

    kind: Literal["conclusion", "alternative_support"]
    forum: Forum
    agreed_on: date  # the day of the meeting or review that agreed it, not of its entry


class Closure(StateModel):
    kind: Literal["concluded", "referred_to_alternative_support"]
    forum: Forum
    closed_on: date
    support_provider: str | None
    six_month_review_due_on: date
    twelve_month_review_due_on: date


class PostExitReview(StateModel):
    review_point: PostExitReviewPoint
    reviewed_on: date
    outcome: PostExitReviewOutcome


class Dispute(StateModel):
    dispute_no: int
    disputed_decision: DisputedDecision
    raised_at: datetime
    referred_at: datetime | None = None
    resolved_at: datetime | None = None
    outcome: DisputeOutcome | None = None

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class MinutesVersion(StateModel):
    minutes_no: int
    drafted_on: date
    approved: bool = False
    circulated: bool = False


class Meeting(StateModel):
    meeting_no: int
    kind: MeetingKind
    held_at: datetime
    chair: str
    minute_taker: str
    attended: bool = False
    attending_agencies: list[AgencyRef] = []
    minutes: list[MinutesVersion] = []


class ActionRecord(StateModel):
    action_no: int
    meeting_no: int
    lead_agency_id: UUID
    agreed_on: date  # the day of the meeting that agreed it
    due_on: date
    status: ActionStatus = ActionStatus.OPEN


class ReferralState(StateModel):
    referral_id: UUID
    version: int
    stage: Stage
    received_at: datetime
    received_via: ReceivedVia
    referring_agency: str
    subject_age_group: AgeGroup
    recorded_at: datetime
    recorded_by: str = ""  # a staff id, never a name: who recorded it (the referrer, if direct)
    last_changed_at: datetime
    security_checks_recorded_at: datetime | None = None
    further_information_requests: list[FurtherInformationRequest] = []
    screening: Screening | None = None
    strategy_discussion: StrategyDiscussion | None = None
    referrer_feedback: list[ReferrerFeedback] = []
    strategy_meeting: StrategyMeeting | None = None
    action_plan: list[PlannedAction] = []
    next_review_on: date | None = None
    reviews: list[Review] = []
    exit_route: ExitRoute | None = None
    closure: Closure | None = None
    post_exit_reviews: list[PostExitReview] = []
    disputes: list[Dispute] = []
    dispute_packs: int = 0  # how many times the case was disclosed as a dispute pack
    meetings: list[Meeting] = []
    actions: list[ActionRecord] = []
    consent_decisions: list[ConsentDecision] = []
    consent_status: ConsentStatus = ConsentStatus.NOT_SOUGHT
    invited_agencies: list[AgencyRef] = []
    disclosures: list[DisclosureSummary] = []
    withheld: int = 0
    involvement_end_proposed: list[UUID] = []
    involvement_ended: list[UUID] = []
    obligations: list[Obligation] = []
    legal_hold: LegalHold | None = None
    legal_holds: int = 0
    erasure_requests: list[ErasureRequest] = []
    erased_groups: list[KeyGroup] = []
    retention_reviews: int = 0
    next_retention_review_on: date | None = None

    def involved_agencies(self) -> set[UUID]:
        """The ids of the agencies involved: invited, or disclosing or receiving."""
        ids = {agency.agency_id for agency in self.invited_agencies}
        for disclosure in self.disclosures:
            ids.add(disclosure.disclosing_agency.agency_id)
            ids.update(recipient.agency_id for recipient in disclosure.recipients)
        return ids

    @property
    def open_dispute(self) -> Dispute | None:
        return next((dispute for dispute in self.disputes if dispute.is_open), None)
