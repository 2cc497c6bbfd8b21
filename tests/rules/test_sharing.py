"""Lawful information sharing (section 3, Appendices B and C, the ISP of section 5)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from aggregates import rules
from aggregates.agency import Agency, AgencyRegistration, IspLapse, IspSigning
from aggregates.errors import InvalidInstructionError, ProcessRuleViolationError
from aggregates.intake import ScreeningOut
from aggregates.sharing import (
    MeetingInvitation,
    OnwardDisclosureSanction,
    StatementReading,
    SubjectDiscussionRuling,
    Withholding,
)
from events.forms import NeedToKnow, PublicInterestBalance
from events.sharing import (
    AgencyInvitedToStrategyMeeting,
    ConfidentialityStatementRead,
    DisclosureWithheld,
    InformationDisclosed,
    OnwardDisclosureSanctioned,
    SubjectDiscussionDecided,
)
from events.vocabulary import (
    ConsentStatus,
    PublicInterestGround,
    ScreeningOutReason,
    SharingContext,
    SubjectDiscussionDecision,
    WithholdingReason,
)
from tests.rules.actors import (
    AGENCY_TYPES,
    CHAIR,
    CHILDRENS_REP,
    CHILDRENS_SERVICES,
    INSPECTOR,
    MENTORS,
    POLICE_FORCE,
    SCHOOL,
    TRIAGE,
    Actor,
    agency,
)
from tests.rules.consent_histories import CONSENT_GIVEN, CONSENT_WITHDRAWN
from tests.rules.disclosures import AFFIRMED, OVERRIDING, TODAY_BASES, shared, standing
from tests.rules.harness import Step, audit, given, later, recorded
from tests.rules.histories import AT_DISCUSSION, AT_MEETING, IN_SUPPORT, security_checked

MEETING = SharingContext.STRATEGY_MEETING
STATEMENT = "appendix-c/2018"


def invite(name: str, *, may_share: bool = True) -> Step:
    return lambda case: case.referral.invite_agency(
        case.by(CHAIR),
        MeetingInvitation(agency_id=agency(name).agency_id),
        agency=standing(name, may_share=may_share),
        isp_required=name == MENTORS,
    )


def read_statement(version: str = STATEMENT) -> Step:
    return lambda case: case.referral.read_confidentiality_statement(
        case.by(CHAIR), StatementReading(statement_version=version)
    )


def onward(disclosure_no: int) -> Step:
    return lambda case: case.referral.sanction_onward_disclosure(
        case.by(CHAIR),
        OnwardDisclosureSanction(
            disclosure_no=disclosure_no, to_bodies=("Probation Service",), official_purpose="MAPPA"
        ),
    )


def subject_discussion(by: Actor) -> Step:
    return lambda case: case.referral.decide_subject_discussion(
        case.by(by),
        SubjectDiscussionRuling(disclosure_no=1, decision=SubjectDiscussionDecision.APPROVED),
    )


def withhold(by: Actor, reason: WithholdingReason, explanation: str | None = None) -> Step:
    withholding = Withholding(
        withholding_agency_id=agency(POLICE_FORCE).agency_id,
        requesting_agency_id=agency(CHILDRENS_SERVICES).agency_id,
        information_category="police_intelligence",
        reason=reason,
        explanation=explanation,
    )
    return lambda case: case.referral.withhold(
        case.by(by),
        withholding,
        withholding_agency=agency(POLICE_FORCE),
        requesting_agency=agency(CHILDRENS_SERVICES),
    )


MEETING_UNDER_WAY = (*AT_MEETING, invite(SCHOOL), invite(CHILDRENS_SERVICES), read_statement())
AT_MEETING_SHARED = (*MEETING_UNDER_WAY, shared(MEETING))


class TestTheInformationSharingProtocol:
    def test_an_ngo_is_invited_and_told_only_while_its_signature_is_valid(self) -> None:
        """Drug and alcohol services, non-governmental organisations and community groups
        attend "Subject to the group having signed the Norfolk County Community Safety
        Partnership Information Sharing Protocol" (section 5)."""
        given(*AT_MEETING).when(invite(MENTORS, may_share=False)).then_refused(
            rules.ISP_SIGNATURE_REQUIRED
        )
        given(*MEETING_UNDER_WAY).when(
            shared(MEETING, recipients=(standing(MENTORS, may_share=False),))
        ).then_refused(rules.ISP_SIGNATURE_REQUIRED)
        given(*AT_MEETING).when(invite(MENTORS)).then(
            recorded(AgencyInvitedToStrategyMeeting, agency=agency(MENTORS), isp_required=True)
        )

    def test_an_agency_is_invited_once_to_a_convened_meeting(self) -> None:
        """ "The agencies invited should be any that have a role to play in the management of
        risk" (section 5): each invited once, to a meeting that is convened."""
        given(*AT_MEETING, invite(SCHOOL)).when(invite(SCHOOL)).then_refused(rules.ALREADY_INVITED)
        given(*AT_DISCUSSION).when(invite(SCHOOL)).then_refused(
            rules.wrong_stage(
                "Inviting an agency", "strategy_discussion", "once the strategy meeting is convened"
            )
        )


