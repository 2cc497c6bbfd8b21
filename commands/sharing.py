"""Commands of information sharing: consent, the meeting's conditions, disclosures."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from pydantic import (
    AwareDatetime,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    model_validator,
)

from commands.base import ChangeReferral
from events.forms import (
    MULTI_LINE,
    ONE_LINE,
    Line,
    Narrative,
    NeedToKnow,
    PublicInterestBalance,
    SharingJustification,
    SharingPrinciples,
)
from events.vocabulary import (
    SharingContext,
    SubjectDiscussionDecision,
    WithholdingReason,
)

Code = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80), ONE_LINE
]
# Advice on recording and storage: short, but often a few instructions on lines of their own.
HandlingAdvice = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500), MULTI_LINE
]


class InviteAgency(ChangeReferral):
    """Invite an agency to the strategy meeting (some types need a valid ISP signature)."""

    agency_id: UUID


class ReadConfidentialityStatement(ChangeReferral):
    """Record that the chair read the Appendix C statement at the start of the meeting."""

    statement_version: Code


class DiscloseInformation(ChangeReferral):
    """Share information with other agencies, with the legal bases and reasoning behind it.

    Name the recipients, or send to every agency invited to the meeting. Without consent, give
    the public-interest balance. The content and the reasoning are stored sealed.
    """

    context: SharingContext
    disclosing_agency_id: UUID
    recipient_agency_ids: list[UUID] = Field(default_factory=list, max_length=30)
    to_meeting_attendees: StrictBool = False
    information_category: Code
    content: Narrative
    purpose: Literal["vtr_process"] = Field(
        default="vtr_process", description="Information is shared for the VTR process only."
    )
    legal_basis_ids: list[Code] = Field(min_length=1, max_length=10)
    principles: SharingPrinciples
    justification: SharingJustification
    need_to_know: list[NeedToKnow] = Field(min_length=1, max_length=30)
    public_interest: PublicInterestBalance | None = None
    public_interest_reasoning: Narrative | None = None
    particularly_sensitive: StrictBool
    handling_advice: HandlingAdvice = Field(
        description="The disclosing agency's advice on recording and storage (section 8); "
        "it stays readable, so it must not contain personal data."
    )
    disclosed_at: AwareDatetime | None = Field(
        default=None, description="When it was shared, if earlier than now."
    )

    @model_validator(mode="after")
    def _recipients_one_way(self) -> DiscloseInformation:
        if bool(self.recipient_agency_ids) == self.to_meeting_attendees:
            raise ValueError("name recipient_agency_ids, or set to_meeting_attendees, not both")
        return self


class WithholdDisclosure(ChangeReferral):
    """An agency decided not to share information it holds, and why (section 3)."""

    withholding_agency_id: UUID
    requesting_agency_id: UUID | None = None
    information_category: Code
    reason: WithholdingReason
    explanation: Narrative | None = None


class SanctionOnwardDisclosure(ChangeReferral):
    """The meeting's sanction to pass information outside it for an official purpose (App. C)."""

    disclosure_no: StrictInt = Field(ge=1)
    to_bodies: list[Line] = Field(min_length=1, max_length=10)
    official_purpose: Narrative


class DecideSubjectDiscussion(ChangeReferral):
    """The owner's approval, or refusal, to discuss its information with the subject (App. C)."""

    disclosure_no: StrictInt = Field(ge=1)
    decision: SubjectDiscussionDecision
