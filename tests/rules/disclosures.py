"""Disclosures the guidance allows, for the sharing rules to change one thing at a time."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from aggregates.sharing import AgencyStanding, DisclosureRequest
from events.forms import (
    NeedToKnow,
    PublicInterestBalance,
    SharingJustification,
    SharingPrinciples,
)
from events.vocabulary import PublicInterestGround, SharingContext
from tests.rules.actors import CHILDRENS_SERVICES, INSPECTOR, POLICE_FORCE, Actor, agency
from tests.rules.harness import Step, Turn

TODAY_BASES = ("uk.public-task-art6-1e", "uk.sch1-para18-safeguarding", "uk.ctsa2015-s38")
AFFIRMED = SharingPrinciples(
    power_to_share=True, necessary=True, relevant=True, proportionate=True, non_discriminatory=True
)
JUSTIFIED = SharingJustification(
    power_to_share="CTSA 2015 s.38",
    necessity="needed to assess the risk",
    relevance="bears on the risk",
    proportionality="association and dates only",
    non_discrimination="behaviour, not belief",
)
OVERRIDING = PublicInterestBalance(
    grounds=[PublicInterestGround.PROTECTION_OF_VULNERABLE_PEOPLE],
    consent_considered=True,
    overrides_confidentiality_and_privacy=True,
)


def standing(name: str, *, may_share: bool = True) -> AgencyStanding:
    return AgencyStanding(ref=agency(name), may_share=may_share)


def shared(
    context: SharingContext = SharingContext.STRATEGY_DISCUSSION,
    recipients: tuple[AgencyStanding, ...] = (standing(CHILDRENS_SERVICES),),
    by: Actor = INSPECTOR,
    **changes: Any,
) -> Step:
    """The police share intelligence without consent, on today's bases, as the guidance
    allows; `changes` alter one thing."""

    def disclose(turn: Turn) -> None:
        allowed = DisclosureRequest(
            context=context,
            disclosed_at=turn.at,
            disclosing_agency=agency(POLICE_FORCE),
            recipients=recipients,
            information_category="police_intelligence",
            content="associate of a proscribed group",
            legal_basis_ids=TODAY_BASES,
            principles=AFFIRMED,
            justification=JUSTIFIED,
            need_to_know=[
                NeedToKnow(agency_id=r.ref.agency_id, needs_to_know=True, rationale="co-decides")
                for r in recipients
            ],
            public_interest=OVERRIDING,
            public_interest_reasoning="safeguarding outweighs confidentiality",
            particularly_sensitive=False,
            handling_advice="store on the case file",
            purpose="assess the risk",
        )
        turn.referral.disclose(turn.by(by), replace(allowed, **changes))

    return disclose
