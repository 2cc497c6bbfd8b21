"""An example body for every command, and `docs/commands.md` generated from them.

The examples tell one invented case in the order the guidance runs it: a school's referral of
a child, screened in, discussed, signed off under Section 2, supported by a strategy meeting
and its reviews, concluded, its shared information disposed of and, years later, erased.
Two other invented cases show the branches: one screened out and disputed, one referred to
alternative support after consent was refused. Every person in them is invented; ids are
placeholders of one fixed form (`…-0000-4000-8000-…`) to be replaced by real ones.

Tests check that each example is accepted as it stands (tests/unit/test_command_examples.py)
and, sent in story order, by the process itself (tests/api/test_command_examples.py).
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

from fastapi.routing import APIRoute

from api.access.permissions import MATRIX

Body = dict[str, Any]

# Placeholders: a referral's id comes from the 201 of POST /referrals, an agency's from
# GET /agencies (it is derived from the agency's name, so it never changes).
REFERRAL_ID = "3f1c7d2e-0000-4000-8000-000000000001"
POLICE = "Norfolk Constabulary"
CHILDRENS = "Norfolk Children's Services"
SCHOOL = "Greenfield High School"
MENTORS = "Hope Mentoring Trust"
MASH = "Norfolk MASH"
AGENCY_IDS = MappingProxyType(
    {
        POLICE: "a9e1c7d2-0000-4000-8000-000000000001",
        CHILDRENS: "a9e1c7d2-0000-4000-8000-000000000002",
        SCHOOL: "a9e1c7d2-0000-4000-8000-000000000003",
        MENTORS: "a9e1c7d2-0000-4000-8000-000000000004",
        MASH: "a9e1c7d2-0000-4000-8000-000000000005",
    }
)
PLACEHOLDER_IDS = frozenset({REFERRAL_ID, *AGENCY_IDS.values()})

# Invented people; the referrer is named again when told the outcome.
REFERRER = "Dana Placeholder-Okafor"
SUPPORT_ACTIONS = [
    {
        "description": "Weekly mentoring sessions at school, focused on online safety.",
        "lead_agency": MENTORS,
        "due_on": "2026-03-19",
    },
    {
        "description": "Family support visit and advice to the parent on online forums.",
        "lead_agency": CHILDRENS,
        "due_on": "2026-03-26",
    },
]

INTAKE: dict[str, Body] = {
    "receive_referral": {
        "received_at": "2026-03-02T08:15:00Z",
        "received_via": "mash_email",
        "referring_agency": SCHOOL,
        "subject_age_group": "child",
        "subject": {
            "full_name": "Rowan Example-Fairweather",
            "other_names": ["Ro Fairweather"],
            "date_of_birth": "2010-09-21",
            "place_of_birth": "Norwich",
            "address": {"lines": ["22 Sample Street", "Norwich"], "postcode": "NR99 4ZZ"},
        },
        "partner_and_parents": [
            {
                "relationship": "parent",
                "full_name": "Morgan Example-Fairweather",
                "details": "Mother; lives at the same address.",
            }
        ],
        "children_and_siblings": [
            {
                "relationship": "sibling",
                "full_name": "Sky Example-Fairweather",
                "date_of_birth": "2015-01-08",
            }
        ],
        "concern": {
            "reasons_for_referral": "Shared extremist imagery in a class group chat and spoke "
            "in support of violence against a minority group.",
            "background_and_risk": "Withdrawn from friends since the autumn term; spends "
            "nights on closed online forums, according to the parent.",
            "chronology": [
                {"when": "October 2025", "what": "Stopped attending the football club."},
                {"when": "February 2026", "what": "Imagery shared in a class group chat."},
            ],
            "indicators_observed": [
                "expressed_opinions",
                "material",
                "behaviour_and_behavioural_changes",
            ],
        },
        "referrer": {
            "full_name": REFERRER,
            "position": "Designated Safeguarding Lead",
            "contact": {"telephone": "01632 960123", "email": "dsl@greenfield-high.example"},
            "address": {"lines": [SCHOOL, "Norwich"], "postcode": "NR99 5YY"},
        },
    },
    "record_security_checks": {"expected_version": 1},
    "request_further_information": {
        "expected_version": 2,
        "information_needed": "Attendance this term and any earlier safeguarding concerns.",
    },
    "return_further_information": {
        "expected_version": 3,
        "information_summary": "Attendance 84% this term; one earlier concern in 2025, "
        "closed after advice to the family.",
    },
    "screen_out": {
        "expected_version": 2,
        "reasons": ["misguided_or_misinformed", "other"],
        "other_reason": "A dispute between neighbours, already known to the local policing team.",
    },
    "screen_in": {
        "expected_version": 4,
        "rationale": "Indicators in three categories; no live investigation.",
    },
}

STRATEGY_DISCUSSION: dict[str, Body] = {
    "schedule_strategy_discussion": {
        "expected_version": 5,
        "scheduled_for": "2026-03-05T14:00:00Z",
        "lead_officer": "police-insp-4",
        "social_care_service": "childrens_services",
        "social_care_representative": "cs-sw-12",
    },
    "consult_referrer": {
        "expected_version": 6,
        "involvement": "invited_to_attend",
        "notes": "The designated safeguarding lead will attend and bring the school's log.",
    },
    "record_risk_assessment": {
        "expected_version": 7,
        "assessment": {
            "nature_and_pattern_of_behaviour": "Escalating online activity over five months.",
            "nature_of_risk": "Being drawn into extreme right-wing ideology.",
            "who_is_at_risk": ["subject", "particular_individuals"],
            "who_is_at_risk_details": "Two classmates named in the group chat.",
            "circumstances_increasing_risk": ["relationships", "mental_health"],
            "factors_reducing_risk": "Close to a grandparent; engaged with art classes.",
            "medical_evidence": "None known.",
            "medical_explanation": "no",
        },
    },
    "conclude_strategy_discussion": {
        "expected_version": 10,
        "outcome": "vtr_appropriate",
        "vtr_category": "Extreme right-wing",
    },
    "sign_mash_decision": {"expected_version": 11, "capacity": "police"},
    "notify_referrer": {
        "expected_version": 13,
        "feedback_point": "strategy_discussion",
        "notified_at": "2026-03-06T10:30:00Z",
        "notified_person": REFERRER,
        "notified_by": "mash-triage-2",
        "method": "telephone",
    },
}

MEETING: dict[str, Body] = {
    "convene_strategy_meeting": {
        "expected_version": 14,
        "meeting_at": "2026-03-12T10:00:00Z",
        "chair": "mash-chair-2",
        "nominated_by": "police-insp-4",
    },
    "conclude_strategy_meeting": {
        "expected_version": 27,
        "outcome": "support_package",
        "actions": SUPPORT_ACTIONS,
        "review_on": "2026-04-16",
        "rationale": "Consensus that support is needed; the parent is engaged.",
    },
    "hold_review": {
        "expected_version": 28,
        "held_on": "2026-04-16",
        "outcome": "amend_plan",
        "next_review_on": "2026-05-21",
        "amended_actions": [
            *SUPPORT_ACTIONS,
            {
                "description": "A place at the youth club on Thursday evenings.",
                "lead_agency": "Norfolk Youth Offending Team",
                "due_on": "2026-04-30",
            },
        ],
        "progress_notes": "Attending mentoring; forum activity has stopped.",
    },
}

MEETINGS: dict[str, Body] = {
    "schedule_meeting": {
        "expected_version": 28,
        "kind": "strategy_meeting",
        "held_at": "2026-03-12T10:00:00Z",
        "place": "County Hall, committee room 3",
        "minute_taker": "minutes-1",
    },
    "record_attendance": {
        "expected_version": 29,
        "meeting_no": 1,
        "attendees": [
            {
                "attendee": "police-insp-4",
                "agency_id": AGENCY_IDS[POLICE],
                "role": "VPD officer",
                "rank": "inspector",
            },
            {"attendee": "cs-sw-12", "agency_id": AGENCY_IDS[CHILDRENS], "role": "Social worker"},
            {"attendee": "school-dsl-1", "agency_id": AGENCY_IDS[SCHOOL], "role": "DSL"},
        ],
        "apology_agency_ids": [AGENCY_IDS[MENTORS]],
        "referrer": "consulted",
    },
    "agree_action": {
        "expected_version": 30,
        "meeting_no": 1,
        "lead_agency_id": AGENCY_IDS[SCHOOL],
        "owner": "school-dsl-1",
        "due_on": "2026-04-30",
        "description": "Weekly mentoring sessions in school with the learning mentor.",
    },
    "draft_minutes": {
        "expected_version": 31,
        "meeting_no": 1,
        "drafted_on": "2026-03-12",
        "text": "Present: police, children's services, school; apologies: mentoring trust. "
        "The chair read the confidentiality statement. Agreed: weekly mentoring (action 1).",
        "statement_recorded": True,
        "agreed_action_nos": [1],
        "amendments": [
            {
                "field": "address",
                "amended": {"lines": ["7 Elm Court", "Norwich"], "postcode": "NR2 4AB"},
            }
        ],
    },
    "approve_minutes": {
        "expected_version": 32,
        "meeting_no": 1,
        "minutes_no": 1,
        "approved_on": "2026-03-12",
    },
    "circulate_minutes": {
        "expected_version": 34,
        "meeting_no": 1,
        "minutes_no": 1,
        "disclosing_agency_id": AGENCY_IDS[MASH],
        "legal_basis_ids": ["uk.public-task-art6-1e", "uk.sch1-para18-safeguarding"],
        "principles": {
            "power_to_share": True,
            "necessary": True,
            "relevant": True,
            "proportionate": True,
            "non_discriminatory": True,
        },
        "justification": {
            "power_to_share": "Section 6: the minutes go to the agencies present.",
            "necessity": "Each agency delivers part of the support package.",
            "relevance": "Only what the meeting discussed and agreed.",
            "proportionality": "The agencies that attended, no others.",
            "non_discrimination": "As for every case at this panel.",
        },
        "public_interest": {
            "grounds": ["protection_of_vulnerable_members_of_the_community"],
            "consent_considered": True,
            "overrides_confidentiality_and_privacy": True,
        },
        "public_interest_reasoning": "Seeking consent to circulate would delay the plan.",
        "particularly_sensitive": True,
        "handling_advice": "Keep with the case file; delete or return when involvement ends.",
    },
    "note_action_progress": {
        "expected_version": 36,
        "action_no": 1,
        "noted_on": "2026-03-26",
        "note": "Two sessions held; attendance good.",
    },
    "complete_action": {"expected_version": 37, "action_no": 1, "done_on": "2026-04-16"},
    "drop_action": {
        "expected_version": 39,
        "action_no": 2,
        "dropped_on": "2026-04-16",
        "reason": "The family moved the activity to a club outside school.",
    },
    "continue_actions": {"expected_version": 41, "meeting_no": 2, "action_nos": [2]},
}

CONCLUSION: dict[str, Body] = {
    "conclude_process": {
        "expected_version": 31,
        "concluded_on": "2026-05-22",
        "note": "Agreed at the review that the VTR process no longer applies.",
    },
    "refer_to_alternative_support": {
        "expected_version": 12,
        "referred_on": "2026-03-06",
        "support_provider": "Norfolk Community Mental Health",
        "rationale": "The concern is led by mental health; no ideological driver was found.",
    },
    "record_post_exit_review": {
        "expected_version": 40,
        "review_point": "six_months",
        "reviewed_on": "2026-11-23",
        "outcome": "no_further_concern",
        "notes": "The school reports settled progress.",
    },
    "raise_dispute": {
        "expected_version": 3,
        "disputed_decision": "screening",
        "grounds": "The referrer has since reported a second, separate incident.",
    },
    "refer_dispute": {
        "expected_version": 4,
        "dispute_no": 1,
        "head_of_safeguarding": "head-safeguarding-1",
        "detective_superintendent": "dsupt-vpd-1",
    },
    "resolve_dispute": {
        "expected_version": 5,
        "dispute_no": 1,
        "outcome": "not_upheld",
        "resolution": "The second incident was a noise complaint; the screening decision stands.",
    },
    "disclose_dispute_pack": {
        "expected_version": 6,
        "requester_agency_id": AGENCY_IDS[POLICE],
        "purpose": "Section 7 dispute 1: the D/Superintendent reviews the screening decision",
        "legal_basis_ids": ["uk.public-task-art6-1e"],
        "handling_advice": "OFFICIAL-SENSITIVE. For the dispute only; destroy when it closes.",
    },
}

SHARING: dict[str, Body] = {
    "decide_consent_approach": {
        "expected_version": 8,
        "stage": "preliminary_assessment",
        "seek": False,
        "reasons_not_sought": ["would_inhibit_support_or_risk_management"],
        "notes": "Seeking consent now could alert the online group the child is in contact with.",
    },
    "seek_consent": {
        "expected_version": 21,
        "seeker_agency_id": AGENCY_IDS[CHILDRENS],
        "sought_on": "2026-03-12",
    },
    "record_consent_given": {
        "expected_version": 22,
        "given_by": "parent_or_carer",
        "freely_given": True,
        "informed_of_who_and_why": True,
        "told_can_withdraw": True,
        "given_on": "2026-03-12",
        "notes": "The mother consented by telephone before the meeting.",
    },
    "record_consent_refused": {
        "expected_version": 6,
        "refused_on": "2026-03-05",
        "notes": "Declined at the first conversation; no reason given.",
    },
    "record_consent_withdrawn": {
        "expected_version": 29,
        "withdrawn_on": "2026-05-01",
        "notes": "The mother withdrew consent by letter; nothing more is shared on consent.",
    },
    "invite_agency": {"expected_version": 18, "agency_id": AGENCY_IDS[MENTORS]},
    "read_confidentiality_statement": {
        "expected_version": 19,
        "statement_version": "appendix-c/2018",
    },
    "disclose": {
        "expected_version": 9,
        "context": "strategy_discussion",
        "disclosing_agency_id": AGENCY_IDS[POLICE],
        "recipient_agency_ids": [AGENCY_IDS[CHILDRENS]],
        "information_category": "police_intelligence",
        "content": "An account linked to the child is on a forum under investigation; "
        "no arrests have been made.",
        "legal_basis_ids": ["uk.part3-s35-law-enforcement", "uk.part3-sch8-safeguarding"],
        "principles": {
            "power_to_share": True,
            "necessary": True,
            "relevant": True,
            "proportionate": True,
            "non_discriminatory": True,
        },
        "justification": {
            "power_to_share": "DPA 2018 Part 3: law enforcement processing, safeguarding.",
            "necessity": "The discussion cannot assess the risk without it.",
            "relevance": "It bears directly on the nature of the risk.",
            "proportionality": "Only the link and its status; no source detail.",
            "non_discrimination": "Shared because of behaviour, not belief or background.",
        },
        "need_to_know": [
            {
                "agency_id": AGENCY_IDS[CHILDRENS],
                "needs_to_know": True,
                "rationale": "Co-decides the risk assessment and leads the family support.",
            }
        ],
        "public_interest": {
            "grounds": ["protection_of_vulnerable_members_of_the_community"],
            "consent_considered": True,
            "overrides_confidentiality_and_privacy": True,
        },
        "public_interest_reasoning": "A child at risk; seeking consent would alert the group.",
        "particularly_sensitive": True,
        "handling_advice": "Restricted case file only.\nDo not copy or forward.",
    },
    "withhold": {
        "expected_version": 24,
        "withholding_agency_id": AGENCY_IDS[POLICE],
        "requesting_agency_id": AGENCY_IDS[SCHOOL],
        "information_category": "police_intelligence",
        "reason": "would_prejudice_an_investigation",
        "explanation": "The forum investigation is live.",
    },
    "sanction_onward_disclosure": {
        "expected_version": 25,
        "disclosure_no": 2,
        "to_bodies": ["Hope Mentoring Trust clinical supervisor"],
        "official_purpose": "Supervision of the mentor's work with the child.",
    },
    "decide_subject_discussion": {
        "expected_version": 26,
        "disclosure_no": 2,
        "decision": "approved",
    },
}

SECTION_8: dict[str, Body] = {
    "end_agency_involvement": {
        "expected_version": 36,
        "agency_id": AGENCY_IDS[CHILDRENS],
        "ended_on": "2026-05-26",
        "reason": "process_concluded",
        "note": "Family support closed at the final review.",
    },
    "confirm_disposal": {
        "expected_version": 39,
        "obligation_no": 1,
        "method": "deleted",
        "disposed_on": "2026-06-02",
        "complete": True,
        "note": "Deleted from the case management system and the secure mailbox.",
    },
    "place_legal_hold": {
        "expected_version": 41,
        "ground": "subject_access_request",
        "reason": "A subject access request was received; the records stay as they are.",
    },
    "lift_legal_hold": {
        "expected_version": 42,
        "reason": "The subject access request was answered.",
    },
    "review_retention": {
        "expected_version": 43,
        "reviewed_on": "2032-05-24",
        "decision": "retain",
        "next_review_on": "2033-05-24",
        "reason": "A related referral is still open.",
    },
    "request_erasure": {
        "expected_version": 44,
        "referral_id": REFERRAL_ID,
        "key_groups": ["subject", "third_party", "referrer"],
        "ground": "retention_schedule_period_ended",
        "reason": "The retention period ended and no related matter is open.",
    },
    "approve_erasure": {"expected_version": 45, "referral_id": REFERRAL_ID, "request_no": 1},
    "execute_erasure": {"expected_version": 46, "referral_id": REFERRAL_ID, "request_no": 1},
}

AGENCIES: dict[str, Body] = {
    "register_agency": {"name": MENTORS, "agency_type": "non_governmental_organisation"},
    "sign_isp": {
        "expected_version": 1,
        "isp_version": "NCCSP ISP v4",
        "effective_from": "2026-03-09",
        "effective_until": "2029-03-08",
        "signatory_position": "Chief Executive",
    },
    "lapse_isp": {
        "expected_version": 2,
        "lapsed_on": "2026-09-30",
        "reason": "The signature was withdrawn on a change of chief executive.",
    },
}

WITNESSES: dict[str, Body] = {
    "register_witness": {
        "agency": POLICE,
        "key": "witness.norfolk-constabulary+b0d8e00f+BAOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4",
    },
}

EXAMPLES: Mapping[str, Body] = MappingProxyType(
    {
        **INTAKE,
        **STRATEGY_DISCUSSION,
        **MEETING,
        **MEETINGS,
        **CONCLUSION,
        **SHARING,
        **SECTION_8,
        **AGENCIES,
        **WITNESSES,
    }
)

HEADER = """# Commands, with an example body each

