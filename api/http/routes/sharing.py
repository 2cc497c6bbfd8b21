"""Sharing information: invitations, the confidentiality statement, disclosures (section 3,
Appendices B and C), and the sharing record of a case."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from api.access.case_scope import agency_events
from api.access.gate import GatedRoute
from api.http.command_routes import CommandRoute, add_command_routes
from api.http.deps import GrantDep, LedgerDep, RuntimeDep
from api.http.schemas import HistoryEntry
from api.http.sharing_schemas import SharingRecord
from api.http.views import catching_up, caught_up
from commands.application import ReferralLedger
from commands.sharing import (
    DecideSubjectDiscussion,
    DiscloseInformation,
    InviteAgency,
    ReadConfidentialityStatement,
    SanctionOnwardDisclosure,
    WithholdDisclosure,
)
from events.registry import SHARING_EVENTS
from projections.disclosure_register import DisclosureRegister
from projections.register_rows import RefusalRow

router = APIRouter(tags=["Information sharing"], route_class=GatedRoute)
add_command_routes(
    router,
    (
        CommandRoute("strategy-meeting/invitations", InviteAgency, ReferralLedger.invite_agency),
        CommandRoute(
            "strategy-meeting/confidentiality-statement",
            ReadConfidentialityStatement,
            ReferralLedger.read_confidentiality_statement,
        ),
        CommandRoute("disclosures", DiscloseInformation, ReferralLedger.disclose),
        CommandRoute("disclosures/withheld", WithholdDisclosure, ReferralLedger.withhold),
        CommandRoute(
            "disclosures/onward-sanctions",
            SanctionOnwardDisclosure,
            ReferralLedger.sanction_onward_disclosure,
        ),
        CommandRoute(
            "disclosures/subject-discussion",
            DecideSubjectDiscussion,
            ReferralLedger.decide_subject_discussion,
        ),
    ),
)


SHARING_TOPICS = frozenset(event.TOPIC for event in SHARING_EVENTS)


@router.get("/referrals/{referral_id}/sharing", response_model=SharingRecord)
def sharing_record(
    referral_id: UUID,
    runtime: RuntimeDep,
    ledger: LedgerDep,
    grant: GrantDep,
    reveal: Annotated[bool, Query(description="Open the content and the reasoning.")] = False,
    after_position: Annotated[int | None, Query(ge=1)] = None,
) -> SharingRecord | JSONResponse:
    """Who shared what and why on this case: consent, invitations, the statement read, every
    disclosure with its full justification, withholdings, sanctions and refused attempts (an
    agency practitioner sees those of their own agency)."""
    if after_position is not None and not caught_up(
        runtime, DisclosureRegister.name, after_position
    ):
        return catching_up("register", after_position)
    history = ledger.history(referral_id, reveal=reveal)
    rows = runtime.projections.register.refusals(referral_id)
    if grant.agency_scoped:
        agency_id = grant.principal.agency_id
        history = agency_events(history, agency_id)
        rows = [row for row in rows if row.attempted_by_agency_id == agency_id]
    events = [
        HistoryEntry.of(position, event)
        for position, event in history
        if event.TOPIC in SHARING_TOPICS
    ]
    refusals = [_refusal_entry(row) for row in rows]
    entries = sorted([*events, *refusals], key=lambda entry: entry.position)
    return SharingRecord(referral_id=referral_id, revealed=reveal, entries=entries)


def _refusal_entry(row: RefusalRow) -> HistoryEntry:
    return HistoryEntry(
        position=row.position,
        version=1,
        event="SharingRefused",
        topic="vtr.refusal.SharingRefused",
        class_version=1,
        occurred_at=row.recorded_at,
        actor_id=row.attempted_by,
        actor_role=row.attempted_by_role,
        actor_agency=row.attempted_by_agency,
        command_id=row.command_id,
        data=row.model_dump(
            mode="json",
            include={
                "refusal_id",
                "attempted",
                "disclosing_agency",
                "recipients",
                "information_category",
                "rule",
                "rule_text",
            },
        ),
    )
