"""Commands of information sharing: consent, the meeting's conditions, disclosures."""

from __future__ import annotations

from collections.abc import Callable, Sequence
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

from aggregates.calendar import uk_date
from aggregates.errors import InvalidInstructionError, NotPermittedError, ProcessRuleViolationError
from aggregates.referral import Referral
from aggregates.refused_sharing import RefusedSharing
from aggregates.sharing import AgencyStanding, DisclosureRequest
from commands.base import ChangeReferral
from commands.context import Issued, Outcome
from commands.cycle import CommandCycle
from events.base import AuditEnvelope
from events.forms import (
    MULTI_LINE,
    ONE_LINE,
    AgencyRef,
    Line,
    Narrative,
    NeedToKnow,
    PublicInterestBalance,
    SharingJustification,
    SharingPrinciples,
)
from events.vocabulary import (
    SharingAttempt,
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


# Handlers


def invite_agency(
    cycle: CommandCycle, referral_id: UUID, command: InviteAgency, issued: Issued
) -> Outcome:
    agency = cycle.named_agency(command.agency_id, "agency_id")

    def decide(referral: Referral, audit: AuditEnvelope) -> None:
        standing = AgencyStanding(
            agency.state.ref, agency.state.may_share_on(uk_date(audit.occurred_at))
        )
        _attempt(
            cycle,
            referral,
            audit,
            SharingAttempt.INVITATION,
            None,
            [agency.state.ref],
            None,
            lambda: referral.invite_agency(audit, standing, agency.state.isp_required),
        )

    return cycle.change_referral(referral_id, command, issued, decide)


def read_confidentiality_statement(
    cycle: CommandCycle, referral_id: UUID, command: ReadConfidentialityStatement, issued: Issued
) -> Outcome:
    return cycle.change_referral(
        referral_id,
        command,
        issued,
        lambda referral, audit: referral.read_confidentiality_statement(
            audit, command.statement_version
        ),
    )


def disclose(
    cycle: CommandCycle, referral_id: UUID, command: DiscloseInformation, issued: Issued
) -> Outcome:
    def decide(referral: Referral, audit: AuditEnvelope) -> None:
        request = _disclosure_request(cycle, referral, command, audit)
        _attempt(
            cycle,
            referral,
            audit,
            SharingAttempt.DISCLOSURE,
            request.disclosing_agency,
            [recipient.ref for recipient in request.recipients],
            command.information_category,
            lambda: referral.disclose(audit, request),
        )

    return cycle.change_referral(referral_id, command, issued, decide)


def withhold(
    cycle: CommandCycle, referral_id: UUID, command: WithholdDisclosure, issued: Issued
) -> Outcome:
    withholding = cycle.agency_ref(command.withholding_agency_id, "withholding_agency_id")
    requesting = (
        cycle.agency_ref(command.requesting_agency_id, "requesting_agency_id")
        if command.requesting_agency_id
        else None
    )
    return cycle.change_referral(
        referral_id,
        command,
        issued,
        lambda referral, audit: referral.withhold(
            audit,
            withholding,
            requesting,
            command.information_category,
            command.reason,
            command.explanation,
        ),
    )


def sanction_onward_disclosure(
    cycle: CommandCycle, referral_id: UUID, command: SanctionOnwardDisclosure, issued: Issued
) -> Outcome:
    return cycle.change_referral(
        referral_id,
        command,
        issued,
        lambda referral, audit: referral.sanction_onward_disclosure(
            audit, command.disclosure_no, command.to_bodies, command.official_purpose
        ),
    )


def decide_subject_discussion(
    cycle: CommandCycle, referral_id: UUID, command: DecideSubjectDiscussion, issued: Issued
) -> Outcome:
    return cycle.change_referral(
        referral_id,
        command,
        issued,
        lambda referral, audit: referral.decide_subject_discussion(
            audit, command.disclosure_no, command.decision
        ),
    )


def _disclosure_request(
    cycle: CommandCycle, referral: Referral, command: DiscloseInformation, audit: AuditEnvelope
) -> DisclosureRequest:
    """The disclosure as the referral decides on it: agencies looked up and handed in as facts
    about the day in question (who they are, whether they may share), so it does no I/O."""
    disclosed_at = command.disclosed_at or audit.occurred_at
    day = uk_date(disclosed_at)
    discloser = cycle.agency_ref(command.disclosing_agency_id, "disclosing_agency_id")
    recipient_ids = list(command.recipient_agency_ids) or [
        invited.agency_id
        for invited in referral.state.invited_agencies
        if invited.agency_id != discloser.agency_id
    ]
    if not recipient_ids:
        raise InvalidInstructionError(
            "to_meeting_attendees", "No other agency is invited to the meeting."
        )
    recipients = [
        cycle.named_agency(agency_id, "recipient_agency_ids") for agency_id in recipient_ids
    ]
    return DisclosureRequest(
        context=command.context,
        disclosed_at=disclosed_at,
        disclosing_agency=discloser,
        recipients=[AgencyStanding(a.state.ref, a.state.may_share_on(day)) for a in recipients],
        information_category=command.information_category,
        content=command.content,
        legal_basis_ids=command.legal_basis_ids,
        principles=command.principles,
        justification=command.justification,
        need_to_know=command.need_to_know,
        public_interest=command.public_interest,
        public_interest_reasoning=command.public_interest_reasoning,
        particularly_sensitive=command.particularly_sensitive,
        handling_advice=command.handling_advice,
        purpose=command.purpose,
    )


def _attempt(
    cycle: CommandCycle,
    referral: Referral,
    audit: AuditEnvelope,
    attempted: SharingAttempt,
    disclosing: AgencyRef | None,
    recipients: Sequence[AgencyRef],
    category: str | None,
    attempt: Callable[[], None],
) -> None:
    """Run a sharing step; if a rule refuses it, record the refused attempt (without the
    information that would have been shared) before the refusal is answered."""
    try:
        attempt()
    except (ProcessRuleViolationError, NotPermittedError) as refusal:
        refused = RefusedSharing.record(
            cycle.new_id(),
            audit,
            referral_id=referral.id,
            attempted=attempted,
            disclosing_agency=disclosing,
            recipients=recipients,
            information_category=category,
            rule=refusal.rule,
        )
        cycle.record(refused)
        refusal.recorded_as = refused.id
        raise
