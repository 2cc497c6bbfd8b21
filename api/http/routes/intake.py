"""Intake and MASH triage: the referral received, security checks, further information,
screening (section 5)."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from api.access.gate import GatedRoute
from api.http.command_routes import CommandRoute, accepted, add_command_routes
from api.http.deps import IssuedDep, LedgerDep
from api.http.schemas import CommandAccepted
from commands.application import ReferralLedger
from commands.intake import (
    ReceiveReferral,
    RecordSecurityChecks,
    RequestFurtherInformation,
    ReturnFurtherInformation,
    ScreenInReferral,
    ScreenOutReferral,
)

router = APIRouter(tags=["MASH triage"], route_class=GatedRoute)
add_command_routes(
    router,
    (
        CommandRoute(
            "security-checks", RecordSecurityChecks, ReferralLedger.record_security_checks
        ),
        CommandRoute(
            "further-information-requests",
            RequestFurtherInformation,
            ReferralLedger.request_further_information,
        ),
        CommandRoute(
            "further-information-returns",
            ReturnFurtherInformation,
            ReferralLedger.return_further_information,
        ),
        CommandRoute("screen-out", ScreenOutReferral, ReferralLedger.screen_out),
        CommandRoute("screen-in", ScreenInReferral, ReferralLedger.screen_in),
    ),
)


@router.post(
    "/referrals",
    status_code=status.HTTP_201_CREATED,
    response_model=CommandAccepted,
)
def receive_referral(
    command: ReceiveReferral, ledger: LedgerDep, issued: IssuedDep, response: Response
) -> CommandAccepted:
    """Record a completed referral form (Appendix A) as received by the MASH."""
    outcome = ledger.receive_referral(command, issued)
    response.headers["Location"] = f"/referrals/{outcome.aggregate_id}"
    return accepted(outcome, response)