class TestLegalBases:
    def test_unknown_entries_are_named(self) -> None:
        """Where consent is not relied on, "agencies/groups must establish the legal basis for
        sharing" (Appendix B): from the catalogue, naming any unknown entry."""
        given(*AT_DISCUSSION).when(shared(legal_basis_ids=("uk.made-up",))).then_invalid(
            "legal_basis_ids", "uk.made-up"
        )
        given(*AT_DISCUSSION).when(shared(legal_basis_ids=())).then_invalid("legal_basis_ids")

    def test_each_basis_must_be_in_force_on_the_day_of_the_disclosure(self) -> None:
        """Appendix B's 1998 law governs disclosures made under it, its successors (UK GDPR,
        DPA 2018) those made today: each basis relied on is in force on the day."""
        appendix_b = ("app-b.sch3-police-functions", "app-b.cda1998-s115", "app-b.dpa1998-s29")
        refusal = given(*AT_DISCUSSION).when(shared(legal_basis_ids=appendix_b))
        refusal.then_refused(
            rules.legal_basis_not_in_force("app-b.sch3-police-functions", "2026-03-04")
        )
        in_2012 = given(*AT_DISCUSSION, received_at=datetime(2012, 6, 1, 9, tzinfo=UTC))
        in_2012.when(shared(legal_basis_ids=TODAY_BASES)).then_refused(
            rules.legal_basis_not_in_force("uk.public-task-art6-1e", "2012-06-03")
        )
        (event,) = in_2012.when(shared(legal_basis_ids=appendix_b)).then(
            recorded(InformationDisclosed, disclosure_no=1)
        )
        cited = event.legal_bases  # type: ignore[attr-defined]
        assert (cited[0].entry_id, cited[0].catalogue, cited[0].catalogue_version) == (
            "app-b.sch3-police-functions",
            "vtr-appendix-b",
            "1998.1",
        )

    def test_without_consent_a_gateway_and_the_public_interest_are_needed(self) -> None:
        """ "In the absence of consent it is necessary to identify an exemption or a relevant
        condition for processing ... it is necessary to determine that the level of public
        interest overrides the expectation of privacy" (section 3, Appendix B)."""
        case = given(*AT_DISCUSSION)
        human_rights_only = ("uk.hra-art2", "uk.common-law-public-interest")
        case.when(
            shared(information_category="education", legal_basis_ids=human_rights_only)
        ).then_refused(rules.LEGAL_GATEWAY_WITHOUT_CONSENT)
        case.when(shared(public_interest=None)).then_invalid("public_interest")
        case.when(shared(public_interest_reasoning=None)).then_invalid("public_interest")
        not_weighed = PublicInterestBalance(
            grounds=[PublicInterestGround.DETECTION_OF_CRIME],
            consent_considered=False,
            overrides_confidentiality_and_privacy=True,
        )
        case.when(shared(public_interest=not_weighed)).then_refused(
            rules.PUBLIC_INTEREST_MUST_OVERRIDE
        )
        case.when(shared()).then(
            recorded(InformationDisclosed, relies_on_consent=False, public_interest=OVERRIDING)
        )

    def test_sensitive_information_needs_a_condition_for_sensitive_data(self) -> None:
        """ "Where there is no specific legislation each agency/group must identify a relevant
        condition for processing under schedule 2 (and for sensitive personal data schedule 3)"
        (Appendix B)."""
        given(*AT_DISCUSSION).when(
            shared(
                information_category="mental_health",
                legal_basis_ids=("uk.public-task-art6-1e", "uk.ctsa2015-s38"),
            )
        ).then_refused(rules.SPECIAL_CATEGORY_CONDITION)


