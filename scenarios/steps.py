"""The catalogue of process steps, named as the guidance names what happened.

Each step knows the smallest command the process accepts at its point (every default can be
overridden with `Step.but`); `scenarios.builder` composes them into cases. Adding a field a
command needs, or a mandatory step, changes this module or the builder, nothing else.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from aggregates.agency import agency_id_for
from scenarios.step import ActingFor, By, FromNow, Part, StaffOf, Step, today

MINIMAL_FORM: Mapping[str, Any] = {
    "received_at": "2026-03-02T08:15:00Z",
    "received_via": "mash_email",
    "referring_agency": "Invented High School",
    "subject_age_group": "child",
    "subject": {
        "full_name": "Invented Subject",
        "address": {"lines": ["1 Invented Road", "Norwich"]},
    },
    "concern": {"reasons_for_referral": "Invented.", "background_and_risk": "Invented."},
    "referrer": {
        "full_name": "Invented Referrer",
        "position": "Designated Safeguarding Lead",
        "contact": {"email": "referrer@invented.example"},
    },
}
RISK_ASSESSMENT: Mapping[str, Any] = {
    "nature_and_pattern_of_behaviour": "Invented pattern.",
    "nature_of_risk": "Invented risk.",
    "who_is_at_risk": ["subject"],
    "factors_reducing_risk": "Invented factors.",
    "medical_explanation": "unknown",
}
SUPPORT_ACTION: Mapping[str, Any] = {"description": "Mentoring", "lead_agency": "School"}
PUBLIC_TASK = ("uk.public-task-art6-1e", "uk.sch1-para18-safeguarding", "uk.ctsa2015-s38")
ON_CONSENT = ("uk.consent-art6-1a",)
ON_EXPLICIT_CONSENT = (*ON_CONSENT, "uk.explicit-consent-art9-2a")  # special category data
PRINCIPLES = ("power_to_share", "necessary", "relevant", "proportionate", "non_discriminatory")
JUSTIFICATION: Mapping[str, str] = {
    "power_to_share": "The legal bases cited.",
    "necessity": "The support cannot be planned without it.",
    "relevance": "Bears directly on the risk and the support.",
    "proportionality": "Only what the plan needs; no source detail.",
    "non_discrimination": "Shared because of behaviour, not belief or background.",
}
PUBLIC_INTEREST: Mapping[str, Any] = {
    "grounds": ["protection_of_vulnerable_members_of_the_community"],
    "consent_considered": True,
    "overrides_confidentiality_and_privacy": True,
}


NOW = FromNow()
TODAY = today()


def agency_ref(name: str) -> str:
    """An agency's id as a body names it (the directory derives it from the name)."""
    return str(agency_id_for(name))


# -- intake and triage (section 5) ------------------------------------------------------


def referral_received(form: Mapping[str, Any] = MINIMAL_FORM) -> Step:
    return Step("receive_referral", Part.TRIAGE, form)


def security_checks_recorded() -> Step:
    return Step("record_security_checks", Part.TRIAGE)


def further_information_requested(needed: str = "Attendance this term.") -> Step:
    return Step("request_further_information", Part.TRIAGE, {"information_needed": needed})


def further_information_returned(summary: str = "Attendance 90%.") -> Step:
    return Step("return_further_information", Part.DESK, {"information_summary": summary})


def screened_in(rationale: str | None = None) -> Step:
    return Step("screen_in", Part.TRIAGE, {} if rationale is None else {"rationale": rationale})


def screened_out(*reasons: str) -> Step:
    return Step("screen_out", Part.TRIAGE, {"reasons": list(reasons or ["clearly_not_vulnerable"])})


# -- strategy discussion (section 5) ----------------------------------------------------


def discussion_scheduled(
    social_care: Part = Part.CHILDRENS_SERVICES, scheduled_for: FromNow | str = NOW
) -> Step:
    """Scheduled, by default, for the moment it is scheduled: under way at once."""
    return Step(
        "schedule_strategy_discussion",
        Part.POLICE,
        {
            "scheduled_for": scheduled_for,
            "lead_officer": StaffOf(Part.POLICE),
            "social_care_service": social_care.value,
            "social_care_representative": StaffOf(social_care),
        },
    )


def referrer_consulted(involvement: str = "consulted") -> Step:
    return Step("consult_referrer", Part.POLICE, {"involvement": involvement})


def risk_assessed(assessment: Mapping[str, Any] = RISK_ASSESSMENT) -> Step:
    return Step("record_risk_assessment", Part.POLICE, {"assessment": assessment})


