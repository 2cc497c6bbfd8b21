"""The case view: where each referral stands and what the process expects next.

A schema of its own, written for the people who read it (caseworkers, and the console to
come), and versioned: clients receive exactly this, whatever the aggregate keeps to decide.
It holds no personal data: stages, codes, dates, agencies and staff references only.

`SCHEMA_VERSION` changes whenever the JSON a client receives changes shape or meaning; the
stored views of another version are then rebuilt from the log (see `case_view_store`), and
the contract in `tests/contracts/` is regenerated on purpose.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Final, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from events.personal import KeyGroup
from events.vocabulary import (
    ActionStatus,
    AgeGroup,
    AgencyType,
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
    PoliceRank,
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

SCHEMA_VERSION: Final = 3


class Stage(StrEnum):
    """Where a referral stands in the guidance's process."""

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


class ViewModel(BaseModel):
    # Every field is always present in a response, so the schema says so (defaults included).
    model_config = ConfigDict(
        frozen=True, extra="forbid", json_schema_serialization_defaults_required=True
    )


class NextStep(ViewModel):
    description: str
    due_on: date | None = None


class CaseSummary(ViewModel):
    """One row of the case list."""

    referral_id: UUID
    reference: str = Field(description="A short reference for people; `referral_id` is the key.")
    stage: Stage
    received_at: datetime
    last_changed_at: datetime
    version: int = Field(description="The referral's version: its number of events.")
    next_step: NextStep | None = Field(
        description="What the guidance expects next, and by when; none once nothing is due."
    )
    open_dispute: bool


class Agency(ViewModel):
    """An agency as it stood when the case named it."""

    agency_id: UUID
    name: str
    agency_type: AgencyType


class FurtherInformationRequest(ViewModel):
    request_no: int
    requested_at: datetime
    returned_at: datetime | None = None


class Intake(ViewModel):
    """How the referral arrived and what MASH triage has recorded of it."""

    received_via: ReceivedVia
    referring_agency: str
    subject_age_group: AgeGroup
    recorded_at: datetime
    recorded_by: str = Field(description="The staff id of who recorded it (the referrer's own).")
    security_checks_recorded_at: datetime | None = None
    further_information_requests: tuple[FurtherInformationRequest, ...] = ()


class Screening(ViewModel):
    screened_in: bool
    reasons: tuple[ScreeningOutReason, ...] = Field(description="Why it was screened out.")
    decided_at: datetime


class Signature(ViewModel):
    """One of the two Section 2 signature boxes."""

    capacity: SignatoryCapacity
    signatory_id: str
    signed_at: datetime


class StrategyDiscussion(ViewModel):
    scheduled_for: datetime
    lead_officer: str
    social_care_service: SocialCareService
    social_care_representative: str
    referrer_involvement: tuple[ReferrerInvolvement, ...] = ()
    risk_assessments: int = Field(0, description="How many risk assessments are recorded.")
    outcome: DiscussionOutcome | None = None
    vtr_category: str | None = None
    concluded_at: datetime | None = None
    signatures: tuple[Signature, ...] = Field(
        (), description="Section 2: the decision takes effect with the second signature."
    )


class ReferrerFeedback(ViewModel):
    """What the referrer was told, and when (their name stays sealed in the event)."""

    feedback_point: FeedbackPoint
    notified_at: datetime
    notified_by: str
    method: ContactMethod


class StrategyMeeting(ViewModel):
    meeting_at: datetime
    chair: str
    nominated_by: str | None = None
    confidentiality_statement_read: str | None = Field(
        None, description="The version of the Appendix C statement read at this sitting."
    )
    outcome: MeetingOutcome | None = None
    concluded_at: datetime | None = None


class PlannedAction(ViewModel):
    """One action of the support package; what it involves is sealed in the event."""

    action_no: int
    lead_agency: str
    due_on: date | None = None


class Review(ViewModel):
    review_no: int
    held_on: date
    outcome: ReviewOutcome
    next_review_on: date | None = None
    action_plan_amended: bool = False


class ExitAgreed(ViewModel):
    """The agreed way out of the process, before the exit itself is recorded."""

    kind: Literal["conclusion", "alternative_support"]
    forum: Forum
    agreed_at: datetime = Field(description="When the decision was recorded.")
    agreed_on: date = Field(
        description="The day the meeting or review that agreed it was held (for Section 2, "
        "the day of its second signature), however late it was recorded: the exit is dated "
        "from it."
    )


class PostExitReview(ViewModel):
    review_point: PostExitReviewPoint
    reviewed_on: date
    outcome: PostExitReviewOutcome
    early: bool = Field(
        default=False,
        description="Held before it was due: allowed only with a reason (but in reviews "
        "recorded before that rule).",
    )
    early_reason_recorded: bool = Field(
        default=False,
        description="A reason for holding it early was recorded. It is personal data: it "
        "stays sealed in the event (the case's history shows it revealed).",
    )


class Closure(ViewModel):
    kind: Literal["concluded", "referred_to_alternative_support"]
    forum: Forum
    closed_on: date
    support_provider: str | None = None
    six_month_review_due_on: date
    twelve_month_review_due_on: date
    post_exit_reviews: tuple[PostExitReview, ...] = ()


