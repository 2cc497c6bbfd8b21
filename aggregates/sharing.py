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

from aggregates import rules
from aggregates.calendar import uk_date
from aggregates.errors import InvalidInstructionError, NotPermittedError
from aggregates.legal_bases import LEGAL_BASES, LegalBasis
from aggregates.referral_base import ReferralBase, acts_for, not_after
from aggregates.referral_state import DisclosureSummary, Stage
from aggregates.sharing_catalogues import CATEGORIES, CATEGORY_CATALOGUE_VERSION, STATEMENTS
from events.base import AuditEnvelope
from events.forms import (
    AgencyRef,
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


@dataclass(frozen=True, slots=True)
class AgencyStanding:
    """An agency as the process sees it on one day: who it is, and whether it may share."""

    ref: AgencyRef
    may_share: bool


@dataclass(frozen=True, slots=True)
class DisclosureRequest:
    context: SharingContext
    disclosed_at: datetime
    disclosing_agency: AgencyRef
    recipients: Sequence[AgencyStanding]
    information_category: str
    content: str
    legal_basis_ids: Sequence[str]
    principles: SharingPrinciples
    justification: SharingJustification
    need_to_know: Sequence[NeedToKnow]
    public_interest: PublicInterestBalance | None
    public_interest_reasoning: str | None
    particularly_sensitive: bool
    handling_advice: str
    purpose: str


class SharingSteps(ReferralBase):
    """Invitations, the confidentiality statement, disclosures and their conditions."""

    def invite_agency(
        self, audit: AuditEnvelope, agency: AgencyStanding, isp_required: bool
    ) -> None:
        self._require_stage(
            "Inviting an agency", {Stage.STRATEGY_MEETING}, "once the strategy meeting is convened"
        )
        invited = {ref.agency_id for ref in self.state.invited_agencies}
        self._require(agency.ref.agency_id not in invited, rules.ALREADY_INVITED)
        self._require(agency.may_share, rules.ISP_SIGNATURE_REQUIRED)
        self._record(
            AgencyInvitedToStrategyMeeting(
                **self._header(audit), agency=agency.ref, isp_required=isp_required
            )
        )

    def read_confidentiality_statement(self, audit: AuditEnvelope, statement_version: str) -> None:
        self._require_stage(
            "Reading the confidentiality statement",
            {Stage.STRATEGY_MEETING},
            "at the strategy meeting",
        )
        meeting = self.state.strategy_meeting
        assert meeting is not None  # noqa: S101 (implied by the stage)
        self._require(audit.occurred_at >= meeting.meeting_at, rules.MEETING_NOT_YET_HELD)
        statement = STATEMENTS.get(statement_version)
        if statement is None or not statement.in_force_on(uk_date(audit.occurred_at)):
            in_force = [
                v for v, s in STATEMENTS.items() if s.in_force_on(uk_date(audit.occurred_at))
            ]
            raise InvalidInstructionError(
                "statement_version", f"Read the statement in force today: {', '.join(in_force)}."
            )
        self._record(
            ConfidentialityStatementRead(**self._header(audit), statement_version=statement_version)
        )

    def disclose(self, audit: AuditEnvelope, request: DisclosureRequest) -> None:
        bases = self._check_disclosure_data(audit, request)
        self._check_disclosure_rules(audit, request, bases)
        category = CATEGORIES[request.information_category]
        relies_on_consent = any(basis.kind is BasisKind.CONSENT for basis in bases)
        self._record(
            InformationDisclosed(
                **self._header(audit),
                disclosure_no=len(self.state.disclosures) + 1,
                context=request.context,
                disclosed_at=request.disclosed_at,
                disclosing_agency=request.disclosing_agency,
                recipients=tuple(recipient.ref for recipient in request.recipients),
                information_category=category.code,
                category_catalogue_version=CATEGORY_CATALOGUE_VERSION,
                special_category=category.special_category,
                purpose=request.purpose,
                legal_bases=[basis.as_relied_on() for basis in bases],
                relies_on_consent=relies_on_consent,
                consent_status=self.state.consent_status,
                principles=request.principles,
                public_interest=None if relies_on_consent else request.public_interest,
                particularly_sensitive=request.particularly_sensitive,
                handling_advice=request.handling_advice,
                content=request.content,
                justification=request.justification,
                need_to_know=tuple(request.need_to_know),
                public_interest_reasoning=None
                if relies_on_consent
                else request.public_interest_reasoning,
            )
        )

    def _check_disclosure_data(
        self, audit: AuditEnvelope, request: DisclosureRequest
    ) -> list[LegalBasis]:
        recipient_ids = [recipient.ref.agency_id for recipient in request.recipients]
        if not recipient_ids or len(set(recipient_ids)) != len(recipient_ids):
            raise InvalidInstructionError(
                "recipient_agency_ids", "Name each recipient agency once."
            )
        if request.disclosing_agency.agency_id in recipient_ids:
            raise InvalidInstructionError(
                "recipient_agency_ids", "An agency does not disclose to itself."
            )
        if sorted(str(n.agency_id) for n in request.need_to_know) != sorted(
            map(str, recipient_ids)
        ):
            raise InvalidInstructionError(
                "need_to_know", "Give the need to know of each recipient, and only of recipients."
            )
        if request.information_category not in CATEGORIES:
            raise InvalidInstructionError(
                "information_category", f"Use a category of the catalogue: {', '.join(CATEGORIES)}."
            )
        not_after(
            request.disclosed_at, audit.occurred_at, "disclosed_at", "the time it is recorded"
        )
        if request.disclosed_at < self.state.received_at:
            raise InvalidInstructionError(
                "disclosed_at", "A disclosure cannot precede the referral it is about."
            )
        unknown = [entry for entry in request.legal_basis_ids if entry not in LEGAL_BASES]
        if not request.legal_basis_ids or unknown:
            raise InvalidInstructionError(
                "legal_basis_ids", f"Cite entries of the legal-basis catalogue; unknown: {unknown}."
            )
        return [LEGAL_BASES[entry] for entry in dict.fromkeys(request.legal_basis_ids)]

    def _check_disclosure_rules(
        self, audit: AuditEnvelope, request: DisclosureRequest, bases: Sequence[LegalBasis]
    ) -> None:
        self._require(self.state.stage not in CLOSED, rules.SHARING_WHILE_CASE_OPEN)
        stages, allowed = CONTEXT_STAGES[request.context]
        self._require_stage(f"Sharing in the {request.context} context", stages, allowed)
        if request.context is SharingContext.STRATEGY_MEETING:
            meeting = self.state.strategy_meeting
            read = meeting is not None and meeting.statement_read is not None
            self._require(read, rules.STATEMENT_BEFORE_MEETING_SHARING)
        if not acts_for(audit, request.disclosing_agency):
            raise NotPermittedError(rules.DISCLOSING_AGENCY_ONLY)
        self._require(all(dict(request.principles).values()), rules.SECTION_3_PRINCIPLES)
        self._require(all(n.needs_to_know for n in request.need_to_know), rules.NEED_TO_KNOW)
        day = uk_date(request.disclosed_at)
        for basis in bases:
            self._require(
                basis.in_force_on(day), rules.legal_basis_not_in_force(basis.entry_id, str(day))
            )
        self._check_lawful_ground(request, bases)
        if CATEGORIES[request.information_category].special_category:
            condition = any(basis.special_category for basis in bases)
            self._require(condition, rules.SPECIAL_CATEGORY_CONDITION)
        self._require(all(r.may_share for r in request.recipients), rules.ISP_SIGNATURE_REQUIRED)
        ended = set(self.state.involvement_ended)
        self._require(
            all(r.ref.agency_id not in ended for r in request.recipients),
            rules.RECIPIENT_NO_LONGER_INVOLVED,
        )

    def _check_lawful_ground(self, request: DisclosureRequest, bases: Sequence[LegalBasis]) -> None:
        if any(basis.kind is BasisKind.CONSENT for basis in bases):
            self._require(
                self.state.consent_status is ConsentStatus.GIVEN, rules.CONSENT_NOT_IN_FORCE
            )
            return
        self._require(
            any(basis.kind in GATEWAYS for basis in bases), rules.LEGAL_GATEWAY_WITHOUT_CONSENT
        )
        balance = request.public_interest
        if balance is None or request.public_interest_reasoning is None:
            raise InvalidInstructionError(
                "public_interest",
                "Without consent, give the public-interest balance and its reasoning.",
            )
        weighed = balance.consent_considered and balance.overrides_confidentiality_and_privacy
        self._require(weighed, rules.PUBLIC_INTEREST_MUST_OVERRIDE)

    def withhold(
        self,
        audit: AuditEnvelope,
        withholding_agency: AgencyRef,
        requesting_agency: AgencyRef | None,
        information_category: str,
        reason: WithholdingReason,
        explanation: str | None,
    ) -> None:
        self._require(self.state.stage not in CLOSED, rules.SHARING_WHILE_CASE_OPEN)
        if not acts_for(audit, withholding_agency):
            raise NotPermittedError(rules.DISCLOSING_AGENCY_ONLY)
        if information_category not in CATEGORIES:
            raise InvalidInstructionError(
                "information_category", "Use a category of the catalogue."
            )
        if reason is WithholdingReason.OTHER and explanation is None:
            raise InvalidInstructionError("explanation", "Explain an 'other' reason in words.")
        self._record(
            DisclosureWithheld(
                **self._header(audit),
                withholding_agency=withholding_agency,
                requesting_agency=requesting_agency,
                information_category=information_category,
                reason=reason,
                explanation=explanation,
            )
        )

    def sanction_onward_disclosure(
        self, audit: AuditEnvelope, disclosure_no: int, to_bodies: Sequence[str], purpose: str
    ) -> None:
        self._require_stage(
            "Sanctioning onward disclosure",
            {Stage.STRATEGY_MEETING, Stage.SUPPORT_AND_REVIEW},
            "at the strategy meeting or a review, by its members",
        )
        disclosure = self._disclosure(disclosure_no)
        at_meeting = disclosure.context in {SharingContext.STRATEGY_MEETING, SharingContext.REVIEW}
        self._require(at_meeting, rules.ONWARD_FOR_MEETING_INFORMATION)
        self._record(
            OnwardDisclosureSanctioned(
                **self._header(audit),
                disclosure_no=disclosure_no,
                to_bodies=tuple(to_bodies),
                official_purpose=purpose,
            )
        )

    def decide_subject_discussion(
        self, audit: AuditEnvelope, disclosure_no: int, decision: SubjectDiscussionDecision
    ) -> None:
        owner = self._disclosure(disclosure_no).disclosing_agency
        if not acts_for(audit, owner):
            raise NotPermittedError(rules.OWNER_DECIDES_SUBJECT_DISCUSSION)
        self._record(
            SubjectDiscussionDecided(
                **self._header(audit),
                disclosure_no=disclosure_no,
                decision=decision,
                owner_agency=owner,
            )
        )

    def _disclosure(self, disclosure_no: int) -> DisclosureSummary:
        if not 1 <= disclosure_no <= len(self.state.disclosures):
            raise InvalidInstructionError(
                "disclosure_no", f"This referral has no disclosure number {disclosure_no}."
            )
        return self.state.disclosures[disclosure_no - 1]
