"""The permission matrix: for every route, which roles may call it and how far they see.

This table is the only place that says who may do what; `api.access.gate` enforces it before any
route runs, and `docs/permissions.md` is generated from it. A route missing from the table is
refused to everyone. The process rules (who signs which Section 2 box, which agency may
disclose) still apply inside the aggregate once a role is let through.

Scopes:
- `case`: the route names a referral. Case staff see every case; an agency practitioner only
  cases its agency is involved in (invited, disclosing or receiving), and within them only
  what its agency disclosed or received; a referrer only referrals they made themselves; a
  compliance officer every case's envelope, and sealed content only with a stated purpose.
- `agency`: the route names an agency (in its path, or as the `agency_id` filter of a route
  with no agency in its path); an agency's own staff see only their own agency.
- `any`: no case or agency in the path.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from events.vocabulary import Role


class Scope(StrEnum):
    ANY = "any"
    CASE = "case"
    AGENCY = "agency"


class Consulted(StrEnum):
    """What a read consults, for the access log (DPA 2018 s.62 consultation)."""

    CASE_LIST = "case list"
    CASE = "case"
    HISTORY = "history"
    SHARING_RECORD = "sharing record"
    REFERRER_FEEDBACK = "referrer feedback"
    REGISTER = "disclosure register"
    RECORDS_OF_PROCESSING = "records of processing"
    OBLIGATIONS = "disposal obligations"
    RETENTION = "retention records"
    ACCESS_LOG = "access log"
    DISPUTE_PACK = "dispute pack"
    DEADLINES = "process deadlines"


@dataclass(frozen=True)
class Permission:
    roles: frozenset[Role]
    scope: Scope = Scope.ANY
    consults: Consulted | None = None  # reads of case data are logged as consultations
    public: bool = False  # health checks only
    reveals: bool = False  # every answer opens sealed content (a dispute pack)


MASH_LEADS = frozenset({Role.POLICE, Role.CHILDRENS_SERVICES, Role.ADULT_SOCIAL_SERVICES})
MASH = MASH_LEADS | {Role.MASH_TRIAGE, Role.MASH_OPERATIONAL_DESK}
PANEL = frozenset({Role.MEETING_CHAIR, Role.MINUTE_TAKER})
OVERSIGHT = frozenset({Role.HEAD_OF_SAFEGUARDING, Role.DETECTIVE_SUPERINTENDENT})
CASE_STAFF = MASH | PANEL | OVERSIGHT  # see every case in full
CHAIRS = MASH_LEADS | {Role.MEETING_CHAIR}  # chair the strategy discussion, meetings, reviews
AGENCY_STAFF = MASH_LEADS | {Role.PARTNER_AGENCY}  # act for an agency when sharing
STAFF = CASE_STAFF | {Role.PARTNER_AGENCY, Role.COMPLIANCE_OFFICER, Role.ADMINISTRATOR}
AUDITORS = frozenset({Role.COMPLIANCE_OFFICER, Role.ADMINISTRATOR})
# Checkpoints and proofs hold hashes and sizes only, never case data.
TREE_READERS = AUDITORS | {Role.WITNESS}
CASE_READERS = CASE_STAFF | {Role.PARTNER_AGENCY, Role.COMPLIANCE_OFFICER}
COMPLIANCE = frozenset({Role.COMPLIANCE_OFFICER})
BREAK_GLASS_ROLES = frozenset({Role.PARTNER_AGENCY})  # may open a case beyond their agency, logged

# Roles whose case access is limited to some cases (everyone else in CASE_READERS sees all).
AGENCY_SCOPED = frozenset({Role.PARTNER_AGENCY})
ENVELOPE_ONLY = COMPLIANCE  # sealed content only with a stated purpose


def _case(roles: frozenset[Role], consults: Consulted | None = None) -> Permission:
    return Permission(roles, Scope.CASE, consults)


def _steps(roles: frozenset[Role], *names: str) -> dict[str, Permission]:
    return {name: _case(roles) for name in names}


MATRIX: dict[str, Permission] = {
    # Health
    "healthz": Permission(frozenset(), public=True),
    "readyz": Permission(frozenset(), public=True),
    # Intake and triage
    "receive_referral": Permission(frozenset({Role.MASH_TRIAGE, Role.REFERRER})),
    **_steps(
        frozenset({Role.MASH_TRIAGE}),
        "record_security_checks",
        "request_further_information",
        "screen_in",
        "screen_out",
    ),
    "return_further_information": _case(frozenset({Role.MASH_OPERATIONAL_DESK, Role.MASH_TRIAGE})),
    # Strategy discussion and Section 2
    **_steps(
        MASH_LEADS,
        "schedule_strategy_discussion",
        "consult_referrer",
        "record_risk_assessment",
        "conclude_strategy_discussion",
        "sign_mash_decision",
    ),
    "notify_referrer": _case(MASH_LEADS | {Role.MASH_TRIAGE}),
    # Strategy meeting, reviews, exit
    **_steps(
        frozenset({Role.MEETING_CHAIR}),
        "convene_strategy_meeting",
        "conclude_strategy_meeting",
        "hold_review",
        "conclude_process",
        "record_post_exit_review",
        "invite_agency",
        "read_confidentiality_statement",
        "sanction_onward_disclosure",
    ),
    "refer_to_alternative_support": _case(MASH_LEADS | {Role.MASH_TRIAGE, Role.MEETING_CHAIR}),
    # Meetings, minutes and the action plan (section 6); the chair and the minute-taker
    # named on the meeting are checked by the process itself.
    **_steps(CHAIRS, "schedule_meeting", "approve_minutes", "circulate_minutes", "agree_action"),
    "record_attendance": _case(CHAIRS | {Role.MINUTE_TAKER}),
    "draft_minutes": _case(frozenset({Role.MINUTE_TAKER})),
    **_steps(CHAIRS | AGENCY_STAFF, "note_action_progress", "complete_action", "drop_action"),
    "continue_actions": _case(CHAIRS),
    # Disputes
    "raise_dispute": _case(CASE_STAFF | {Role.PARTNER_AGENCY}),
    "refer_dispute": _case(MASH),
    "resolve_dispute": _case(OVERSIGHT),
    # A disclosure of the whole case, opened, to a named requester: read and recorded.
    "disclose_dispute_pack": Permission(
        COMPLIANCE, Scope.CASE, Consulted.DISPUTE_PACK, reveals=True
    ),
    # Consent and sharing
    "decide_consent_approach": _case(MASH_LEADS | {Role.MEETING_CHAIR}),
    **_steps(
        AGENCY_STAFF | {Role.MEETING_CHAIR},
        "seek_consent",
        "record_consent_given",
        "record_consent_refused",
        "record_consent_withdrawn",
    ),
    **_steps(AGENCY_STAFF, "disclose", "withhold", "decide_subject_discussion"),
    # Section 8
    "end_agency_involvement": _case(AGENCY_STAFF | {Role.MASH_TRIAGE, Role.MEETING_CHAIR}),
    "confirm_disposal": _case(AGENCY_STAFF),
    **_steps(COMPLIANCE | OVERSIGHT | {Role.POLICE}, "place_legal_hold", "lift_legal_hold"),
    "review_retention": _case(COMPLIANCE),
    "request_erasure": Permission(COMPLIANCE),
    "approve_erasure": Permission(COMPLIANCE),
    "execute_erasure": Permission(COMPLIANCE),
    # Reading cases
    "list_cases": Permission(CASE_READERS, consults=Consulted.CASE_LIST),
    "get_case": _case(CASE_READERS, Consulted.CASE),
    "get_history": _case(CASE_READERS, Consulted.HISTORY),
    "changes": _case(CASE_READERS, Consulted.HISTORY),
    "knowledge_of_the_case": _case(CASE_READERS, Consulted.SHARING_RECORD),
    "sharing_record": _case(CASE_READERS, Consulted.SHARING_RECORD),
    "referrer_feedback": _case(CASE_STAFF | {Role.REFERRER}, Consulted.REFERRER_FEEDBACK),
    # Agencies and catalogues
    "list_agencies": Permission(STAFF),
    "get_agency": Permission(STAFF, Scope.ANY),
    "register_agency": Permission(frozenset({Role.ADMINISTRATOR, Role.MASH_TRIAGE})),
    "sign_isp": Permission(frozenset({Role.ADMINISTRATOR, Role.MASH_TRIAGE})),
    "lapse_isp": Permission(frozenset({Role.ADMINISTRATOR, Role.MASH_TRIAGE})),
    "legal_bases": Permission(STAFF),
    "information_categories": Permission(STAFF),
    "confidentiality_statements": Permission(STAFF),
    # Registers and compliance
    "disclosure_register": Permission(
        COMPLIANCE | {Role.HEAD_OF_SAFEGUARDING, Role.MASH_TRIAGE} | AGENCY_STAFF,
        Scope.AGENCY,
        Consulted.REGISTER,
    ),
    "records_of_processing": Permission(
        COMPLIANCE | {Role.HEAD_OF_SAFEGUARDING}, consults=Consulted.RECORDS_OF_PROCESSING
    ),
    "disposal_obligations": Permission(
        COMPLIANCE | {Role.HEAD_OF_SAFEGUARDING, Role.MASH_TRIAGE}, consults=Consulted.OBLIGATIONS
    ),
    "disposal_reminders": Permission(
        COMPLIANCE | {Role.HEAD_OF_SAFEGUARDING, Role.MASH_TRIAGE} | AGENCY_STAFF,
        Scope.AGENCY,
        Consulted.OBLIGATIONS,
    ),
    "holdings": Permission(
        COMPLIANCE | {Role.HEAD_OF_SAFEGUARDING, Role.MASH_TRIAGE} | AGENCY_STAFF,
        Scope.AGENCY,
        Consulted.REGISTER,
    ),
    "retention_due": Permission(COMPLIANCE, consults=Consulted.RETENTION),
    # The process clock: an agency's staff see their own agency's worklist (named in the query).
    "worklist": Permission(CASE_READERS, Scope.AGENCY, Consulted.DEADLINES),
    "timeliness": Permission(
        COMPLIANCE | OVERSIGHT | {Role.MASH_TRIAGE}, consults=Consulted.DEADLINES
    ),
    "access_log": Permission(COMPLIANCE, consults=Consulted.ACCESS_LOG),
    "s62_logs": Permission(COMPLIANCE, consults=Consulted.ACCESS_LOG),
    # Proving the record
    "latest_checkpoint": Permission(TREE_READERS),
    "checkpoints": Permission(TREE_READERS),
    "add_cosignature": Permission(frozenset({Role.WITNESS})),
    "inclusion_proof": Permission(TREE_READERS),
    "consistency_proof": Permission(TREE_READERS),
    "register_witness": Permission(frozenset({Role.ADMINISTRATOR})),
    "witnesses": Permission(AUDITORS),
    "verify_integrity": Permission(AUDITORS),  # each run is recorded with who ran it
    "integrity_runs": Permission(AUDITORS),
}

# Agency-scoped routes where these roles see every agency, not only their own.
ALL_AGENCIES = COMPLIANCE | {Role.HEAD_OF_SAFEGUARDING, Role.MASH_TRIAGE}
