"""A realistic, synthetic set of cases, recorded through the same commands as the API uses.

Every person in it is invented. Business time runs on a scripted clock through 2026, so the
cases show how long each stage took.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from commands.application import ReferralLedger
from scenarios import steps
from scenarios.builder import Case, Scenario
from scenarios.demo_script import DEMO_ACTORS, DEMO_CAST, DEMO_START, ScriptedClock, at_hour, on
from scenarios.demo_sharing import (
    dispose_after_conclusion,
    invite_to_meeting,
    register_demo_agencies,
    share_at_meeting,
    share_at_review,
    share_at_strategy_discussion,
)
from scenarios.drivers import LedgerDriver
from scenarios.step import Part

__all__ = ["DEMO_ACTORS", "DEMO_START", "ScriptedClock", "load_demo"]


def load_demo(ledger: ReferralLedger, clock: ScriptedClock) -> list[UUID]:
    """Record the demo cases; returns their referral ids."""
    clock.at(date(2026, 1, 12))
    scenario = Scenario(LedgerDriver(ledger), DEMO_CAST, clock)
    register_demo_agencies(scenario)
    return [
        _supported_and_concluded(scenario).referral_id,
        _screened_out_and_disputed(scenario).referral_id,
        _awaiting_discussion(scenario).referral_id,
    ]


def _received(scenario: Scenario, day: date, form: dict[str, Any]) -> Case:
    return scenario.at(at_hour(day)).case(steps.referral_received(form))


def _supported_and_concluded(scenario: Scenario) -> Case:
    case = _received(scenario, date(2026, 2, 2), SUPPORTED_FORM)
    on(case, date(2026, 2, 2), steps.security_checks_recorded())
    on(
        case,
        date(2026, 2, 3),
        steps.further_information_requested(
            "Attendance record and any earlier safeguarding concerns."
        ),
    )
    on(
        case,
        date(2026, 2, 5),
        steps.further_information_returned(
            "Attendance 81% this term; no earlier concerns recorded."
        ),
        steps.screened_in("Indicators in three categories; no live investigation."),
    )
    on(
        case,
        date(2026, 2, 6),
        steps.discussion_scheduled(scheduled_for="2026-02-10T14:00:00Z"),
    )
    on(
        case,
        date(2026, 2, 9),
        steps.referrer_consulted("invited_to_attend").but(
            notes="Will attend and bring the school's log."
        ),
    )
    on(case, date(2026, 2, 10), steps.risk_assessed(RISK_ASSESSMENT))
    share_at_strategy_discussion(case)
    on(
        case,
        date(2026, 2, 10),
        steps.discussion_held(),
        steps.mash_decision_signed(Part.POLICE),
        hour=15,
    )
    on(
        case,
        date(2026, 2, 11),
        steps.mash_decision_signed(Part.CHILDRENS_SERVICES),
        steps.referrer_notified("strategy_discussion", REFERRER).but(
            notified_at="2026-02-11T10:30:00Z"
        ),
    )
    on(case, date(2026, 2, 12), steps.meeting_convened("2026-02-19T10:00:00Z"))
    invite_to_meeting(case)
    share_at_meeting(case)
    on(case, date(2026, 2, 19), steps.meeting_held().but(review_on="2026-03-26", actions=ACTIONS))
    share_at_review(case)
    on(
        case,
        date(2026, 3, 26),
        steps.reviewed("continue").but(
            held_on="2026-03-26",
            next_review_on="2026-04-30",
            progress_notes="Attending mentoring; forum activity has stopped.",
        ),
    )
    on(
        case,
        date(2026, 4, 30),
        steps.reviewed("conclude").but(
            held_on="2026-04-30", progress_notes="No further concerns from school or family."
        ),
    )
    on(
        case,
        date(2026, 5, 1),
        steps.process_concluded().but(
            concluded_on="2026-05-01", note="Agreed at review that VTR no longer applies."
        ),
        steps.referrer_notified("conclusion", REFERRER).but(
            notified_at="2026-05-01T10:15:00Z", method="email"
        ),
    )
    dispose_after_conclusion(case)
    return on(
        case,
        date(2026, 11, 3),
        steps.post_exit_reviewed().but(notes="School reports settled progress."),
    )


def _screened_out_and_disputed(scenario: Scenario) -> Case:
    case = _received(scenario, date(2026, 9, 14), DISPUTED_FORM)
    on(case, date(2026, 9, 14), steps.security_checks_recorded())
    on(
        case,
        date(2026, 9, 15),
        steps.screened_out("misguided_or_misinformed", "clearly_not_vulnerable"),
    )
    on(
        case,
        date(2026, 9, 22),
        steps.dispute_raised("screening", "Caller has since reported a second incident."),
    )
    on(
        case,
        date(2026, 9, 23),
        steps.dispute_referred().but(detective_superintendent="dsupt-vpd-1"),
    )
    return on(
        case,
        date(2026, 10, 2),
        steps.dispute_resolved().but(
            resolution="Second incident was a noise complaint; screening decision stands."
        ),
    )


def _awaiting_discussion(scenario: Scenario) -> Case:
    case = _received(scenario, date(2026, 11, 16), AWAITING_FORM)
    on(case, date(2026, 11, 16), steps.security_checks_recorded())
    on(case, date(2026, 11, 17), steps.screened_in())
    return on(
        case,
        date(2026, 11, 18),
        steps.discussion_scheduled(
            Part.ADULT_SOCIAL_SERVICES, scheduled_for="2026-11-26T13:00:00Z"
        ),
    )


REFERRER = "Jordan Example-Reed"
RISK_ASSESSMENT: dict[str, Any] = {
    "nature_and_pattern_of_behaviour": "Escalating online activity over 4 months.",
    "nature_of_risk": "Being drawn into extreme right-wing ideology.",
    "who_is_at_risk": ["subject", "particular_individuals"],
    "circumstances_increasing_risk": ["relationships", "mental_health"],
    "factors_reducing_risk": "Close to a grandparent; engaged with art classes.",
    "medical_evidence": "None known.",
    "medical_explanation": "no",
}
ACTIONS = [
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
]
SUPPORTED_FORM: dict[str, Any] = {
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
}
DISPUTED_FORM: dict[str, Any] = {
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
}
AWAITING_FORM: dict[str, Any] = {
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
}
