"""The demo's agencies and the information shared on its supported case.

The story: police and children's services share at the strategy discussion without consent
(it would inhibit the support); the chair's first invitation of the mentoring charity is
refused because it has not signed the Information Sharing Protocol; it signs, is invited,
and at the meeting the school shares on the parent's consent, the police withhold one thing,
and the meeting sanctions one onward disclosure. At the review the charity reports back.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import date
from typing import Any
from uuid import UUID

from aggregates.errors import DomainError
from commands.agency import RegisterAgency, SignIsp
from commands.application import ReferralLedger
from commands.consent import DecideConsentApproach, RecordConsentGiven, SeekConsent
from commands.disposal import ConfirmDisposal, EndAgencyInvolvement
from commands.sharing import (
    DecideSubjectDiscussion,
    DiscloseInformation,
    InviteAgency,
    ReadConfidentialityStatement,
    SanctionOnwardDisclosure,
    WithholdDisclosure,
)
from scenarios.demo_script import (
    CHAIR,
    CHILDRENS,
    MENTOR,
    POLICE,
    SCHOOL,
    TRIAGE,
    DemoScript,
    issued_by,
)

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
PUBLIC_TASK = ["uk.public-task-art6-1e", "uk.sch1-para18-safeguarding", "uk.ctsa2015-s38"]
LAW_ENFORCEMENT = ["uk.part3-s35-law-enforcement", "uk.part3-sch8-safeguarding"]
ON_CONSENT = ["uk.consent-art6-1a"]


def register_demo_agencies(ledger: ReferralLedger) -> dict[str, UUID]:
    """The agency directory; the charity's protocol signature comes later in the story."""
    ids = {}
    for name, agency_type in DEMO_AGENCIES.items():
        command = RegisterAgency.model_validate({"name": name, "agency_type": agency_type})
        ids[name] = ledger.register_agency(command, issued_by(TRIAGE)).aggregate_id
    return ids


def share_at_strategy_discussion(script: DemoScript, agencies: dict[str, UUID]) -> None:
    day = date(2026, 2, 10)
    L = ReferralLedger  # noqa: N806 (short alias keeps the script readable)
    script.step(
        day,
        POLICE,
        L.decide_consent_approach,
        DecideConsentApproach,
        hour=14,
        stage="preliminary_assessment",
        seek=False,
        reasons_not_sought=["would_inhibit_support_or_risk_management"],
        notes="Seeking consent now could alert the online group the child is in contact with.",
    )
    police, childrens = agencies[POLICE_NAME], agencies[CHILDRENS_NAME]
    script.step(
        day,
        POLICE,
        L.disclose,
        DiscloseInformation,
        hour=14,
        **_disclosure(
            police,
            [childrens],
            "strategy_discussion",
            "police_intelligence",
            LAW_ENFORCEMENT,
            content="Account linked to a forum under investigation; no arrests.",
            advice="Restricted case file only; do not copy or forward.",
        ),
    )
    script.step(
        day,
        CHILDRENS,
        L.disclose,
        DiscloseInformation,
        hour=14,
        **_disclosure(
            childrens,
            [police],
            "strategy_discussion",
            "social_care_history",
            PUBLIC_TASK,
            content="Early help offered in 2023 after a house move; closed after six weeks.",
            advice="Store with the case file.",
        ),
    )


def invite_to_meeting(script: DemoScript, agencies: dict[str, UUID]) -> None:
    L = ReferralLedger  # noqa: N806 (short alias keeps the script readable)
    for name in (POLICE_NAME, CHILDRENS_NAME, SCHOOL_NAME):
        script.step(
            date(2026, 2, 12), CHAIR, L.invite_agency, InviteAgency, agency_id=agencies[name]
        )
    mentors = agencies[MENTORS_NAME]
    with suppress(DomainError):  # refused and recorded: the charity has not signed the protocol
        script.step(date(2026, 2, 12), CHAIR, L.invite_agency, InviteAgency, agency_id=mentors)
    script.at(date(2026, 2, 16), 9)
    ledger = script.ledger
    signature = SignIsp(
        expected_version=ledger.agency(mentors).version,
        isp_version="NCCSP ISP v4",
        effective_from=date(2026, 2, 16),
        signatory_position="Chief Executive",
    )
    ledger.sign_isp(mentors, signature, issued_by(TRIAGE))
    script.step(date(2026, 2, 17), CHAIR, L.invite_agency, InviteAgency, agency_id=mentors)


