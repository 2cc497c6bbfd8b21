"""The multi-agency strategy meeting and its support package (section 5)."""

from __future__ import annotations

from fastapi import APIRouter

from api.access.gate import GatedRoute
from api.http.command_routes import CommandRoute, add_command_routes
from commands.application import ReferralLedger
from commands.strategy_meeting import ConcludeStrategyMeeting, ConveneStrategyMeeting

router = APIRouter(tags=["Strategy meeting and reviews"], route_class=GatedRoute)
add_command_routes(
    router,
    (
        CommandRoute(
            "strategy-meeting/convene",
            ConveneStrategyMeeting,
            ReferralLedger.convene_strategy_meeting,
        ),
        CommandRoute(
            "strategy-meeting/outcome",
            ConcludeStrategyMeeting,
            ReferralLedger.conclude_strategy_meeting,
        ),
    ),
)
