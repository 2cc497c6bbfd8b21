"""The strategy discussion and the Section 2 MASH decision, and feedback to the referrer
(section 5)."""

from __future__ import annotations

from fastapi import APIRouter

from api.access.gate import GatedRoute
from api.http.command_routes import CommandRoute, add_command_routes
from commands.application import ReferralLedger
from commands.strategy_discussion import (
    ConcludeStrategyDiscussion,
    ConsultReferrer,
    NotifyReferrer,
    RecordRiskAssessment,
    ScheduleStrategyDiscussion,
    SignMashDecision,
)

router = APIRouter(tags=["Strategy discussion and Section 2"], route_class=GatedRoute)
add_command_routes(
    router,
    (
        CommandRoute(
            "strategy-discussion/schedule",
            ScheduleStrategyDiscussion,
            ReferralLedger.schedule_strategy_discussion,
        ),
        CommandRoute(
            "strategy-discussion/referrer-consultations",
            ConsultReferrer,
            ReferralLedger.consult_referrer,
        ),
        CommandRoute(
            "strategy-discussion/risk-assessments",
            RecordRiskAssessment,
            ReferralLedger.record_risk_assessment,
        ),
        CommandRoute(
            "strategy-discussion/decision",
            ConcludeStrategyDiscussion,
            ReferralLedger.conclude_strategy_discussion,
        ),
        CommandRoute(
            "mash-decision/signatures", SignMashDecision, ReferralLedger.sign_mash_decision
        ),
        CommandRoute("referrer-notifications", NotifyReferrer, ReferralLedger.notify_referrer),
    ),
)