class TestConsentAsTheBasis:
    def test_a_disclosure_on_consent_needs_consent_in_force(self) -> None:
        """ "Obtaining the informed consent ... will satisfy the requirement ... to identify a
        condition for processing" (Appendix B) only while that consent stands."""
        on_consent = shared(legal_basis_ids=("uk.explicit-consent-art9-2a",), public_interest=None)
        given(*AT_DISCUSSION).when(on_consent).then_refused(rules.CONSENT_NOT_IN_FORCE)
        given(*CONSENT_WITHDRAWN).when(on_consent).then_refused(rules.CONSENT_NOT_IN_FORCE)
        given(*CONSENT_GIVEN).when(on_consent).then(
            recorded(
                InformationDisclosed,
                relies_on_consent=True,
                consent_status=ConsentStatus.GIVEN,
                public_interest=None,
            )
        )


class TestSection3Principles:
    def test_every_principle_must_be_affirmed(self) -> None:
        """ "Power to Share ... Necessity, relevance and proportionality ... Non-discriminatory"
        (section 3): each affirmed by the disclosing agency."""
        for principle in type(AFFIRMED).model_fields:
            unaffirmed = AFFIRMED.model_copy(update={principle: False})
            given(*AT_DISCUSSION).when(shared(principles=unaffirmed)).then_refused(
                rules.SECTION_3_PRINCIPLES
            )

    def test_each_recipient_needs_to_know(self) -> None:
        """ "Information should be selected for sharing on the basis that the agencies involved
        need to know that information in order to make informed assessment and decisions"
        (section 3): for each recipient, and only recipients."""
        childrens = agency(CHILDRENS_SERVICES).agency_id
        no_need = [NeedToKnow(agency_id=childrens, needs_to_know=False, rationale="none")]
        given(*AT_DISCUSSION).when(shared(need_to_know=no_need)).then_refused(rules.NEED_TO_KNOW)
        given(*AT_DISCUSSION).when(shared(need_to_know=())).then_invalid("need_to_know")

    def test_recipients_are_named_once_and_not_the_discloser(self) -> None:
        """A disclosure goes from one agency to the others that need to know (section 3)."""
        twice = (standing(CHILDRENS_SERVICES), standing(CHILDRENS_SERVICES))
        given(*AT_DISCUSSION).when(shared(recipients=twice)).then_invalid("recipient_agency_ids")
        given(*AT_DISCUSSION).when(shared(recipients=())).then_invalid("recipient_agency_ids")
        given(*AT_DISCUSSION).when(shared(recipients=(standing(POLICE_FORCE),))).then_invalid(
            "recipient_agency_ids", "itself"
        )

    def test_the_category_and_the_time_fit_the_case(self) -> None:
        """A disclosure names a category of the catalogue, and is recorded after it was made
        and after the referral it is about."""
        case = given(*AT_DISCUSSION)
        case.when(shared(information_category="gossip")).then_invalid("information_category")
        future = case.at + timedelta(minutes=1)
        case.when(shared(disclosed_at=future)).then_invalid("disclosed_at")
        before = datetime(2026, 3, 1, tzinfo=UTC)
        case.when(shared(disclosed_at=before)).then_invalid("disclosed_at", "precede")

    def test_only_the_owning_agency_decides_its_disclosure(self) -> None:
        """ "It is the responsibility of each agency to consider whether ... the sharing of
        personal information is consistent with their powers and function" (section 3)."""
        given(*AT_DISCUSSION).when(shared(by=CHILDRENS_REP)).then_not_permitted(
            rules.DISCLOSING_AGENCY_ONLY
        )


