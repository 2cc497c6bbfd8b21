"""Disclosures the guidance allows, for the sharing rules to change one thing at a time."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from aggregates.sharing import AgencyStanding, DisclosureParties, InformationDisclosure
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


def need_to_know(agency_id: UUID) -> NeedToKnow:
    return NeedToKnow(agency_id=agency_id, needs_to_know=True, rationale="co-decides")


def shared(
    context: SharingContext = SharingContext.STRATEGY_DISCUSSION,
    recipients: tuple[AgencyStanding, ...] = (standing(CHILDRENS_SERVICES),),
    by: Actor = INSPECTOR,
    **changes: Any,
) -> Step:
    """The police share intelligence without consent, on today's bases, as the guidance
    allows; `changes` alter one thing."""

    def disclose(turn: Turn) -> None:
        allowed = InformationDisclosure(
            context=context,
            disclosing_agency_id=agency(POLICE_FORCE).agency_id,
            recipient_agency_ids=(agency(CHILDRENS_SERVICES).agency_id,),
            information_category="police_intelligence",
            content="associate of a proscribed group",
            legal_basis_ids=TODAY_BASES,
            principles=AFFIRMED,
            justification=JUSTIFIED,
            need_to_know=(need_to_know(agency(CHILDRENS_SERVICES).agency_id),),
            public_interest=OVERRIDING,
            public_interest_reasoning="safeguarding outweighs confidentiality",
            particularly_sensitive=False,
            handling_advice="store on the case file",
        )
        parties = DisclosureParties(
            disclosed_at=changes.pop("disclosed_at", turn.at),
            disclosing_agency=agency(POLICE_FORCE),
            recipients=recipients,
        )
        # The recipients, and `changes`, unvalidated on purpose: the rules under test are the
        # step's, not the input's.
        addressed = {
            "recipient_agency_ids": tuple(r.ref.agency_id for r in recipients),
            "need_to_know": tuple(need_to_know(r.ref.agency_id) for r in recipients),
        }
        disclosure = allowed.model_copy(update={**addressed, **changes})
        turn.referral.disclose(turn.by(by), disclosure, parties=parties)

    return disclose
