"""The steps that write a referral's history, and the histories of each stage, for `given`.

Each step is the aggregate's own command as the guidance's people take it, so a history is
what the ledger would have recorded; the tuples at the end are the stages of section 5.
"""

from __future__ import annotations

from datetime import date, timedelta

from aggregates.conclusion import Conclusion
from aggregates.consent import ConsentApproach, ConsentRequest, GivenConsent
from aggregates.disposal import InvolvementEnding, LegalHoldOrder
from aggregates.dispute import DisputeGrounds, DisputeReferral, DisputeResolution
from aggregates.erasure import ErasureApplication, ErasureApproval, ErasureExecution
from aggregates.intake import InformationRequest, ScreeningIn
from aggregates.review import ReviewReport
from aggregates.strategy_discussion import (
    ReferrerConsultation,
    RiskAssessmentReport,
    Section2Decision,
    Section2Signature,
    StrategyDiscussionPlan,
)
from aggregates.strategy_meeting import StrategyMeetingConvening, StrategyMeetingDecision
from events.forms import AgencyRef, RiskAssessment, SupportAction
from events.personal import KeyGroup
from events.vocabulary import (
    ConsentGiver,
    ConsentNotSoughtReason,
    ConsentStage,
    DiscussionOutcome,
    DisputedDecision,
    DisputeOutcome,
    ErasureGround,
    InvolvementEndReason,
    LegalHoldGround,
    MedicalExplanation,
    MeetingOutcome,
    ReferrerInvolvement,
    ReviewOutcome,
    RiskTarget,
    SignatoryCapacity,
    SocialCareService,
)
from tests.rules.actors import (
    ADULTS_REP,
    CHAIR,
    CHILDRENS_REP,
    COMPLIANCE,
    HEAD_OF_SAFEGUARDING,
    INSPECTOR,
    SECOND_COMPLIANCE,
    SECOND_OFFICER,
    TRIAGE,
    Actor,
)
from tests.rules.harness import Step, Turn, later

ASSESSMENT = RiskAssessment(
    nature_and_pattern_of_behaviour="pattern",
    nature_of_risk="risk",
    who_is_at_risk=[RiskTarget.SUBJECT],
    factors_reducing_risk="support",
    medical_explanation=MedicalExplanation.UNKNOWN,
)
MENTORING = SupportAction(description="mentoring", lead_agency="Greenfield High School")
WORKING_DAYS = 10


def security_checked(turn: Turn) -> None:
    turn.referral.record_security_checks(turn.by(TRIAGE))


def further_information_requested(turn: Turn) -> None:
    turn.referral.request_further_information(
        turn.by(TRIAGE), InformationRequest(information_needed="attendance")
    )


def screened_in(turn: Turn) -> None:
    turn.referral.screen_in(turn.by(TRIAGE), ScreeningIn(rationale=None))


def discussion_scheduled(service: SocialCareService = SocialCareService.CHILDRENS_SERVICES) -> Step:
    """The discussion is set for two days on; the steps after it happen once it has begun."""

    def schedule(turn: Turn) -> None:
        representative = "cs-1" if service is SocialCareService.CHILDRENS_SERVICES else "ass-1"
        turn.referral.schedule_strategy_discussion(
            turn.by(INSPECTOR),
            StrategyDiscussionPlan(
                scheduled_for=turn.at + timedelta(days=2),
                lead_officer="police-1",
                social_care_service=service,
                social_care_representative=representative,
            ),
        )
        turn.at += timedelta(days=2)

    return schedule


def referrer_consulted(turn: Turn) -> None:
    turn.referral.consult_referrer(
        turn.by(INSPECTOR),
        ReferrerConsultation(involvement=ReferrerInvolvement.CONSULTED, notes=None),
    )


def risk_assessed(turn: Turn) -> None:
    turn.referral.record_risk_assessment(
        turn.by(INSPECTOR), RiskAssessmentReport(assessment=ASSESSMENT)
    )


def discussion_decided(outcome: DiscussionOutcome = DiscussionOutcome.VTR_APPROPRIATE) -> Step:
    def decide(turn: Turn) -> None:
        appropriate = outcome is DiscussionOutcome.VTR_APPROPRIATE
        turn.referral.conclude_strategy_discussion(
            turn.by(INSPECTOR),
            Section2Decision(
                outcome=outcome,
                vtr_category="Extreme right-wing" if appropriate else None,
                reasons=None if appropriate else "reasons",
            ),
        )

    return decide


def signed(actor: Actor, capacity: SignatoryCapacity) -> Step:
    return lambda turn: turn.referral.sign_mash_decision(
        turn.by(actor), Section2Signature(capacity=capacity)
    )


def meeting_convened(turn: Turn) -> None:
    """The meeting is set for a week on; the steps after it happen once it has begun."""
    turn.referral.convene_strategy_meeting(
        turn.by(CHAIR),
        StrategyMeetingConvening(
            meeting_at=turn.at + timedelta(days=7), chair="chair-1", nominated_by=None
        ),
    )
    turn.at += timedelta(days=7)


def support_agreed(turn: Turn) -> None:
    turn.referral.conclude_strategy_meeting(
        turn.by(CHAIR),
        StrategyMeetingDecision(
            outcome=MeetingOutcome.SUPPORT_PACKAGE,
            actions=(MENTORING,),
            review_on=turn.days_from_today(35),
            rationale=None,
        ),
    )