class TestTheMeeting:
    def test_at_a_meeting_the_confidentiality_statement_comes_first(self) -> None:
        """ "A confidentiality statement will be read out by the Chair at the start of the
        meeting" (section 6, Appendix C): no sharing at the meeting before it."""
        before = (*AT_MEETING, invite(SCHOOL), invite(CHILDRENS_SERVICES))
        given(*before).when(shared(MEETING)).then_refused(rules.STATEMENT_BEFORE_MEETING_SHARING)
        given(*before).when(read_statement()).then(
            recorded(ConfidentialityStatementRead, statement_version=STATEMENT)
        )
        given(*MEETING_UNDER_WAY).when(shared(MEETING)).then(
            recorded(InformationDisclosed, context=MEETING)
        )

    def test_the_statement_is_read_once_the_meeting_has_begun_and_in_force_today(self) -> None:
        """The statement is read "at the start of the meeting" (section 6), in its version in
        force."""
        given(*AT_MEETING, later(minutes=-5)).when(read_statement()).then_refused(
            rules.MEETING_NOT_YET_HELD
        )
        given(*AT_MEETING).when(read_statement("appendix-c/1998")).then_invalid(
            "statement_version", STATEMENT
        )

    def test_the_context_must_fit_the_stage_and_the_case_must_be_open(self) -> None:
        """ "Information shared at any stage of the referral process is confidential and is to
        be used only for the purpose of the VTR process" (section 8): shared in the forum of
        the current stage, and only while the case is open."""
        given(*AT_DISCUSSION).when(shared(SharingContext.REVIEW)).then_refused(
            rules.wrong_stage(
                "Sharing in the review context",
                "strategy_discussion",
                "while support is delivered and reviewed",
            )
        )
        screened_out = given(
            security_checked,
            lambda case: case.referral.screen_out(
                case.by(TRIAGE),
                ScreeningOut(reasons=[ScreeningOutReason.MALICIOUS], other_reason=None),
            ),
        )
        screened_out.when(shared(SharingContext.OUTSIDE_MEETING)).then_refused(
            rules.SHARING_WHILE_CASE_OPEN
        )
        screened_out.when(withhold(INSPECTOR, WithholdingReason.NOT_NECESSARY)).then_refused(
            rules.SHARING_WHILE_CASE_OPEN
        )


class TestAppendixC:
    def test_onward_disclosure_is_sanctioned_by_the_meeting_for_its_information(self) -> None:
        """ "Information shared and recorded as part of this meeting will not be disclosed
        outside of the meeting other than for official purposes that have been sanctioned by
        the members of the meeting" (Appendix C)."""
        given(*AT_MEETING_SHARED).when(onward(1)).then(
            recorded(OnwardDisclosureSanctioned, disclosure_no=1, to_bodies=("Probation Service",))
        )
        given(*AT_MEETING_SHARED).when(onward(2)).then_invalid("disclosure_no")
        outside = (*MEETING_UNDER_WAY, shared(SharingContext.OUTSIDE_MEETING))
        given(*outside).when(onward(1)).then_refused(rules.ONWARD_FOR_MEETING_INFORMATION)
        given(*AT_DISCUSSION, shared()).when(onward(1)).then_refused(
            rules.wrong_stage(
                "Sanctioning onward disclosure",
                "strategy_discussion",
                "at the strategy meeting or a review, by its members",
            )
        )

    def test_only_the_owner_approves_discussing_it_with_the_subject(self) -> None:
        """ "Information shared should not be discussed with the subject unless the owner of the
        information has given approval" (Appendix C)."""
        given(*AT_MEETING_SHARED).when(subject_discussion(CHILDRENS_REP)).then_not_permitted(
            rules.OWNER_DECIDES_SUBJECT_DISCUSSION
        )
        given(*AT_MEETING_SHARED).when(subject_discussion(INSPECTOR)).then(
            recorded(
                SubjectDiscussionDecided,
                decision=SubjectDiscussionDecision.APPROVED,
                owner_agency=agency(POLICE_FORCE),
            )
        )


