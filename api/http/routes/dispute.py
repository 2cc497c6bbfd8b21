"""Disputes about a decision (section 7)."""

from __future__ import annotations

from fastapi import APIRouter

from api.access.gate import GatedRoute
from api.http.command_routes import CommandRoute, add_command_routes
from commands.application import ReferralLedger
from commands.dispute import RaiseDispute, ReferDispute, ResolveDispute

router = APIRouter(tags=["Conclusion and disputes"], route_class=GatedRoute)
add_command_routes(
    router,
    (
        CommandRoute("disputes", RaiseDispute, ReferralLedger.raise_dispute),
        CommandRoute("disputes/referral", ReferDispute, ReferralLedger.refer_dispute),
        CommandRoute("disputes/resolution", ResolveDispute, ReferralLedger.resolve_dispute),
    ),
)
