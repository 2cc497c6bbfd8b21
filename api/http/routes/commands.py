"""One POST route per command. Each is thin: the body is the command, the ledger decides."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Response, status

from api.access.gate import GatedRoute
from api.http.deps import IssuedDep, LedgerDep
from api.http.schemas import CommandAccepted
from commands import conclusion as c
from commands import intake as i
from commands import section8 as s8
from commands import sharing as sh
from commands import strategy as s
from commands.application import ReferralLedger
from commands.base import ChangeReferral
from commands.context import Issued, Outcome

Handler = Callable[[ReferralLedger, UUID, Any, Issued], Outcome]


@dataclass(frozen=True)
class CommandRoute:
    path: str
    command: type[ChangeReferral]
    handle: Handler
    tag: str


TRIAGE, DISCUSSION, MEETING, CONCLUSION, SHARING, SECTION_8 = (
    "MASH triage",
    "Strategy discussion and Section 2",
    "Strategy meeting and reviews",
    "Conclusion and disputes",
    "Information sharing",
    "Deletion, legal holds and retention",
)
L = ReferralLedger
COMMAND_ROUTES = (
    CommandRoute("security-checks", i.RecordSecurityChecks, L.record_security_checks, TRIAGE),
    CommandRoute(
        "further-information-requests",
        i.RequestFurtherInformation,
        L.request_further_information,
        TRIAGE,
    ),
    CommandRoute(
        "further-information-returns",
        i.ReturnFurtherInformation,
        L.return_further_information,
        TRIAGE,
    ),
    CommandRoute("screen-out", i.ScreenOutReferral, L.screen_out, TRIAGE),
    CommandRoute("screen-in", i.ScreenInReferral, L.screen_in, TRIAGE),
    CommandRoute(
        "strategy-discussion/schedule",
        s.ScheduleStrategyDiscussion,
        L.schedule_strategy_discussion,
        DISCUSSION,
    ),
    CommandRoute(
        "strategy-discussion/referrer-consultations",
        s.ConsultReferrer,
        L.consult_referrer,
        DISCUSSION,
    ),
    CommandRoute(
        "strategy-discussion/risk-assessments",
        s.RecordRiskAssessment,
        L.record_risk_assessment,
        DISCUSSION,
    ),
    CommandRoute(
        "strategy-discussion/decision",
        s.ConcludeStrategyDiscussion,
        L.conclude_strategy_discussion,
        DISCUSSION,
    ),
    CommandRoute("mash-decision/signatures", s.SignMashDecision, L.sign_mash_decision, DISCUSSION),
    CommandRoute("referrer-notifications", s.NotifyReferrer, L.notify_referrer, DISCUSSION),
    CommandRoute(
        "strategy-meeting/convene", s.ConveneStrategyMeeting, L.convene_strategy_meeting, MEETING
    ),
    CommandRoute(
        "strategy-meeting/outcome", s.ConcludeStrategyMeeting, L.conclude_strategy_meeting, MEETING
    ),
    CommandRoute("reviews", s.HoldReview, L.hold_review, MEETING),
    CommandRoute("conclusion", c.ConcludeProcess, L.conclude_process, CONCLUSION),
    CommandRoute(
        "alternative-support-referral",
        c.ReferToAlternativeSupport,
        L.refer_to_alternative_support,
        CONCLUSION,
    ),
    CommandRoute(
        "post-exit-reviews", c.RecordPostExitReview, L.record_post_exit_review, CONCLUSION
    ),
    CommandRoute("disputes", c.RaiseDispute, L.raise_dispute, CONCLUSION),
    CommandRoute("disputes/referral", c.ReferDispute, L.refer_dispute, CONCLUSION),
    CommandRoute("disputes/resolution", c.ResolveDispute, L.resolve_dispute, CONCLUSION),
    CommandRoute("consent/approach", sh.DecideConsentApproach, L.decide_consent_approach, SHARING),
    CommandRoute("consent/sought", sh.SeekConsent, L.seek_consent, SHARING),
    CommandRoute("consent/given", sh.RecordConsentGiven, L.record_consent_given, SHARING),
    CommandRoute("consent/refused", sh.RecordConsentRefused, L.record_consent_refused, SHARING),
    CommandRoute(
        "consent/withdrawn", sh.RecordConsentWithdrawn, L.record_consent_withdrawn, SHARING
    ),
    CommandRoute("strategy-meeting/invitations", sh.InviteAgency, L.invite_agency, SHARING),
    CommandRoute(
        "strategy-meeting/confidentiality-statement",
        sh.ReadConfidentialityStatement,
        L.read_confidentiality_statement,
        SHARING,
    ),
    CommandRoute("disclosures", sh.DiscloseInformation, L.disclose, SHARING),
    CommandRoute("disclosures/withheld", sh.WithholdDisclosure, L.withhold, SHARING),
    CommandRoute(
        "disclosures/onward-sanctions",
        sh.SanctionOnwardDisclosure,
        L.sanction_onward_disclosure,
        SHARING,
    ),
    CommandRoute(
        "disclosures/subject-discussion",
        sh.DecideSubjectDiscussion,
        L.decide_subject_discussion,
        SHARING,
    ),
    CommandRoute("involvement-ended", s8.EndAgencyInvolvement, L.end_agency_involvement, SECTION_8),
    CommandRoute("disposal-confirmations", s8.ConfirmDisposal, L.confirm_disposal, SECTION_8),
    CommandRoute("legal-hold", s8.PlaceLegalHold, L.place_legal_hold, SECTION_8),
    CommandRoute("legal-hold/lifted", s8.LiftLegalHold, L.lift_legal_hold, SECTION_8),
    CommandRoute("retention-reviews", s8.ReviewRetention, L.review_retention, SECTION_8),
)

router = APIRouter(route_class=GatedRoute)


@router.post(
    "/referrals",
    status_code=status.HTTP_201_CREATED,
    response_model=CommandAccepted,
    tags=[TRIAGE],
)
def receive_referral(
    command: i.ReceiveReferral, ledger: LedgerDep, issued: IssuedDep, response: Response
) -> CommandAccepted:
    """Record a completed referral form (Appendix A) as received by the MASH."""
    outcome = ledger.receive_referral(command, issued)
    response.headers["Location"] = f"/referrals/{outcome.aggregate_id}"
    return accepted(outcome, response)


def accepted(outcome: Outcome, response: Response) -> CommandAccepted:
    if outcome.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return CommandAccepted.of(outcome)


def _endpoint(route: CommandRoute) -> Callable[..., CommandAccepted]:
    def endpoint(
        referral_id: UUID,
        command: ChangeReferral,
        ledger: LedgerDep,
        issued: IssuedDep,
        response: Response,
    ) -> CommandAccepted:
        return accepted(route.handle(ledger, referral_id, command, issued), response)

    # FastAPI reads the body's model from the signature: give each route its own command.
    signature = inspect.signature(endpoint)
    endpoint.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[
            parameter.replace(annotation=route.command)
            if parameter.name == "command"
            else parameter
            for parameter in signature.parameters.values()
        ]
    )
    return endpoint


for _route in COMMAND_ROUTES:
    router.add_api_route(
        f"/referrals/{{referral_id}}/{_route.path}",
        _endpoint(_route),
        methods=["POST"],
        response_model=CommandAccepted,
        tags=[_route.tag],
        name=_route.handle.__name__,
        summary=_route.handle.__name__.replace("_", " ").capitalize(),
        description=_route.command.__doc__ or "",
    )
