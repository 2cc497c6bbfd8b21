"""Steps of information sharing on a referral (section 3, Appendices B and C, section 8).

A disclosure is accepted only when the guidance allows it at that moment: the case is open,
the person deciding acts for the owning agency, every section 3 principle is affirmed, each
recipient needs to know and (for some agency types) has a valid protocol signature, the legal
bases relied on were in force on the day, and either consent is in force or a gateway and the
public-interest balance justify sharing without it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Literal, Self
from uuid import UUID

from pydantic import (
    AwareDatetime,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    model_validator,
)

from aggregates import legal_bases, rules
from aggregates.calendar import uk_date
from aggregates.errors import InvalidInstructionError, NotPermittedError
from aggregates.instructions import Instruction
from aggregates.legal_bases import LegalBasis
from aggregates.referral_base import ReferralBase, acts_for, not_after
from aggregates.referral_state import DisclosureSummary, Stage
from aggregates.sharing_catalogues import CATEGORIES, CATEGORY_CATALOGUE_VERSION, STATEMENTS
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
from events.sharing import (
    AgencyInvitedToStrategyMeeting,
    ConfidentialityStatementRead,
    DisclosureWithheld,
    InformationDisclosed,
    OnwardDisclosureSanctioned,
    SubjectDiscussionDecided,
)
from events.vocabulary import (
    BasisKind,
    ConsentStatus,
    SharingContext,
    SubjectDiscussionDecision,
    WithholdingReason,
)

CLOSED = frozenset({Stage.SCREENED_OUT, Stage.CONCLUDED, Stage.REFERRED_TO_ALTERNATIVE_SUPPORT})
CONTEXT_STAGES = {
    SharingContext.STRATEGY_DISCUSSION: (
        {Stage.STRATEGY_DISCUSSION},
        "during the strategy discussion",
    ),
    SharingContext.STRATEGY_MEETING: ({Stage.STRATEGY_MEETING}, "during the strategy meeting"),
    SharingContext.REVIEW: ({Stage.SUPPORT_AND_REVIEW}, "while support is delivered and reviewed"),
    SharingContext.OUTSIDE_MEETING: (set(Stage) - CLOSED, "while the case is open"),
}
GATEWAYS = frozenset(
    {
        BasisKind.STATUTORY_GATEWAY,
        BasisKind.PROCESSING_CONDITION,
        BasisKind.EXEMPTION,
        BasisKind.COURT_ORDER,
    }
)


Code = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80), ONE_LINE
]
# Advice on recording and storage: short, but often a few instructions on lines of their own.
HandlingAdvice = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500), MULTI_LINE
]


class MeetingInvitation(Instruction):
    """Invite an agency to the strategy meeting (some types need a valid ISP signature)."""

    agency_id: UUID


class StatementReading(Instruction):
    """Record that the chair read the Appendix C statement at the start of the meeting."""

    statement_version: Code


class InformationDisclosure(Instruction):
    """Share information with other agencies, with the legal bases and reasoning behind it.

    Name the recipients, or send to every agency invited to the meeting. Without consent, give
    the public-interest balance. The content and the reasoning are stored sealed."""

    context: SharingContext
    disclosing_agency_id: UUID
    recipient_agency_ids: tuple[UUID, ...] = Field(default_factory=tuple, max_length=30)
    to_meeting_attendees: StrictBool = False
    information_category: Code
    content: Narrative
    purpose: Literal["vtr_process"] = Field(
        default="vtr_process", description="Information is shared for the VTR process only."
    )
    legal_basis_ids: tuple[Code, ...] = Field(min_length=1, max_length=10)
    principles: SharingPrinciples
    justification: SharingJustification
    need_to_know: tuple[NeedToKnow, ...] = Field(min_length=1, max_length=30)
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
    def _recipients_one_way(self) -> Self:
        if bool(self.recipient_agency_ids) == self.to_meeting_attendees:
            raise ValueError("name recipient_agency_ids, or set to_meeting_attendees, not both")
        return self


class Withholding(Instruction):
    """An agency decided not to share information it holds, and why (section 3)."""

    withholding_agency_id: UUID
    requesting_agency_id: UUID | None = None
    information_category: Code
    reason: WithholdingReason
    explanation: Narrative | None = None


class OnwardDisclosureSanction(Instruction):
    """The meeting's sanction to pass information outside it for an official purpose (App. C)."""

    disclosure_no: StrictInt = Field(ge=1)
    to_bodies: tuple[Line, ...] = Field(min_length=1, max_length=10)
    official_purpose: Narrative