def discussion_held(outcome: str = "vtr_appropriate") -> Step:
    """The strategy discussion's decision: VTR appropriate (with its category), or not."""
    decision: dict[str, Any] = {"outcome": outcome}
    if outcome == "vtr_appropriate":
        decision["vtr_category"] = "Extreme right-wing"
    else:
        decision["reasons"] = "Support better met elsewhere."
    return Step("conclude_strategy_discussion", Part.POLICE, decision)


def mash_decision_signed(capacity: Part = Part.POLICE) -> Step:
    """Section 2's signature of the MASH decision, by the lead in that capacity."""
    return Step("sign_mash_decision", capacity, {"capacity": capacity.value})


def referrer_notified(point: str, person: str = "Invented Referrer") -> Step:
    return Step(
        "notify_referrer",
        Part.TRIAGE,
        {
            "feedback_point": point,
            "notified_at": NOW,
            "notified_person": person,
            "method": "telephone",
        },
    )


# -- strategy meeting, review, conclusion (sections 6 and 7) ---------------------------


def meeting_convened(meeting_at: FromNow | str = NOW) -> Step:
    return Step(
        "convene_strategy_meeting",
        Part.CHAIR,
        {"meeting_at": meeting_at, "chair": StaffOf(Part.CHAIR)},
    )


def meeting_held(outcome: str = "support_package") -> Step:
    """The meeting's outcome: a support package (one action, reviewed in 35 days), or not."""
    support = outcome == "support_package"
    return Step(
        "conclude_strategy_meeting",
        Part.CHAIR,
        {
            "outcome": outcome,
            "actions": [SUPPORT_ACTION] if support else [],
            "review_on": today(35) if support else None,
        },
    )


def reviewed(outcome: str = "conclude") -> Step:
    fields: dict[str, Any] = {
        "held_on": today(),
        "outcome": outcome,
        "progress_notes": "Progress noted.",
    }
    if outcome != "conclude":
        fields["next_review_on"] = today(35)
    if outcome == "amend_plan":
        fields["amended_actions"] = [SUPPORT_ACTION]
    return Step("hold_review", Part.CHAIR, fields)


def process_concluded() -> Step:
    return Step("conclude_process", Part.CHAIR, {"concluded_on": today()})


def referred_to_alternative_support(provider: str = "Early Help") -> Step:
    return Step(
        "refer_to_alternative_support",
        Part.TRIAGE,
        {"referred_on": today(), "support_provider": provider},
    )


def post_exit_reviewed(point: str = "six_months") -> Step:
    return Step(
        "record_post_exit_review",
        Part.CHAIR,
        {"review_point": point, "reviewed_on": today(), "outcome": "no_further_concern"},
    )


# -- disputes (section 7) ---------------------------------------------------------------


def dispute_raised(decision: str = "screening", grounds: str = "Disagrees.") -> Step:
    return Step("raise_dispute", Part.POLICE, {"disputed_decision": decision, "grounds": grounds})


def dispute_referred(dispute_no: int = 1) -> Step:
    return Step(
        "refer_dispute",
        Part.TRIAGE,
        {
            "dispute_no": dispute_no,
            "head_of_safeguarding": StaffOf(Part.HEAD_OF_SAFEGUARDING),
            "detective_superintendent": "dsupt-1",
        },
    )


def dispute_resolved(dispute_no: int = 1, outcome: str = "not_upheld") -> Step:
    return Step(
        "resolve_dispute",
        Part.HEAD_OF_SAFEGUARDING,
        {"dispute_no": dispute_no, "outcome": outcome, "resolution": "Decision stands."},
    )


# -- consent (Appendix B) ---------------------------------------------------------------


def consent_approach_decided(stage: str, seeker: str | None = None) -> Step:
    """Consent to be sought by `seeker` (an agency), or not sought, at this stage."""
    fields: dict[str, Any] = {"stage": stage, "seek": seeker is not None}
    if seeker is None:
        fields["reasons_not_sought"] = ["would_inhibit_support_or_risk_management"]
    else:
        fields["seeker_agency_id"] = agency_ref(seeker)
    return Step("decide_consent_approach", Part.POLICE, fields)


def consent_sought(seeker: str) -> Step:
    return Step(
        "seek_consent",
        Part.CHILDRENS_SERVICES,
        {"seeker_agency_id": agency_ref(seeker), "sought_on": today()},
    )


def consent_given(given_by: str = "subject") -> Step:
    return Step(
        "record_consent_given",
        Part.CHILDRENS_SERVICES,
        {
            "given_by": given_by,
            "freely_given": True,
            "informed_of_who_and_why": True,
            "told_can_withdraw": True,
            "given_on": today(),
        },
    )


def consent_refused() -> Step:
    return Step("record_consent_refused", Part.CHILDRENS_SERVICES, {"refused_on": today()})