class TestWithholding:
    def test_a_withheld_disclosure_is_recorded_by_its_owner_with_its_reason(self) -> None:
        """Each agency decides whether sharing its information is "consistent with their
        powers and function" (section 3): a decision not to share is its own, with a reason."""
        case = given(*IN_SUPPORT)
        case.when(withhold(CHILDRENS_REP, WithholdingReason.NOT_NECESSARY)).then_not_permitted(
            rules.DISCLOSING_AGENCY_ONLY
        )
        case.when(withhold(INSPECTOR, WithholdingReason.OTHER)).then_invalid("explanation")
        case.when(withhold(INSPECTOR, WithholdingReason.OTHER, "ongoing operation")).then(
            recorded(DisclosureWithheld, reason=WithholdingReason.OTHER)
        )


class TestTheProtocolSignature:
    """The ISP signature lives on the agency's own record in the directory."""

    def test_a_signature_counts_only_between_its_dates_and_until_it_lapses(self) -> None:
        """Signed-ISP groups take part "Subject to the group having signed the ... Information
        Sharing Protocol" (section 5): from its effective date, until it ends or lapses."""
        mentors = registered(MENTORS)
        mentors.sign_isp(
            audit(TRIAGE, NOW),
            IspSigning(
                isp_version="ISP v4",
                effective_from=date(2026, 4, 1),
                effective_until=None,
                signatory_position="Chief Executive",
            ),
        )
        assert not mentors.state.may_share_on(NOW.date())
        mentors.sign_isp(
            audit(TRIAGE, NOW),
            IspSigning(
                isp_version="ISP v4",
                effective_from=date(2025, 1, 1),
                effective_until=date(2026, 2, 28),
                signatory_position="Chief Executive",
            ),
        )
        assert not mentors.state.may_share_on(NOW.date()), "expired on 28 February"
        mentors.sign_isp(
            audit(TRIAGE, NOW),
            IspSigning(
                isp_version="ISP v4",
                effective_from=date(2026, 1, 1),
                effective_until=None,
                signatory_position="Chief Executive",
            ),
        )
        assert mentors.state.may_share_on(NOW.date())
        mentors.lapse_isp(
            audit(TRIAGE, NOW), IspLapse(lapsed_on=date(2026, 3, 1), reason="withdrew")
        )
        assert not mentors.state.may_share_on(NOW.date())
        assert registered(SCHOOL).state.may_share_on(NOW.date()), "a school needs no ISP"

    def test_a_lapse_needs_a_valid_signature_and_a_signature_sensible_dates(self) -> None:
        """Only a signature in force can lapse; a signature cannot end before it takes effect."""
        mentors = registered(MENTORS)
        mentors.collect_events()
        with pytest.raises(ProcessRuleViolationError) as refusal:
            mentors.lapse_isp(audit(TRIAGE, NOW), IspLapse(lapsed_on=date(2026, 3, 1), reason="x"))
        assert refusal.value.rule == rules.NO_ISP_SIGNATURE_TO_LAPSE
        with pytest.raises(InvalidInstructionError) as invalid:
            mentors.sign_isp(
                audit(TRIAGE, NOW),
                IspSigning(
                    isp_version="v4",
                    effective_from=date(2026, 5, 1),
                    effective_until=date(2026, 4, 1),
                    signatory_position="CE",
                ),
            )
        assert invalid.value.field == "effective_until"
        assert mentors.collect_events() == []


NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)


def registered(name: str) -> Agency:
    registration = AgencyRegistration(name=name, agency_type=AGENCY_TYPES[name])
    return Agency.register(agency(name).agency_id, audit(TRIAGE, NOW), registration)
