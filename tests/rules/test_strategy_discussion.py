"""The PREVENT strategy discussion and the Section 2 MASH decision (section 5, the form)."""

from __future__ import annotations

from datetime import timedelta

from aggregates import rules
from aggregates.strategy_discussion import ReferrerNotice, Section2Decision
from events.strategy_discussion import (
    MashDecisionSigned,
    ReferrerConsulted,
    ReferrerNotified,
    RiskAssessmentRecorded,
    StrategyDiscussionConcluded,
    StrategyDiscussionScheduled,
)
from events.vocabulary import (
    AgeGroup,
    ContactMethod,
    DiscussionOutcome,
    FeedbackPoint,
    ReferrerInvolvement,
    Role,
    SignatoryCapacity,
    SocialCareService,
)
from tests.rules.actors import (
    ADULTS_REP,
    CHAIR,
    INSPECTOR,
    SECOND_OFFICER,
    TRIAGE,
    Actor,
)
from tests.rules.harness import Step, given, later, recorded
from tests.rules.histories import (
    ADULT_AT_DISCUSSION,
    ADULTS_SIGNED,
    AT_DISCUSSION,
    CHILDRENS_SIGNED,
    DECIDED,
    POLICE_SIGNED,
    READY_TO_DECIDE,
    SCREENED_IN,
    SIGNED,
    discussion_decided,
    discussion_scheduled,
    referrer_consulted,
    risk_assessed,
    signed,
)


def decide(outcome: DiscussionOutcome, category: str | None, reasons: str | None) -> Step:
    return lambda case: case.referral.conclude_strategy_discussion(
        case.by(INSPECTOR),
        Section2Decision(outcome=outcome, vtr_category=category, reasons=reasons),
    )


def notify(point: FeedbackPoint, minutes_ahead: int = 0) -> Step:
    return lambda case: case.referral.notify_referrer(
        case.by(TRIAGE),
        ReferrerNotice(
            feedback_point=point,
            notified_at=case.at + timedelta(minutes=minutes_ahead),
            notified_person="Referrer",
            notified_by="triage-1",
            method=ContactMethod.EMAIL,
        ),
    )


def test_the_discussion_is_held_with_the_service_for_the_persons_age() -> None:
    """ "The preliminary discussion is led by the Police Inspector ... in conjunction with the
    Children's Services or Adult Social Services representative within the MASH" (section 5):
    Children's Services for a child, Adult Social Services for an adult."""
    given(*SCREENED_IN).when(discussion_scheduled()).then(
        recorded(
            StrategyDiscussionScheduled,
            lead_officer="police-1",
            social_care_service=SocialCareService.CHILDRENS_SERVICES,
        )
    )
    given(*SCREENED_IN).when(
        discussion_scheduled(SocialCareService.ADULT_SOCIAL_SERVICES)
    ).then_refused(rules.SOCIAL_CARE_SERVICE_FITS_AGE)
    given(*SCREENED_IN, age_group=AgeGroup.ADULT).when(discussion_scheduled()).then_refused(
        rules.SOCIAL_CARE_SERVICE_FITS_AGE
    )


def test_the_referrer_is_consulted_before_the_discussion_decides() -> None:
    """ "The person making the referral should be consulted and consideration given to inviting
    them to attend this meeting" (section 5): no decision before that."""
    given(*AT_DISCUSSION).when(referrer_consulted).then(
        recorded(ReferrerConsulted, involvement=ReferrerInvolvement.CONSULTED)
    )
    given(*AT_DISCUSSION, risk_assessed).when(
        decide(DiscussionOutcome.EXIT, None, "reasons")
    ).then_refused(rules.REFERRER_CONSULTED_BEFORE_DECISION)


def test_the_risk_is_assessed_before_the_discussion_decides() -> None:
    """ "At the meeting partners should collectively assess the risk and decide" (section 5):
    a risk assessment is recorded before the decision."""
    given(*AT_DISCUSSION).when(risk_assessed).then(
        recorded(RiskAssessmentRecorded, assessment_no=1)
    )
    given(*AT_DISCUSSION, referrer_consulted).when(
        decide(DiscussionOutcome.EXIT, None, "reasons")
    ).then_refused(rules.RISK_ASSESSMENT_BEFORE_DECISION)


def test_the_decision_waits_for_the_discussion_to_be_held() -> None:
    """The strategy discussion decides when it is held (section 5), not before its time."""
    early = given(
        *SCREENED_IN, discussion_scheduled(), later(days=-1), referrer_consulted, risk_assessed
    )
    early.when(decide(DiscussionOutcome.EXIT, None, "reasons")).then_refused(
        rules.DISCUSSION_NOT_YET_HELD
    )


def test_section_2_gives_a_category_if_yes_and_reasons_if_no() -> None:
    """Section 2 of the form: "Decision for VTR Yes/No; Category if Yes; If No, reasons"."""
    ready = given(*READY_TO_DECIDE)
    ready.when(decide(DiscussionOutcome.VTR_APPROPRIATE, "Extreme right-wing", None)).then(
        recorded(
            StrategyDiscussionConcluded,
            outcome=DiscussionOutcome.VTR_APPROPRIATE,
            vtr_category="Extreme right-wing",
        )
    )
    ready.when(decide(DiscussionOutcome.EXIT, "Category", "reasons")).then_invalid("vtr_category")
    ready.when(decide(DiscussionOutcome.VTR_APPROPRIATE, None, None)).then_invalid("vtr_category")
    ready.when(decide(DiscussionOutcome.EXIT, None, None)).then_invalid("reasons")


