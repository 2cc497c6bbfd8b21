"""Events of information sharing on a referral: invitations, the confidentiality statement,
disclosures, withholdings, sanctions and refused attempts (guidance section 3, Appendices B and
C)."""

from __future__ import annotations

from uuid import UUID

from pydantic import AwareDatetime

from events.base import DomainEvent
from events.forms import (
    AgencyRef,
    LegalBasisRef,
    NeedToKnow,
    PublicInterestBalance,
    SharingJustification,
    SharingPrinciples,
)
from events.personal import SubjectData
from events.vocabulary import (
    ConsentStatus,
    SharingAttempt,
    SharingContext,
    SubjectDiscussionDecision,
    WithholdingReason,
)


class AgencyInvitedToStrategyMeeting(DomainEvent):
    """An agency with a role in managing the risk was invited to the strategy meeting."""

    TOPIC = "vtr.referral.AgencyInvitedToStrategyMeeting"

    agency: AgencyRef
    isp_required: bool


class ConfidentialityStatementRead(DomainEvent):
    """The chair read the Appendix C statement at the start of the meeting (this version)."""

    TOPIC = "vtr.referral.ConfidentialityStatementRead"

    statement_version: str


class InformationDisclosed(DomainEvent):
    """One agency shared information about the person with others, and why it could.

    The envelope (who, to whom, what category, when, on which legal bases, under which
    consent status, how sensitive, how to store it) stays readable; the content and the
    reasoning are sealed.
    """

    TOPIC = "vtr.referral.InformationDisclosed"
    EFFECTIVE = "disclosed_at"

    disclosure_no: int
    context: SharingContext
    disclosed_at: AwareDatetime
    disclosing_agency: AgencyRef
    recipients: tuple[AgencyRef, ...]
    information_category: str
    category_catalogue_version: str
    special_category: bool
    purpose: str
    legal_bases: list[LegalBasisRef]
    relies_on_consent: bool
    consent_status: ConsentStatus
    principles: SharingPrinciples
    public_interest: PublicInterestBalance | None
    particularly_sensitive: bool
    handling_advice: str
    content: SubjectData[str]
    justification: SubjectData[SharingJustification]
    need_to_know: SubjectData[tuple[NeedToKnow, ...]]
    public_interest_reasoning: SubjectData[str | None]


class DisclosureWithheld(DomainEvent):
    """An agency decided not to share information it holds, and why."""

    TOPIC = "vtr.referral.DisclosureWithheld"

    withholding_agency: AgencyRef
    requesting_agency: AgencyRef | None
    information_category: str
    reason: WithholdingReason
    explanation: SubjectData[str | None]


class OnwardDisclosureSanctioned(DomainEvent):
    """The meeting sanctioned passing a disclosure outside it, for an official purpose."""

    TOPIC = "vtr.referral.OnwardDisclosureSanctioned"

    disclosure_no: int
    to_bodies: tuple[str, ...]
    official_purpose: SubjectData[str]


class SubjectDiscussionDecided(DomainEvent):
    """The owner of disclosed information allowed, or refused, its discussion with the subject."""

    TOPIC = "vtr.referral.SubjectDiscussionDecided"

    disclosure_no: int
    decision: SubjectDiscussionDecision
    owner_agency: AgencyRef


class SharingRefused(DomainEvent):
    """Who tried to invite or disclose, to whom, when, and the rule that refused it."""

    TOPIC = "vtr.refusal.SharingRefused"

    referral_id: UUID
    attempted: SharingAttempt
    disclosing_agency: AgencyRef | None
    recipients: list[AgencyRef]
    information_category: str | None
    rule: str
    rule_text: str
