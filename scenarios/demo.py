"""A realistic, synthetic set of cases, recorded through the same commands as the API uses.

Every person in it is invented. Business time runs on a scripted clock through 2026, so the
cases show how long each stage took.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from commands.application import ReferralLedger
from commands.conclusion import ConcludeProcess, RecordPostExitReview
from commands.dispute import RaiseDispute, ReferDispute, ResolveDispute
from commands.intake import (
    RecordSecurityChecks,
    RequestFurtherInformation,
    ReturnFurtherInformation,
    ScreenInReferral,
    ScreenOutReferral,
)
from commands.review import HoldReview
from commands.strategy_discussion import (
    ConcludeStrategyDiscussion,
    ConsultReferrer,
    NotifyReferrer,
    RecordRiskAssessment,
    ScheduleStrategyDiscussion,
    SignMashDecision,
)
from commands.strategy_meeting import ConcludeStrategyMeeting, ConveneStrategyMeeting
from scenarios.demo_script import (
    CHAIR,
    CHILDRENS,
    DEMO_ACTORS,
    DEMO_START,
    DESK,
    HEAD,
    POLICE,
    TRIAGE,
    DemoScript,
    ScriptedClock,
)
from scenarios.demo_sharing import (
    dispose_after_conclusion,
    invite_to_meeting,
    register_demo_agencies,
    share_at_meeting,
    share_at_review,
    share_at_strategy_discussion,
)

__all__ = ["DEMO_ACTORS", "DEMO_START", "ScriptedClock", "load_demo"]


def load_demo(ledger: ReferralLedger, clock: ScriptedClock) -> list[UUID]:
    """Record the demo cases; returns their referral ids."""
    clock.at(date(2026, 1, 12))
    agencies = register_demo_agencies(ledger)
    return [
        _supported_and_concluded(DemoScript(ledger, clock), agencies),
        _screened_out_and_disputed(DemoScript(ledger, clock)),
        _awaiting_discussion(DemoScript(ledger, clock)),
    ]


def _supported_and_concluded(script: DemoScript, agencies: dict[str, UUID]) -> UUID:
    L = ReferralLedger  # noqa: N806 (short alias keeps the script readable)
    d = date
    referral_id = script.receive(
        d(2026, 2, 2),
        {
            "received_at": "2026-02-02T08:40:00Z",
            "received_via": "mash_email",
            "referring_agency": "Riverside Academy",
            "subject_age_group": "child",
            "subject": {
                "full_name": "Casey Demo-Whitlock",
                "other_names": ["CJ"],
                "date_of_birth": "2010-06-17",
                "place_of_birth": "Norwich",
                "address": {"lines": ["14 Example Terrace", "Norwich"], "postcode": "NR99 1AA"},
            },
            "partner_and_parents": [
                {
                    "relationship": "parent",
                    "full_name": "Morgan Demo-Whitlock",
                    "details": "Mother; lives at the same address",
                },
            ],
            "children_and_siblings": [
                {
                    "relationship": "sibling",
                    "full_name": "Riley Demo-Whitlock",
                    "date_of_birth": "2014-02-03",
                },
            ],
            "concern": {
                "reasons_for_referral": "Shared extremist imagery with classmates and spoke in "
                "support of violence against a minority group.",
                "background_and_risk": "Withdrawn from friends since the autumn term; spends "
                "nights on closed online forums, according to a parent.",
                "chronology": [
                    {"when": "October 2025", "what": "Stopped attending the football club."},
                    {"when": "January 2026", "what": "Imagery shared in a class group chat."},
                ],
                "indicators_observed": [
                    "expressed_opinions",
                    "material",
                    "behaviour_and_behavioural_changes",
                ],
            },
            "referrer": {
                "full_name": "Jordan Example-Reed",
                "position": "Designated Safeguarding Lead",
                "contact": {"telephone": "01632 960001", "email": "dsl@riverside.example"},
                "address": {"lines": ["Riverside Academy", "Norwich"], "postcode": "NR99 2BB"},
            },
        },
    )
    script.step(d(2026, 2, 2), TRIAGE, L.record_security_checks, RecordSecurityChecks)
    script.step(
        d(2026, 2, 3),
        TRIAGE,
        L.request_further_information,
        RequestFurtherInformation,
        information_needed="Attendance record and any earlier safeguarding concerns.",
    )
    script.step(
        d(2026, 2, 5),
        DESK,
        L.return_further_information,
        ReturnFurtherInformation,
        information_summary="Attendance 81% this term; no earlier concerns recorded.",
    )
    script.step(
        d(2026, 2, 5),
        TRIAGE,
        L.screen_in,
        ScreenInReferral,
        rationale="Indicators in three categories; no live investigation.",
    )
    script.step(
        d(2026, 2, 6),
        POLICE,
        L.schedule_strategy_discussion,
        ScheduleStrategyDiscussion,
        scheduled_for="2026-02-10T14:00:00Z",
        lead_officer="police-insp-1",
        social_care_service="childrens_services",
        social_care_representative="cs-rep-1",
    )
    script.step(
        d(2026, 2, 9),
        POLICE,
        L.consult_referrer,
        ConsultReferrer,
        involvement="invited_to_attend",
        notes="Will attend and bring the school's log.",
    )
    script.step(
        d(2026, 2, 10),
        POLICE,
        L.record_risk_assessment,
        RecordRiskAssessment,
        assessment={
            "nature_and_pattern_of_behaviour": "Escalating online activity over 4 months.",
            "nature_of_risk": "Being drawn into extreme right-wing ideology.",
            "who_is_at_risk": ["subject", "particular_individuals"],
            "circumstances_increasing_risk": ["relationships", "mental_health"],
            "factors_reducing_risk": "Close to a grandparent; engaged with art classes.",
            "medical_evidence": "None known.",
            "medical_explanation": "no",
        },
    )
    share_at_strategy_discussion(script, agencies)
    script.step(
        d(2026, 2, 10),
        POLICE,
        L.conclude_strategy_discussion,
        ConcludeStrategyDiscussion,
        hour=15,
        outcome="vtr_appropriate",
        vtr_category="Extreme right-wing",
    )
    script.step(
        d(2026, 2, 10), POLICE, L.sign_mash_decision, SignMashDecision, hour=15, capacity="police"
    )
    script.step(
        d(2026, 2, 11),
        CHILDRENS,
        L.sign_mash_decision,
        SignMashDecision,
        capacity="childrens_services",
    )
    script.step(
        d(2026, 2, 11),
        TRIAGE,
        L.notify_referrer,
        NotifyReferrer,
        feedback_point="strategy_discussion",
        notified_at="2026-02-11T10:30:00Z",
        notified_person="Jordan Example-Reed",
        method="telephone",
    )
    script.step(
        d(2026, 2, 12),
        CHAIR,
        L.convene_strategy_meeting,
        ConveneStrategyMeeting,
        meeting_at="2026-02-19T10:00:00Z",
        chair="chair-1",
    )
    invite_to_meeting(script, agencies)
    share_at_meeting(script, agencies)
    script.step(
        d(2026, 2, 19),
        CHAIR,
        L.conclude_strategy_meeting,
        ConcludeStrategyMeeting,
        outcome="support_package",
        review_on="2026-03-26",
        actions=[
            {
                "description": "Weekly mentoring sessions at school.",
                "lead_agency": "Riverside Academy",
                "due_on": "2026-02-26",
            },
            {
                "description": "Family support visit and online-safety advice.",
                "lead_agency": "Norfolk Children's Services",
                "due_on": "2026-03-05",
            },
        ],
    )
    share_at_review(script, agencies)
    script.step(
        d(2026, 3, 26),
        CHAIR,
        L.hold_review,
        HoldReview,
        held_on="2026-03-26",
        outcome="continue",
        next_review_on="2026-04-30",
        progress_notes="Attending mentoring; forum activity has stopped.",
    )
    script.step(
        d(2026, 4, 30),
        CHAIR,
        L.hold_review,
        HoldReview,
        held_on="2026-04-30",
        outcome="conclude",
        progress_notes="No further concerns from school or family.",
    )
    script.step(
        d(2026, 5, 1),
        CHAIR,
        L.conclude_process,
        ConcludeProcess,
        concluded_on="2026-05-01",
        note="Agreed at review that VTR no longer applies.",
    )
    script.step(
        d(2026, 5, 1),
        TRIAGE,
        L.notify_referrer,
        NotifyReferrer,
        feedback_point="conclusion",
        notified_at="2026-05-01T10:15:00Z",
        notified_person="Jordan Example-Reed",
        method="email",
    )
    dispose_after_conclusion(script, agencies)
    script.step(
        d(2026, 11, 3),
        CHAIR,
        L.record_post_exit_review,
        RecordPostExitReview,
        review_point="six_months",
        reviewed_on="2026-11-03",
        outcome="no_further_concern",
        notes="School reports settled progress.",
    )
    return referral_id


def _screened_out_and_disputed(script: DemoScript) -> UUID:
    L = ReferralLedger  # noqa: N806 (short alias keeps the script readable)
    d = date
    referral_id = script.receive(
        d(2026, 9, 14),
        {
            "received_at": "2026-09-13T23:10:00Z",
            "received_via": "out_of_hours_101",
            "on_call_detective_inspector": "police-di-oncall-2",
            "referring_agency": "Member of the public via 101",
            "subject_age_group": "adult",
            "subject": {
                "full_name": "Alex Sample-Hartley",
                "address": {"lines": ["Flat 3, 2 Placeholder Road", "King's Lynn"]},
            },
            "concern": {
                "reasons_for_referral": "Neighbour reports loud arguments about politics.",
                "background_and_risk": "No further detail given by the caller.",
            },
            "referrer": {
                "full_name": "Sam Caller-Doe",
                "position": "Member of the public",
                "contact": {"mobile": "07700 900123"},
            },
        },
    )
    script.step(d(2026, 9, 14), TRIAGE, L.record_security_checks, RecordSecurityChecks)
    script.step(
        d(2026, 9, 15),
        TRIAGE,
        L.screen_out,
        ScreenOutReferral,
        reasons=["misguided_or_misinformed", "clearly_not_vulnerable"],
    )
    script.step(
        d(2026, 9, 22),
        POLICE,
        L.raise_dispute,
        RaiseDispute,
        disputed_decision="screening",
        grounds="Caller has since reported a second incident.",
    )
    script.step(
        d(2026, 9, 23),
        TRIAGE,
        L.refer_dispute,
        ReferDispute,
        dispute_no=1,
        head_of_safeguarding="hos-1",
        detective_superintendent="dsupt-vpd-1",
    )
    script.step(
        d(2026, 10, 2),
        HEAD,
        L.resolve_dispute,
        ResolveDispute,
        dispute_no=1,
        outcome="not_upheld",
        resolution="Second incident was a noise complaint; screening decision stands.",
    )
    return referral_id


def _awaiting_discussion(script: DemoScript) -> UUID:
    L = ReferralLedger  # noqa: N806 (short alias keeps the script readable)
    d = date
    referral_id = script.receive(
        d(2026, 11, 16),
        {
            "received_at": "2026-11-16T10:05:00Z",
            "received_via": "mash_telephone",
            "referring_agency": "Community health team",
            "subject_age_group": "adult",
            "subject": {
                "full_name": "Taylor Fictional-Bryce",
                "date_of_birth": "1999-01-30",
                "address": {"lines": ["7 Invented Lane", "Great Yarmouth"], "postcode": "NR99 3CC"},
            },
            "concern": {
                "reasons_for_referral": "Talks of travelling to join an armed group overseas.",
                "background_and_risk": "Recently bereaved; isolated.",
                "indicators_observed": ["expressed_opinions", "personal_history"],
            },
            "referrer": {
                "full_name": "Robin Nurse-Example",
                "position": "Community mental health nurse",
                "contact": {"telephone": "01632 960002"},
            },
        },
    )
    script.step(d(2026, 11, 16), TRIAGE, L.record_security_checks, RecordSecurityChecks)
    script.step(d(2026, 11, 17), TRIAGE, L.screen_in, ScreenInReferral)
    script.step(
        d(2026, 11, 18),
        POLICE,
        L.schedule_strategy_discussion,
        ScheduleStrategyDiscussion,
        scheduled_for="2026-11-26T13:00:00Z",
        lead_officer="police-insp-1",
        social_care_service="adult_social_services",
        social_care_representative="ass-rep-1",
    )
    return referral_id