class Dispute(ViewModel):
    dispute_no: int
    disputed_decision: DisputedDecision
    raised_at: datetime
    referred_at: datetime | None = None
    resolved_at: datetime | None = None
    outcome: DisputeOutcome | None = None


class ConsentDecision(ViewModel):
    stage: ConsentStage
    seek: bool
    seeker_agency_id: UUID | None = None
    decided_at: datetime


class Consent(ViewModel):
    status: ConsentStatus = ConsentStatus.NOT_SOUGHT
    decisions: tuple[ConsentDecision, ...] = ()


class Disclosure(ViewModel):
    """What was shared, by whom, with whom and when (its content stays sealed in the event)."""

    disclosure_no: int
    disclosing_agency: Agency
    recipients: tuple[Agency, ...]
    context: SharingContext
    information_category: str
    disclosed_at: datetime
    onward_sanctioned: bool = False
    subject_discussion: SubjectDiscussionDecision | None = None


class Obligation(ViewModel):
    """A recipient's duty to delete or return one disclosure (section 8)."""

    obligation_no: int
    disclosure_no: int
    agency: Agency
    raised_on: date
    due_on: date
    discharged_on: date | None = None


class LegalHold(ViewModel):
    hold_no: int
    ground: LegalHoldGround
    placed_at: datetime


class ErasureRequest(ViewModel):
    request_no: int
    key_groups: tuple[KeyGroup, ...]
    ground: ErasureGround
    requested_by: str
    approved_by: str | None = None
    executed_at: datetime | None = None


class Attendee(ViewModel):
    attendee: str = Field(description="A staff identifier, never a name.")
    agency: Agency
    role: str
    rank: PoliceRank | None = None


class Minutes(ViewModel):
    """One version of a meeting's minutes (its text is sealed, and not in the view)."""

    minutes_no: int
    drafted_on: date
    corrects: int | None = None
    agreed_action_nos: tuple[int, ...] = ()
    amended_fields: tuple[str, ...] = ()
    approved_on: date | None = None
    circulated_at: datetime | None = None
    disclosure_no: int | None = Field(None, description="The disclosure its circulation was.")
    circulated_to: tuple[Agency, ...] = ()


class Meeting(ViewModel):
    meeting_no: int
    kind: MeetingKind
    held_at: datetime
    place: str
    chair: str
    minute_taker: str
    attendees: tuple[Attendee, ...] = ()
    apologies: tuple[Agency, ...] = ()
    referrer: ReferrerInvolvement | None = None
    minutes: tuple[Minutes, ...] = ()


class Action(ViewModel):
    """An action of the plan (its description and notes are sealed, and not in the view)."""

    action_no: int
    meeting_no: int
    lead_agency: Agency
    owner: str
    due_on: date
    status: ActionStatus = ActionStatus.OPEN
    progress_notes: int = 0
    closed_on: date | None = Field(None, description="When it was done or dropped.")
    continued_at: tuple[int, ...] = Field((), description="The review meetings that kept it.")


class Amendment(ViewModel):
    """A correction of the referral form's basic information (the values are sealed): the
    field, and where it came from."""

    field: str
    meeting_no: int
    minutes_no: int
    amended_at: datetime


class Versioned(ViewModel):
    schema_version: Literal[3] = Field(
        SCHEMA_VERSION, description="The version of this schema; see the version policy."
    )


class CaseView(CaseSummary, Versioned):
    """One case: its summary and what the process knows about it, without personal data.

    `schema_version` comes first (a base listed last puts its fields first)."""

    intake: Intake
    screening: Screening | None = None
    strategy_discussion: StrategyDiscussion | None = None
    referrer_feedback: tuple[ReferrerFeedback, ...] = ()
    strategy_meeting: StrategyMeeting | None = None
    action_plan: tuple[PlannedAction, ...] = ()
    next_review_on: date | None = None
    reviews: tuple[Review, ...] = ()
    exit_agreed: ExitAgreed | None = None
    closure: Closure | None = None
    disputes: tuple[Dispute, ...] = ()
    consent: Consent = Consent()
    invited_agencies: tuple[Agency, ...] = Field(
        (), description="The agencies invited to the strategy meeting."
    )
    disclosures: tuple[Disclosure, ...] = ()
    obligations: tuple[Obligation, ...] = ()
    legal_hold: LegalHold | None = Field(None, description="The hold in force, if any.")
    erasure_requests: tuple[ErasureRequest, ...] = ()
    erased_groups: tuple[KeyGroup, ...] = Field(
        (), description="The groups of personal data whose key is destroyed."
    )
    meetings: tuple[Meeting, ...] = ()
    actions: tuple[Action, ...] = ()
    amendments: tuple[Amendment, ...] = Field(
        (), description="Corrections to the basic information agreed in approved minutes."
    )

    def involved_agencies(self) -> set[UUID]:
        """The agencies involved in the case: invited, or disclosing or receiving."""
        ids = {agency.agency_id for agency in self.invited_agencies}
        for disclosure in self.disclosures:
            ids.add(disclosure.disclosing_agency.agency_id)
            ids.update(recipient.agency_id for recipient in disclosure.recipients)
        return ids


def reference(referral_id: UUID) -> str:
    """A short, human-friendly reference; the referral id itself stays the key."""
    return f"VTR-{referral_id.hex[:8].upper()}"
