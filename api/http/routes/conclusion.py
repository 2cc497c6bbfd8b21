"""The conclusion of the process, alternative support, post-exit reviews (section 7, Appendix D)."""

from __future__ import annotations

from fastapi import APIRouter

from api.access.gate import GatedRoute
from api.http.command_routes import CommandRoute, add_command_routes
from commands.application import ReferralLedger
from commands.conclusion import ConcludeProcess, RecordPostExitReview, ReferToAlternativeSupport

router = APIRouter(tags=["Conclusion and disputes"], route_class=GatedRoute)
add_command_routes(
    router,
    (
        CommandRoute("conclusion", ConcludeProcess, ReferralLedger.conclude_process),
        CommandRoute(
            "alternative-support-referral",
            ReferToAlternativeSupport,
            ReferralLedger.refer_to_alternative_support,
        ),
        CommandRoute(
            "post-exit-reviews", RecordPostExitReview, ReferralLedger.record_post_exit_review
        ),
    ),
)
