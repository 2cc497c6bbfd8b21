"""Consent to sharing (section 3, Appendix B)."""

from __future__ import annotations

from fastapi import APIRouter

from api.access.gate import GatedRoute
from api.http.command_routes import CommandRoute, add_command_routes
from commands.application import ReferralLedger
from commands.consent import (
    DecideConsentApproach,
    RecordConsentGiven,
    RecordConsentRefused,
    RecordConsentWithdrawn,
    SeekConsent,
)

router = APIRouter(tags=["Information sharing"], route_class=GatedRoute)
add_command_routes(
    router,
    (
        CommandRoute(
            "consent/approach", DecideConsentApproach, ReferralLedger.decide_consent_approach
        ),
        CommandRoute("consent/sought", SeekConsent, ReferralLedger.seek_consent),
        CommandRoute("consent/given", RecordConsentGiven, ReferralLedger.record_consent_given),
        CommandRoute(
            "consent/refused", RecordConsentRefused, ReferralLedger.record_consent_refused
        ),
        CommandRoute(
            "consent/withdrawn", RecordConsentWithdrawn, ReferralLedger.record_consent_withdrawn
        ),
    ),
)