def consent_withdrawn() -> Step:
    return Step("record_consent_withdrawn", Part.CHILDRENS_SERVICES, {"withdrawn_on": today()})


# -- information sharing (section 3, Appendix C) ----------------------------------------


def agency_invited(agency: str) -> Step:
    return Step("invite_agency", Part.CHAIR, {"agency_id": agency_ref(agency)})


def confidentiality_statement_read() -> Step:
    return Step(
        "read_confidentiality_statement", Part.CHAIR, {"statement_version": "appendix-c/2018"}
    )


def disclosed(
    discloser: str,
    recipients: list[str],
    *,
    context: str = "strategy_discussion",
    category: str = "police_intelligence",
    bases: tuple[str, ...] = PUBLIC_TASK,
) -> Step:
    """Information shared by `discloser` with `recipients` (agencies, by name)."""
    fields = disclosure(
        agency_ref(discloser),
        [agency_ref(name) for name in recipients],
        context=context,
        category=category,
        bases=bases,
    )
    return Step("disclose", ActingFor(discloser), fields)


def disclosure(
    discloser_id: str,
    recipient_ids: list[str],
    *,
    context: str = "strategy_discussion",
    category: str = "police_intelligence",
    bases: tuple[str, ...] = PUBLIC_TASK,
) -> dict[str, Any]:
    """A disclosure's body, each recipient needing to know; without consent (the bases are
    not all consent's) it carries the public-interest balance."""
    fields: dict[str, Any] = {
        "context": context,
        "disclosing_agency_id": discloser_id,
        "recipient_agency_ids": recipient_ids,
        "information_category": category,
        "content": "Invented information.",
        "legal_basis_ids": list(bases),
        "principles": dict.fromkeys(PRINCIPLES, True),
        "justification": dict(JUSTIFICATION),
        "need_to_know": [
            {"agency_id": agency, "needs_to_know": True, "rationale": "Leads part of the plan."}
            for agency in recipient_ids
        ],
        "particularly_sensitive": category == "police_intelligence",
        "handling_advice": "Store with the case file.",
    }
    if not set(bases) <= set(ON_EXPLICIT_CONSENT):
        fields["public_interest"] = dict(PUBLIC_INTEREST)
        fields["public_interest_reasoning"] = "A child at risk; consent would inhibit support."
    return fields


# -- meetings, minutes and the action plan (section 6) --------------------------------------


def meeting_scheduled(kind: str, minute_taker: str, held_at: FromNow | str = NOW) -> Step:
    body = {"kind": kind, "held_at": held_at, "place": "County Hall", "minute_taker": minute_taker}
    return Step("schedule_meeting", Part.CHAIR, body)


def attendance_recorded(meeting_no: int, attendees: list[tuple[str, str, str | None]]) -> Step:
    """Each attendee as (staff identifier, agency name, police rank or None)."""
    present = [
        {"attendee": who, "agency_id": agency_ref(name), "role": "Representative"}
        | ({"rank": rank} if rank else {})
        for who, name, rank in attendees
    ]
    return Step("record_attendance", Part.CHAIR, {"meeting_no": meeting_no, "attendees": present})


def action_agreed(meeting_no: int, lead: str, owner: str, due_on: FromNow | str) -> Step:
    body = {"meeting_no": meeting_no, "lead_agency_id": agency_ref(lead), "owner": owner,
            "due_on": due_on, "description": "Invented action."}  # fmt: skip
    return Step("agree_action", Part.CHAIR, body)


def minutes_drafted(meeting_no: int, by: By, action_nos: list[int]) -> Step:
    body = {"meeting_no": meeting_no, "drafted_on": today(), "text": "Invented minutes.",
            "statement_recorded": True, "agreed_action_nos": action_nos}  # fmt: skip
    return Step("draft_minutes", by, body)


def minutes_approved(meeting_no: int, minutes_no: int = 1) -> Step:
    body = {"meeting_no": meeting_no, "minutes_no": minutes_no, "approved_on": today()}
    return Step("approve_minutes", Part.CHAIR, body)


def minutes_circulated(meeting_no: int, hub: str, minutes_no: int = 1) -> Step:
    body = {
        "meeting_no": meeting_no,
        "minutes_no": minutes_no,
        "disclosing_agency_id": agency_ref(hub),
        "legal_basis_ids": list(PUBLIC_TASK),
        "principles": dict.fromkeys(PRINCIPLES, True),
        "justification": dict(JUSTIFICATION),
        "public_interest": dict(PUBLIC_INTEREST),
        "public_interest_reasoning": "Section 6: the minutes go to those present.",
        "particularly_sensitive": True,
        "handling_advice": "Store with the case file.",
    }
    return Step("circulate_minutes", Part.CHAIR, body)