class SubjectDiscussionRuling(Instruction):
    """The owner's approval, or refusal, to discuss its information with the subject (App. C)."""

    disclosure_no: StrictInt = Field(ge=1)
    decision: SubjectDiscussionDecision


@dataclass(frozen=True, slots=True)
class AgencyStanding:
    """An agency as the process sees it on one day: who it is, and whether it may share."""

    ref: AgencyRef
    may_share: bool


@dataclass(frozen=True, slots=True)
class DisclosureParties:
    """Who shares with whom, and when, as the directory stood on that day: looked up by the
    handler and handed in as facts, so the step does no I/O."""

    disclosed_at: datetime
    disclosing_agency: AgencyRef
    recipients: Sequence[AgencyStanding]


class SharingSteps(ReferralBase):
    """Invitations, the confidentiality statement, disclosures and their conditions."""

    def invite_agency(
        self,
        audit: AuditEnvelope,
        invitation: MeetingInvitation,
        *,
        agency: AgencyStanding,
        isp_required: bool,
    ) -> None:
        """`agency` is the invited agency's directory entry as it stands today, and
        `isp_required` whether its type must have signed the protocol."""
        self._require_stage(
            "Inviting an agency", {Stage.STRATEGY_MEETING}, "once the strategy meeting is convened"
        )
        invited = {ref.agency_id for ref in self.state.invited_agencies}
        self._require(invitation.agency_id not in invited, rules.ALREADY_INVITED)
        self._require(agency.may_share, rules.ISP_SIGNATURE_REQUIRED)
        self._record(
            AgencyInvitedToStrategyMeeting(
                **self._header(audit), agency=agency.ref, isp_required=isp_required
            )
        )

    def read_confidentiality_statement(
        self, audit: AuditEnvelope, reading: StatementReading
    ) -> None:
        self._require_stage(
            "Reading the confidentiality statement",
            {Stage.STRATEGY_MEETING},
            "at the strategy meeting",
        )
        meeting = self.state.strategy_meeting
        assert meeting is not None  # noqa: S101 (implied by the stage)
        self._require(audit.occurred_at >= meeting.meeting_at, rules.MEETING_NOT_YET_HELD)
        statement = STATEMENTS.get(reading.statement_version)
        if statement is None or not statement.in_force_on(uk_date(audit.occurred_at)):
            in_force = [
                v for v, s in STATEMENTS.items() if s.in_force_on(uk_date(audit.occurred_at))
            ]
            raise InvalidInstructionError(
                "statement_version", f"Read the statement in force today: {', '.join(in_force)}."
            )
        self._record(
            ConfidentialityStatementRead(
                **self._header(audit), statement_version=reading.statement_version
            )
        )

    def disclose(
        self,
        audit: AuditEnvelope,
        disclosure: InformationDisclosure,
        *,
        parties: DisclosureParties,
    ) -> None:
        bases = self._check_disclosure_data(audit, disclosure, parties)
        self._check_disclosure_rules(audit, disclosure, parties, bases)
        category = CATEGORIES[disclosure.information_category]
        relies_on_consent = any(basis.kind is BasisKind.CONSENT for basis in bases)
        self._record(
            InformationDisclosed(
                **self._header(audit),
                disclosure_no=len(self.state.disclosures) + 1,
                context=disclosure.context,
                disclosed_at=parties.disclosed_at,
                disclosing_agency=parties.disclosing_agency,
                recipients=tuple(recipient.ref for recipient in parties.recipients),
                information_category=category.code,
                category_catalogue_version=CATEGORY_CATALOGUE_VERSION,
                special_category=category.special_category,
                purpose=disclosure.purpose,
                legal_bases=[basis.as_relied_on() for basis in bases],
                relies_on_consent=relies_on_consent,
                consent_status=self.state.consent_status,
                principles=disclosure.principles,
                public_interest=None if relies_on_consent else disclosure.public_interest,
                particularly_sensitive=disclosure.particularly_sensitive,
                handling_advice=disclosure.handling_advice,
                content=disclosure.content,
                justification=disclosure.justification,
                need_to_know=tuple(disclosure.need_to_know),
                public_interest_reasoning=None
                if relies_on_consent
                else disclosure.public_interest_reasoning,
            )
        )

    def _check_disclosure_data(
        self, audit: AuditEnvelope, disclosure: InformationDisclosure, parties: DisclosureParties
    ) -> list[LegalBasis]:
        recipient_ids = [recipient.ref.agency_id for recipient in parties.recipients]
        if not recipient_ids or len(set(recipient_ids)) != len(recipient_ids):
            raise InvalidInstructionError(
                "recipient_agency_ids", "Name each recipient agency once."
            )
        if parties.disclosing_agency.agency_id in recipient_ids:
            raise InvalidInstructionError(
                "recipient_agency_ids", "An agency does not disclose to itself."
            )
        if sorted(str(n.agency_id) for n in disclosure.need_to_know) != sorted(
            map(str, recipient_ids)
        ):
            raise InvalidInstructionError(
                "need_to_know", "Give the need to know of each recipient, and only of recipients."
            )
        if disclosure.information_category not in CATEGORIES:
            raise InvalidInstructionError(
                "information_category", f"Use a category of the catalogue: {', '.join(CATEGORIES)}."
            )
        not_after(
            parties.disclosed_at, audit.occurred_at, "disclosed_at", "the time it is recorded"
        )
        if parties.disclosed_at < self.state.received_at:
            raise InvalidInstructionError(
                "disclosed_at", "A disclosure cannot precede the referral it is about."
            )
        return legal_bases.cited(disclosure.legal_basis_ids)

    def _check_disclosure_rules(
        self,
        audit: AuditEnvelope,
        disclosure: InformationDisclosure,
        parties: DisclosureParties,
        bases: Sequence[LegalBasis],
    ) -> None:
        self._require(self.state.stage not in CLOSED, rules.SHARING_WHILE_CASE_OPEN)
        stages, allowed = CONTEXT_STAGES[disclosure.context]
        self._require_stage(f"Sharing in the {disclosure.context} context", stages, allowed)
        if disclosure.context is SharingContext.STRATEGY_MEETING:
            meeting = self.state.strategy_meeting
            read = meeting is not None and meeting.statement_read is not None
            self._require(read, rules.STATEMENT_BEFORE_MEETING_SHARING)
        if not acts_for(audit, parties.disclosing_agency):
            raise NotPermittedError(rules.DISCLOSING_AGENCY_ONLY)
        self._require(all(dict(disclosure.principles).values()), rules.SECTION_3_PRINCIPLES)
        self._require(all(n.needs_to_know for n in disclosure.need_to_know), rules.NEED_TO_KNOW)
        day = uk_date(parties.disclosed_at)
        for basis in bases:
            self._require(
                basis.in_force_on(day), rules.legal_basis_not_in_force(basis.entry_id, str(day))
            )
        self._check_lawful_ground(disclosure, bases)
        if CATEGORIES[disclosure.information_category].special_category:
            condition = any(basis.special_category for basis in bases)
            self._require(condition, rules.SPECIAL_CATEGORY_CONDITION)
        self._require(all(r.may_share for r in parties.recipients), rules.ISP_SIGNATURE_REQUIRED)
        ended = set(self.state.involvement_ended)
        self._require(
            all(r.ref.agency_id not in ended for r in parties.recipients),
            rules.RECIPIENT_NO_LONGER_INVOLVED,
        )

    def _check_lawful_ground(
        self, disclosure: InformationDisclosure, bases: Sequence[LegalBasis]
    ) -> None:
        if any(basis.kind is BasisKind.CONSENT for basis in bases):
            self._require(
                self.state.consent_status is ConsentStatus.GIVEN, rules.CONSENT_NOT_IN_FORCE
            )
            return
        self._require(
            any(basis.kind in GATEWAYS for basis in bases), rules.LEGAL_GATEWAY_WITHOUT_CONSENT
        )
        balance = disclosure.public_interest
        if balance is None or disclosure.public_interest_reasoning is None:
            raise InvalidInstructionError(
                "public_interest",
                "Without consent, give the public-interest balance and its reasoning.",
            )
        weighed = balance.consent_considered and balance.overrides_confidentiality_and_privacy
        self._require(weighed, rules.PUBLIC_INTEREST_MUST_OVERRIDE)

    def withhold(
        self,
        audit: AuditEnvelope,
        withholding: Withholding,
        *,
        withholding_agency: AgencyRef,
        requesting_agency: AgencyRef | None,
    ) -> None:
        self._require(self.state.stage not in CLOSED, rules.SHARING_WHILE_CASE_OPEN)
        if not acts_for(audit, withholding_agency):
            raise NotPermittedError(rules.DISCLOSING_AGENCY_ONLY)
        if withholding.information_category not in CATEGORIES:
            raise InvalidInstructionError(
                "information_category", "Use a category of the catalogue."
            )
        if withholding.reason is WithholdingReason.OTHER and withholding.explanation is None:
            raise InvalidInstructionError("explanation", "Explain an 'other' reason in words.")
        self._record(
            DisclosureWithheld(
                **self._header(audit),
                withholding_agency=withholding_agency,
                requesting_agency=requesting_agency,
                information_category=withholding.information_category,
                reason=withholding.reason,
                explanation=withholding.explanation,
            )
        )

    def sanction_onward_disclosure(
        self, audit: AuditEnvelope, sanction: OnwardDisclosureSanction
    ) -> None:
        self._require_stage(
            "Sanctioning onward disclosure",
            {Stage.STRATEGY_MEETING, Stage.SUPPORT_AND_REVIEW},
            "at the strategy meeting or a review, by its members",
        )
        disclosure = self._disclosure(sanction.disclosure_no)
        at_meeting = disclosure.context in {SharingContext.STRATEGY_MEETING, SharingContext.REVIEW}
        self._require(at_meeting, rules.ONWARD_FOR_MEETING_INFORMATION)
        self._record(
            OnwardDisclosureSanctioned(
                **self._header(audit),
                disclosure_no=sanction.disclosure_no,
                to_bodies=tuple(sanction.to_bodies),
                official_purpose=sanction.official_purpose,
            )
        )

    def decide_subject_discussion(
        self, audit: AuditEnvelope, ruling: SubjectDiscussionRuling
    ) -> None:
        owner = self._disclosure(ruling.disclosure_no).disclosing_agency
        if not acts_for(audit, owner):
            raise NotPermittedError(rules.OWNER_DECIDES_SUBJECT_DISCUSSION)
        self._record(
            SubjectDiscussionDecided(
                **self._header(audit),
                disclosure_no=ruling.disclosure_no,
                decision=ruling.decision,
                owner_agency=owner,
            )
        )

    def _disclosure(self, disclosure_no: int) -> DisclosureSummary:
        if not 1 <= disclosure_no <= len(self.state.disclosures):
            raise InvalidInstructionError(
                "disclosure_no", f"This referral has no disclosure number {disclosure_no}."
            )
        return self.state.disclosures[disclosure_no - 1]