def test_only_an_open_discussion_is_consulted_on() -> None:
    """The referrer is consulted for the strategy discussion (section 5): before it is
    scheduled there is nothing to consult on."""
    given(*SCREENED_IN).when(referrer_consulted).then_refused(
        rules.wrong_stage(
            "Consulting the referrer",
            "awaiting_strategy_discussion",
            "once the strategy discussion is scheduled and before it decides",
        )
    )


def test_section_2_is_signed_by_the_police_and_the_discussions_social_care_service() -> None:
    """Section 2 is "Signed Norfolk Constabulary / Children's Services / Adult Social
    Services": one police signature and one from the service that took part."""
    given(*DECIDED).when(POLICE_SIGNED).then(
        recorded(MashDecisionSigned, capacity=SignatoryCapacity.POLICE)
    )
    given(*DECIDED).when(signed(ADULTS_REP, SignatoryCapacity.ADULT_SOCIAL_SERVICES)).then_refused(
        rules.SIGNATURE_FROM_DISCUSSION_SERVICE
    )


def test_each_signature_box_is_signed_once_by_two_different_people() -> None:
    """Section 2 has two signatures, Norfolk Constabulary and social care: each box once,
    and by two different people."""
    given(*DECIDED, POLICE_SIGNED).when(
        signed(SECOND_OFFICER, SignatoryCapacity.POLICE)
    ).then_refused(rules.SIGNATURE_ONCE_PER_BOX)
    both_roles = Actor("police-1", Role.CHILDRENS_SERVICES, "Norfolk Children's Services")
    given(*DECIDED, POLICE_SIGNED).when(
        signed(both_roles, SignatoryCapacity.CHILDRENS_SERVICES)
    ).then_refused(rules.TWO_DISTINCT_SIGNATORIES)


def test_only_a_signatory_role_signs_its_box() -> None:
    """Only Norfolk Constabulary signs the police box, only Children's or Adult Social
    Services the social-care box (Section 2)."""
    chair_as_police = signed(CHAIR, SignatoryCapacity.POLICE)
    given(*DECIDED).when(chair_as_police).then_not_permitted(rules.signatory_role("police"))
    adults_as_childrens = signed(ADULTS_REP, SignatoryCapacity.CHILDRENS_SERVICES)
    given(*DECIDED).when(adults_as_childrens).then_not_permitted(
        rules.signatory_role("childrens_services")
    )


def test_an_adults_decision_is_signed_by_adult_social_services() -> None:
    """An adult's Section 2 decision is co-signed by Adult Social Services (section 5)."""
    adult = given(
        *ADULT_AT_DISCUSSION,
        referrer_consulted,
        risk_assessed,
        discussion_decided(),
        POLICE_SIGNED,
        age_group=AgeGroup.ADULT,
    )
    adult.when(ADULTS_SIGNED).then(
        recorded(MashDecisionSigned, capacity=SignatoryCapacity.ADULT_SOCIAL_SERVICES)
    )
    assert adult.and_then(ADULTS_SIGNED).turn().referral.state.stage == "awaiting_strategy_meeting"


def test_no_signature_before_the_decision() -> None:
    """Section 2 signs the MASH decision; there is nothing to sign before the discussion
    decides."""
    given(*READY_TO_DECIDE).when(POLICE_SIGNED).then_refused(
        rules.wrong_stage(
            "Signing the Section 2 decision",
            "strategy_discussion",
            "once the strategy discussion has decided and before both signatures are given",
        )
    )


def test_the_referrer_is_told_the_signed_decision_once() -> None:
    """ "Referrer Notified of Outcome Date/Time, Name, By whom" (Section 2); "Feedback will be
    provided to the original referrer" (section 5): once the decision is signed, once."""
    given(*DECIDED, POLICE_SIGNED).when(notify(FeedbackPoint.STRATEGY_DISCUSSION)).then_refused(
        rules.FEEDBACK_AFTER_DECISION
    )
    given(*SIGNED).when(notify(FeedbackPoint.STRATEGY_DISCUSSION)).then(
        recorded(ReferrerNotified, feedback_point=FeedbackPoint.STRATEGY_DISCUSSION)
    )
    given(*SIGNED, notify(FeedbackPoint.STRATEGY_DISCUSSION)).when(
        notify(FeedbackPoint.STRATEGY_DISCUSSION)
    ).then_refused(rules.FEEDBACK_ONCE)


def test_the_referrer_is_not_told_in_the_future() -> None:
    """The time the referrer was notified (Section 2, "Date/Time") cannot be later than the
    time it is recorded."""
    given(*SIGNED).when(notify(FeedbackPoint.STRATEGY_DISCUSSION, minutes_ahead=1)).then_invalid(
        "notified_at"
    )


def test_each_discussion_outcome_leads_where_section_5_says() -> None:
    """The discussion decides whether the person "is vulnerable to extremism and therefore
    appropriate for VTR process; should be referred to a different support mechanism; should
    exit the process" (section 5): after both signatures the case goes on accordingly."""
    for outcome, stage in [
        (DiscussionOutcome.VTR_APPROPRIATE, "awaiting_strategy_meeting"),
        (DiscussionOutcome.ALTERNATIVE_SUPPORT, "alternative_support_agreed"),
        (DiscussionOutcome.EXIT, "exit_agreed"),
    ]:
        case = given(*READY_TO_DECIDE, discussion_decided(outcome), POLICE_SIGNED, CHILDRENS_SIGNED)
        assert case.turn().referral.state.stage == stage