Generated by `python -m api command-examples` from `api/command_examples.py`, the routes and
the permission matrix; `make docs` rewrites this file and a test fails when it is out of date.
The same examples appear in the OpenAPI description (`/docs`).

The examples tell one invented case (a school's referral of a child) from intake to erasure,
with two other invented cases for the branches (screened out and disputed; alternative
support after consent was refused). Every person in them is invented. Ids are placeholders:
take a referral's id from the answer to `POST /referrals`, an agency's from `GET /agencies`.
`expected_version` is the version of the referral (or agency) the change was decided on, as
the last answer, the case or the agency gave it; a stale one is refused (`409 stale-version`).

Send each body as `application/json` (UTF-8) with `Authorization: Bearer <token>`, and an
`Idempotency-Key` header to make a retry safe. Roles are those that may send the command
(`docs/permissions.md`); the process rules still apply once a role is let through.
"""


def render_command_examples(routes: Iterable[APIRoute]) -> str:
    """Markdown: each command route with its roles, its command's docstring and its example,
    grouped by the route's tag in the order the API lists them."""
    sections: dict[str, list[str]] = {}
    for route in routes:
        if route.body_field is None and _plain_text_example(route) is None:
            continue
        tag = str(route.tags[0]) if route.tags else "Other"
        sections.setdefault(tag, []).append(_command(route))
    parts = [HEADER, _placeholders()]
    for tag, commands in sections.items():
        parts.append(f"## {tag}\n")
        parts.extend(commands)
    return "\n".join(parts)


def _placeholders() -> str:
    named = [(REFERRAL_ID, "the case (the erasure commands name it in their body)")]
    named += [(placeholder, agency) for agency, placeholder in AGENCY_IDS.items()]
    rows = "".join(f"- `{placeholder}`: {what}\n" for placeholder, what in named)
    return f"The placeholder ids stand for:\n\n{rows}"


def _command(route: APIRoute) -> str:
    methods = ", ".join(sorted(route.methods or ()))
    permission = MATRIX.get(route.name)
    roles = ", ".join(f"`{role.value}`" for role in sorted(permission.roles)) if permission else ""
    example = EXAMPLES.get(route.name)
    body = json.dumps(example, indent=2, ensure_ascii=False) if example is not None else "none"
    fence = "json"
    if (plain := _plain_text_example(route)) is not None:
        body, fence = plain.rstrip("\n"), "text"
    return (
        f"### `{route.name}`\n\n"
        f"{methods} `{route.path}`\n\n"
        f"Roles: {roles or 'none'}\n\n"
        f"{_purpose(route)}\n\n"
        f"```{fence}\n{body}\n```\n"
    )


def _plain_text_example(route: APIRoute) -> str | None:
    """The example of a command sent as text/plain (a witness's cosignature line)."""
    content = (route.openapi_extra or {}).get("requestBody", {}).get("content", {})
    example = content.get("text/plain", {}).get("example")
    return example if isinstance(example, str) else None


def _purpose(route: APIRoute) -> str:
    """The command's own docstring (not a base class's); else the route's description."""
    command = route.body_field.field_info.annotation if route.body_field else None
    own = command.__dict__.get("__doc__") if isinstance(command, type) else None
    return inspect.cleandoc(own or route.description or route.summary or route.name)