def share_at_meeting(script: DemoScript, agencies: dict[str, UUID]) -> None:
    day = date(2026, 2, 19)
    L = ReferralLedger  # noqa: N806 (short alias keeps the script readable)
    childrens = agencies[CHILDRENS_NAME]
    script.step(
        day,
        CHAIR,
        L.read_confidentiality_statement,
        ReadConfidentialityStatement,
        statement_version="appendix-c/2018",
    )
    script.step(
        day,
        POLICE,
        L.decide_consent_approach,
        DecideConsentApproach,
        stage="panel",
        seek=True,
        seeker_agency_id=childrens,
    )
    script.step(
        day,
        CHILDRENS,
        L.seek_consent,
        SeekConsent,
        seeker_agency_id=childrens,
        sought_on=day,
    )
    script.step(
        day,
        CHILDRENS,
        L.record_consent_given,
        RecordConsentGiven,
        given_by="parent_or_carer",
        freely_given=True,
        informed_of_who_and_why=True,
        told_can_withdraw=True,
        given_on=day,
        notes="Mother consented by telephone before the meeting.",
    )
    school_share = _disclosure(
        agencies[SCHOOL_NAME],
        [],
        "strategy_meeting",
        "education",
        ON_CONSENT,
        content="Attendance 81% this term; two incidents in the class group chat.",
        advice="Keep with the support plan; share with the mentor only.",
    )
    attendees = [agencies[name] for name in (POLICE_NAME, CHILDRENS_NAME, MENTORS_NAME)]
    school_share |= {
        "to_meeting_attendees": True,
        "need_to_know": [
            {"agency_id": str(agency), "needs_to_know": True, "rationale": "At the table."}
            for agency in attendees
        ],
    }
    script.step(day, SCHOOL, L.disclose, DiscloseInformation, **school_share)
    script.step(
        day,
        POLICE,
        L.withhold,
        WithholdDisclosure,
        withholding_agency_id=agencies[POLICE_NAME],
        requesting_agency_id=agencies[SCHOOL_NAME],
        information_category="police_intelligence",
        reason="would_prejudice_an_investigation",
        explanation="The forum investigation is live.",
    )
    script.step(
        day,
        CHAIR,
        L.sanction_onward_disclosure,
        SanctionOnwardDisclosure,
        disclosure_no=3,
        to_bodies=["Hope Mentoring Trust clinical supervisor"],
        official_purpose="Supervision of the mentor's work with the child.",
    )
    script.step(
        day,
        SCHOOL,
        L.decide_subject_discussion,
        DecideSubjectDiscussion,
        disclosure_no=3,
        decision="approved",
    )


def share_at_review(script: DemoScript, agencies: dict[str, UUID]) -> None:
    L = ReferralLedger  # noqa: N806 (short alias keeps the script readable)
    report = _disclosure(
        agencies[MENTORS_NAME],
        [agencies[CHILDRENS_NAME]],
        "review",
        "family_and_relationships",
        ON_CONSENT,
        content="Five sessions attended; talks about rejoining the football club.",
        advice="Store with the case file.",
    )
    script.step(date(2026, 3, 26), MENTOR, L.disclose, DiscloseInformation, **report)


def dispose_after_conclusion(script: DemoScript, agencies: dict[str, UUID]) -> None:
    """Section 8 once the case concluded: the charity deletes what it received; Children's
    Services' obligations stay open (and are overdue by now); the police's proposed end of
    involvement waits for confirmation."""
    L = ReferralLedger  # noqa: N806 (short alias keeps the script readable)
    for name in (MENTORS_NAME, CHILDRENS_NAME):
        script.step(
            date(2026, 5, 5),
            TRIAGE,
            L.end_agency_involvement,
            EndAgencyInvolvement,
            agency_id=agencies[name],
            ended_on="2026-05-05",
            reason="process_concluded",
        )
    script.step(
        date(2026, 5, 12),
        MENTOR,
        L.confirm_disposal,
        ConfirmDisposal,
        obligation_no=1,
        method="deleted",
        disposed_on="2026-05-12",
        complete=True,
    )


def _disclosure(
    discloser: UUID,
    recipients: list[UUID],
    context: str,
    category: str,
    bases: list[str],
    *,
    content: str,
    advice: str,
) -> dict[str, Any]:
    on_consent = bases == ON_CONSENT
    named = [str(agency) for agency in recipients]
    body: dict[str, Any] = {
        "context": context,
        "disclosing_agency_id": str(discloser),
        "recipient_agency_ids": named,
        "information_category": category,
        "content": content,
        "legal_basis_ids": bases,
        "principles": dict.fromkeys(
            ("power_to_share", "necessary", "relevant", "proportionate", "non_discriminatory"),
            True,
        ),
        "justification": {
            "power_to_share": "The legal bases cited.",
            "necessity": "The support cannot be planned without it.",
            "relevance": "Bears directly on the risk and the support.",
            "proportionality": "Only what the plan needs; no source detail.",
            "non_discrimination": "Shared because of behaviour, not belief or background.",
        },
        "need_to_know": [
            {"agency_id": agency, "needs_to_know": True, "rationale": "Leads part of the plan."}
            for agency in named
        ],
        "particularly_sensitive": category == "police_intelligence",
        "handling_advice": advice,
    }
    if not on_consent:
        body["public_interest"] = {
            "grounds": ["protection_of_vulnerable_members_of_the_community"],
            "consent_considered": True,
            "overrides_confidentiality_and_privacy": True,
        }
        body["public_interest_reasoning"] = "A child at risk; consent would inhibit support."
    return body
