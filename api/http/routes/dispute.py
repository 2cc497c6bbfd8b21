"""Disputes about a decision (section 7), and the dispute pack that lets someone outside check
the case as it stood."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response

from api.access.gate import GatedRoute
from api.dispute_pack import produce_dispute_pack
from api.http.command_routes import CommandRoute, add_command_routes
from api.http.deps import IssuedDep, LedgerDep, RuntimeDep
from commands.application import ReferralLedger
from commands.dispute import DiscloseDisputePack, RaiseDispute, ReferDispute, ResolveDispute
from projections.case_view import reference

router = APIRouter(tags=["Conclusion and disputes"], route_class=GatedRoute)
add_command_routes(
    router,
    (
        CommandRoute("disputes", RaiseDispute, ReferralLedger.raise_dispute),
        CommandRoute("disputes/referral", ReferDispute, ReferralLedger.refer_dispute),
        CommandRoute("disputes/resolution", ResolveDispute, ReferralLedger.resolve_dispute),
    ),
)
ZIP = "application/zip"


@router.post(
    "/referrals/{referral_id}/dispute-packs",
    response_class=Response,
    responses={200: {"content": {ZIP: {}}, "description": "The dispute pack (a ZIP)."}},
)
def disclose_dispute_pack(
    referral_id: UUID,
    command: DiscloseDisputePack,
    ledger: LedgerDep,
    runtime: RuntimeDep,
    issued: IssuedDep,
) -> Response:
    """Disclose the case as a dispute pack to a named requester (recorded as a disclosure, so
    it shows in the registers) and answer with the pack: a ZIP with a signed manifest, the
    case's events as stored and as revealed for the purpose, the legal bases' texts, refused
    attempts, the access log, section 8, the checkpoint and proofs, and a README. Check it
    offline with `python -m api verify-pack`. Needs an `Access-Purpose` header."""
    outcome = ledger.disclose_dispute_pack(referral_id, command, issued)
    pack = produce_dispute_pack(runtime, referral_id, outcome.version)
    name = f"dispute-pack-{reference(referral_id)}-{outcome.version}.zip"
    headers = {
        "Content-Disposition": f'attachment; filename="{name}"',
        "Cache-Control": "no-store",
        "Location": f"/referrals/{referral_id}/history",
    }
    if outcome.replayed:
        headers["Idempotent-Replayed"] = "true"
    return Response(pack, media_type=ZIP, headers=headers)