def meeting_concluded(outcome: MeetingOutcome) -> Step:
    return lambda turn: turn.referral.conclude_strategy_meeting(
        turn.by(CHAIR),
        StrategyMeetingDecision(outcome=outcome, actions=(), review_on=None, rationale="rationale"),
    )


def concluding_review(turn: Turn) -> None:
    turn.referral.hold_review(
        turn.by(CHAIR),
        ReviewReport(held_on=turn.today, outcome=ReviewOutcome.CONCLUDE, progress_notes="progress"),
    )


def process_concluded(turn: Turn) -> None:
    turn.referral.conclude_process(turn.by(CHAIR), Conclusion(concluded_on=turn.today, note=None))


def dispute_raised(turn: Turn) -> None:
    turn.referral.raise_dispute(
        turn.by(SECOND_OFFICER),
        DisputeGrounds(disputed_decision=DisputedDecision.OTHER, grounds="grounds"),
    )


def dispute_referred(turn: Turn) -> None:
    turn.referral.refer_dispute(
        turn.by(TRIAGE),
        DisputeReferral(
            dispute_no=1, head_of_safeguarding="hos-1", detective_superintendent="dsupt-1"
        ),
    )


def dispute_resolved(turn: Turn) -> None:
    turn.referral.resolve_dispute(
        turn.by(HEAD_OF_SAFEGUARDING),
        DisputeResolution(dispute_no=1, outcome=DisputeOutcome.UPHELD, resolution="resolution"),
    )


def consent_to_be_sought(stage: ConsentStage, seeker: AgencyRef) -> Step:
    return lambda turn: turn.referral.decide_consent_approach(
        turn.by(INSPECTOR),
        ConsentApproach(stage=stage, seek=True, seeker_agency_id=seeker.agency_id),
        seeker,
    )


def consent_not_to_be_sought(stage: ConsentStage) -> Step:
    return lambda turn: turn.referral.decide_consent_approach(
        turn.by(INSPECTOR),
        ConsentApproach(
            stage=stage,
            seek=False,
            reasons_not_sought=[ConsentNotSoughtReason.HARMS_ENGAGEMENT],
        ),
        None,
    )


def consent_sought(seeker: AgencyRef) -> Step:
    return lambda turn: turn.referral.seek_consent(
        turn.by(CHILDRENS_REP),
        ConsentRequest(seeker_agency_id=seeker.agency_id, sought_on=turn.today),
        seeker,
    )


def consent_given(turn: Turn) -> None:
    turn.referral.record_consent_given(turn.by(CHILDRENS_REP), consent(turn.today))


def consent(
    on: date, *, freely: bool = True, informed: bool = True, withdrawable: bool = True
) -> GivenConsent:
    return GivenConsent(
        given_by=ConsentGiver.SUBJECT,
        freely_given=freely,
        informed_of_who_and_why=informed,
        told_can_withdraw=withdrawable,
        given_on=on,
    )


def legal_hold_placed(turn: Turn) -> None:
    turn.referral.place_legal_hold(
        turn.by(COMPLIANCE), LegalHoldOrder(ground=LegalHoldGround.LITIGATION, reason="claim")
    )


def involvement_ended(recipient: AgencyRef) -> Step:
    return lambda turn: turn.referral.end_agency_involvement(
        turn.by(CHAIR),
        ending(recipient, turn.today),
        agency=recipient,
        working_days=WORKING_DAYS,
    )


def ending(recipient: AgencyRef, on: date) -> InvolvementEnding:
    return InvolvementEnding(
        agency_id=recipient.agency_id, ended_on=on, reason=InvolvementEndReason.OTHER
    )


def erasure_requested(turn: Turn) -> None:
    turn.referral.request_erasure(
        turn.by(COMPLIANCE),
        ErasureApplication(
            key_groups=[KeyGroup.SUBJECT], ground=ErasureGround.NO_LONGER_NECESSARY, reason="reason"
        ),
    )


def erasure_approved(turn: Turn) -> None:
    turn.referral.approve_erasure(turn.by(SECOND_COMPLIANCE), ErasureApproval(request_no=1))


def erasure_executed(turn: Turn) -> None:
    turn.referral.execute_erasure(
        turn.by(COMPLIANCE),
        ErasureExecution(request_no=1),
        key_ids={KeyGroup.SUBJECT: "subject-key"},
    )


SCREENED_IN = (security_checked, screened_in)
AT_DISCUSSION = (*SCREENED_IN, discussion_scheduled())
READY_TO_DECIDE = (*AT_DISCUSSION, referrer_consulted, risk_assessed)
DECIDED = (*READY_TO_DECIDE, discussion_decided())
POLICE_SIGNED = signed(INSPECTOR, SignatoryCapacity.POLICE)
CHILDRENS_SIGNED = signed(CHILDRENS_REP, SignatoryCapacity.CHILDRENS_SERVICES)
SIGNED = (*DECIDED, POLICE_SIGNED, CHILDRENS_SIGNED)
AT_MEETING = (*SIGNED, meeting_convened)
IN_SUPPORT = (*AT_MEETING, support_agreed)
EXIT_AGREED = (*IN_SUPPORT, later(days=35), concluding_review)
CONCLUDED = (*EXIT_AGREED, process_concluded)
ADULT_AT_DISCUSSION = (*SCREENED_IN, discussion_scheduled(SocialCareService.ADULT_SOCIAL_SERVICES))
ADULTS_SIGNED = signed(ADULTS_REP, SignatoryCapacity.ADULT_SOCIAL_SERVICES)
