"""The demo's staff, its scripted clock, and the script that records one case step by step."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

from commands.application import ReferralLedger
from commands.context import Actor, Issued, Outcome
from commands.intake import ReceiveReferral
from events.vocabulary import Role

TRIAGE = Actor.for_agency("mash-triage-1", Role.MASH_TRIAGE, "Norfolk MASH")
DESK = Actor.for_agency("mash-desk-1", Role.MASH_OPERATIONAL_DESK, "Norfolk MASH")
POLICE = Actor.for_agency("police-insp-1", Role.POLICE, "Norfolk Constabulary")
CHILDRENS = Actor.for_agency("cs-rep-1", Role.CHILDRENS_SERVICES, "Norfolk Children's Services")
ADULTS = Actor.for_agency("ass-rep-1", Role.ADULT_SOCIAL_SERVICES, "Norfolk Adult Social Services")
CHAIR = Actor.for_agency("chair-1", Role.MEETING_CHAIR, "Norfolk MASH")
HEAD = Actor.for_agency("hos-1", Role.HEAD_OF_SAFEGUARDING, "Norfolk County Council")
SCHOOL = Actor.for_agency("school-dsl-1", Role.PARTNER_AGENCY, "Riverside Academy")
MENTOR = Actor.for_agency("mentor-lead-1", Role.PARTNER_AGENCY, "Hope Mentoring Trust")
COMPLIANCE = Actor.for_agency("dpo-1", Role.COMPLIANCE_OFFICER, "Norfolk County Council")
DEMO_ACTORS = (TRIAGE, DESK, POLICE, CHILDRENS, ADULTS, CHAIR, HEAD, SCHOOL, MENTOR, COMPLIANCE)
DEMO_START = datetime(2026, 2, 1, 9, tzinfo=UTC)


class ScriptedClock:
    """Business time that moves only when the script says so."""

    def __init__(self, start: datetime) -> None:
        self.moment = start

    def now(self) -> datetime:
        return self.moment

    def at(self, day: date, hour: int = 10) -> None:
        self.moment = datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


class DemoScript:
    def __init__(self, ledger: ReferralLedger, clock: ScriptedClock) -> None:
        self.ledger = ledger
        self.clock = clock
        self.version = 0
        self.referral_id = uuid4()

    def at(self, day: date, hour: int = 11) -> None:
        self.clock.at(day, hour)

    def receive(self, day: date, body: dict[str, Any]) -> UUID:
        self.clock.at(day, 11)
        outcome = self.ledger.receive_referral(
            ReceiveReferral.model_validate(body), issued_by(TRIAGE)
        )
        self.referral_id, self.version = outcome.aggregate_id, outcome.version
        return outcome.aggregate_id

    def step(
        self,
        day: date,
        actor: Actor,
        handle: Callable[[ReferralLedger, UUID, Any, Issued], Outcome],
        command_type: type[Any],
        *,
        hour: int = 11,
        **fields: Any,
    ) -> None:
        self.clock.at(day, hour)
        command = command_type.model_validate({"expected_version": self.version, **fields})
        self.version = handle(self.ledger, self.referral_id, command, issued_by(actor)).version


def issued_by(actor: Actor) -> Issued:
    """The attribution of one demo command."""
    return Issued(actor=actor, command_id=uuid4())
