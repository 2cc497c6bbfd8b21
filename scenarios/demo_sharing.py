"""The demo's agencies and the information shared on its supported case.

The story: police and children's services share at the strategy discussion without consent
(it would inhibit the support); the chair's first invitation of the mentoring charity is
refused because it has not signed the Information Sharing Protocol; it signs, is invited,
and at the meeting the school shares on the parent's consent, the police withhold one thing,
and the meeting sanctions one onward disclosure. At the review the charity reports back.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from scenarios import steps
from scenarios.builder import Case, Scenario
from scenarios.demo_script import on
from scenarios.step import Step
from scenarios.steps import ON_CONSENT, agency_ref

POLICE_NAME = "Norfolk Constabulary"
CHILDRENS_NAME = "Norfolk Children's Services"
SCHOOL_NAME = "Riverside Academy"
MENTORS_NAME = "Hope Mentoring Trust"
DEMO_AGENCIES = {
    "Norfolk MASH": "multi_agency_safeguarding_hub",
    "Norfolk County Council": "local_authority",
    POLICE_NAME: "police",
    CHILDRENS_NAME: "children_and_young_people_services",
    "Norfolk Adult Social Services": "adult_and_community_services",
    SCHOOL_NAME: "education",
    "Norfolk Community Mental Health": "mental_health",
    MENTORS_NAME: "non_governmental_organisation",
}
LAW_ENFORCEMENT = ("uk.part3-s35-law-enforcement", "uk.part3-sch8-safeguarding")


def register_demo_agencies(scenario: Scenario) -> dict[str, UUID]:
    """The agency directory; the charity's protocol signature comes later in the story."""
    return scenario.register(DEMO_AGENCIES)


def share_at_strategy_discussion(case: Case) -> None:
    police = steps.disclosed(
        POLICE_NAME, [CHILDRENS_NAME], category="police_intelligence", bases=LAW_ENFORCEMENT
    )
    childrens = steps.disclosed(CHILDRENS_NAME, [POLICE_NAME], category="social_care_history")
    on(
        case,
        date(2026, 2, 10),
        steps.consent_approach_decided("preliminary_assessment").but(
            notes="Seeking consent now could alert the online group the child is in contact with."
        ),
        _told(
            police,
            "Account linked to a forum under investigation; no arrests.",
            "Restricted case file only; do not copy or forward.",
        ),
        _told(
            childrens,
            "Early help offered in 2023 after a house move; closed after six weeks.",
            "Store with the case file.",
        ),
        hour=14,
    )


def invite_to_meeting(case: Case) -> None:
    invited = [steps.agency_invited(name) for name in (POLICE_NAME, CHILDRENS_NAME, SCHOOL_NAME)]
    on(case, date(2026, 2, 12), *invited)
    # Refused and recorded: the charity has not signed the protocol.
    case.attempt(steps.agency_invited(MENTORS_NAME))
    on(case, date(2026, 2, 16), hour=9).scenario.take(steps.isp_signed(MENTORS_NAME))
    on(case, date(2026, 2, 17), steps.agency_invited(MENTORS_NAME))


def share_at_meeting(case: Case) -> None:
    attendees = (POLICE_NAME, CHILDRENS_NAME, MENTORS_NAME)
    school_share = _told(
        steps.disclosed(
            SCHOOL_NAME, [], context="strategy_meeting", category="education", bases=ON_CONSENT
        ),
        "Attendance 81% this term; two incidents in the class group chat.",
        "Keep with the support plan; share with the mentor only.",
    ).but(
        to_meeting_attendees=True,
        need_to_know=[
            {"agency_id": agency_ref(name), "needs_to_know": True, "rationale": "At the table."}
            for name in attendees
        ],
    )
    on(
        case,
        date(2026, 2, 19),
        steps.confidentiality_statement_read(),
        steps.consent_approach_decided("panel", seeker=CHILDRENS_NAME),
        steps.consent_sought(CHILDRENS_NAME),
        steps.consent_given("parent_or_carer").but(
            notes="Mother consented by telephone before the meeting."
        ),
        school_share,
        steps.withheld(POLICE_NAME).but(
            requesting_agency_id=agency_ref(SCHOOL_NAME),
            explanation="The forum investigation is live.",
        ),
        steps.onward_disclosure_sanctioned(3).but(
            to_bodies=["Hope Mentoring Trust clinical supervisor"],
            official_purpose="Supervision of the mentor's work with the child.",
        ),
        steps.subject_discussion_decided(SCHOOL_NAME, 3),
    )


def share_at_review(case: Case) -> None:
    report = steps.disclosed(
        MENTORS_NAME,
        [CHILDRENS_NAME],
        context="review",
        category="family_and_relationships",
        bases=ON_CONSENT,
    )
    on(
        case,
        date(2026, 3, 26),
        _told(
            report,
            "Five sessions attended; talks about rejoining the football club.",
            "Store with the case file.",
        ),
    )


def dispose_after_conclusion(case: Case) -> None:
    """Section 8 once the case concluded: the charity deletes what it received; Children's
    Services' obligations stay open (and are overdue by now); the police's proposed end of
    involvement waits for confirmation."""
    ended = [steps.involvement_ended(agency_ref(name)) for name in (MENTORS_NAME, CHILDRENS_NAME)]
    on(case, date(2026, 5, 5), *ended)
    on(case, date(2026, 5, 12), steps.disposal_confirmed(MENTORS_NAME))


def _told(disclosure: Step, content: str, advice: str) -> Step:
    return disclosure.but(content=content, handling_advice=advice)
