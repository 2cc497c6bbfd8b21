"""Reviews of support after the strategy meeting (section 5)."""

from __future__ import annotations

from fastapi import APIRouter

from api.access.gate import GatedRoute
from api.http.command_routes import CommandRoute, add_command_routes
from commands.application import ReferralLedger
from commands.review import HoldReview

router = APIRouter(tags=["Strategy meeting and reviews"], route_class=GatedRoute)
add_command_routes(
    router,
    (CommandRoute("reviews", HoldReview, ReferralLedger.hold_review),),
)