def action_completed(action_no: int, by: By) -> Step:
    return Step("complete_action", by, {"action_no": action_no, "done_on": today()})


def withheld(holder: str, category: str = "police_intelligence") -> Step:
    return Step(
        "withhold",
        ActingFor(holder),
        {
            "withholding_agency_id": agency_ref(holder),
            "information_category": category,
            "reason": "would_prejudice_an_investigation",
        },
    )


def onward_disclosure_sanctioned(disclosure_no: int = 1) -> Step:
    return Step(
        "sanction_onward_disclosure",
        Part.CHAIR,
        {
            "disclosure_no": disclosure_no,
            "to_bodies": ["MAPPA panel"],
            "official_purpose": "Risk management.",
        },
    )


def subject_discussion_decided(
    owner: str, disclosure_no: int = 1, decision: str = "approved"
) -> Step:
    return Step(
        "decide_subject_discussion",
        ActingFor(owner),
        {"disclosure_no": disclosure_no, "decision": decision},
    )


# -- section 8, erasure and retention ---------------------------------------------------


def involvement_ended(agency_id: str, reason: str = "process_concluded") -> Step:
    """The agency (by its id) ends its involvement: its disposal obligations are raised."""
    return Step(
        "end_agency_involvement",
        Part.TRIAGE,
        {"agency_id": agency_id, "ended_on": today(), "reason": reason},
    )


def disposal_confirmed(agency: str, obligation_no: int = 1) -> Step:
    return Step(
        "confirm_disposal",
        ActingFor(agency),
        {
            "obligation_no": obligation_no,
            "method": "deleted",
            "disposed_on": today(),
            "complete": True,
        },
    )


def legal_hold_placed(ground: str = "litigation") -> Step:
    return Step("place_legal_hold", Part.COMPLIANCE, {"ground": ground, "reason": "A claim."})


def legal_hold_lifted() -> Step:
    return Step("lift_legal_hold", Part.COMPLIANCE, {"reason": "Settled."})


def retention_reviewed(decision: str = "retain") -> Step:
    fields: dict[str, Any] = {"reviewed_on": today(), "decision": decision, "reason": "Schedule."}
    if decision == "retain":
        fields["next_review_on"] = today(365)
    return Step("review_retention", Part.COMPLIANCE, fields)


def erasure_requested(ground: str = "uk_gdpr_art_17_1_a_no_longer_necessary") -> Step:
    return Step("request_erasure", Part.COMPLIANCE, {"ground": ground, "reason": "Closed."})


def erasure_approved(request_no: int = 1) -> Step:
    return Step("approve_erasure", Part.SECOND_COMPLIANCE, {"request_no": request_no})


def erasure_executed(request_no: int = 1) -> Step:
    return Step("execute_erasure", Part.COMPLIANCE, {"request_no": request_no})


# -- the agency directory ---------------------------------------------------------------


def agency_registered(name: str, agency_type: str) -> Step:
    return Step("register_agency", Part.TRIAGE, {"name": name, "agency_type": agency_type})


def isp_signed(agency: str, effective_from: FromNow | str = TODAY) -> Step:
    return Step(
        "sign_isp",
        Part.TRIAGE,
        {
            "isp_version": "NCCSP ISP v4",
            "effective_from": effective_from,
            "signatory_position": "Chief Executive",
        },
        about=agency_id_for(agency),
    )


def isp_lapsed(agency: str) -> Step:
    return Step(
        "lapse_isp",
        Part.TRIAGE,
        {"lapsed_on": today(), "reason": "Not renewed"},
        about=agency_id_for(agency),
    )


# The steps of one referral's own process, by command, each at its defaults: what the
# property tests draw from (and vary) when they try any step at any point.
REFERRAL_STEPS: Mapping[str, Callable[[], Step]] = {
    step().command: step
    for step in (
        security_checks_recorded,
        further_information_requested,
        further_information_returned,
        screened_out,
        screened_in,
        discussion_scheduled,
        referrer_consulted,
        risk_assessed,
        discussion_held,
        mash_decision_signed,
        partial(referrer_notified, "strategy_discussion"),
        meeting_convened,
        meeting_held,
        reviewed,
        process_concluded,
        referred_to_alternative_support,
        post_exit_reviewed,
        dispute_raised,
        dispute_referred,
        dispute_resolved,
    )
}
SECTION_8_STEPS: Mapping[str, Callable[[], Step]] = {
    step().command: step
    for step in (
        partial(involvement_ended, agency_ref("Greenfield High School")),
        partial(disposal_confirmed, "Greenfield High School"),
        legal_hold_placed,
        legal_hold_lifted,
        retention_reviewed,
        erasure_requested,
        erasure_approved,
        erasure_executed,
    )
}
