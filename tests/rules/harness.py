"""Given the events of a case, when one step is taken, then exactly these events, or this refusal.

No I/O: a test's "given" is a history of domain events, and the referral a step acts on is
rebuilt from those events by the aggregate's own projector, so nothing but the history
carries into the step. Histories are written as the steps that produced them (`histories`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar
from uuid import uuid4

from aggregates.errors import (
    DomainError,
    InvalidInstructionError,
    NotPermittedError,
    ProcessRuleViolationError,
    Rule,
)
from aggregates.intake import ReferralForm
from aggregates.referral import Referral
from events.base import AuditEnvelope, DomainEvent
from events.forms import Address, ReferralConcern, ReferrerContact, ReferrerDetails, SubjectDetails
from events.vocabulary import AgeGroup, ReceivedVia
from tests.rules.actors import TRIAGE, Actor

RECEIVED_AT = datetime(2026, 3, 2, 9, tzinfo=UTC)
Refusal = TypeVar("Refusal", bound=DomainError)


def audit(actor: Actor, at: datetime) -> AuditEnvelope:
    return AuditEnvelope(
        actor_id=actor.actor_id,
        actor_role=actor.role,
        actor_agency=actor.agency,
        actor_agency_id=actor.agency_id,
        occurred_at=at,
        command_id=uuid4(),
    )


@dataclass(slots=True)
class Turn:
    """The referral as its history left it, and the business time of the next step."""

    referral: Referral
    at: datetime

    def by(self, actor: Actor) -> AuditEnvelope:
        return audit(actor, self.at)

    @property
    def today(self) -> date:
        return self.at.date()

    def days_from_today(self, days: int) -> date:
        return self.today + timedelta(days=days)


Step = Callable[[Turn], None]


def later(**delta: float) -> Step:
    """Business time moves on before the next step."""

    def move_on(turn: Turn) -> None:
        turn.at += timedelta(**delta)

    return move_on


def on(moment: datetime) -> Step:
    """Business time reaches `moment` before the next step."""

    def move_to(turn: Turn) -> None:
        turn.at = moment

    return move_to


@dataclass(frozen=True, slots=True)
class Expected:
    """An event the step must record: its type, and the fields that matter to the rule."""

    event_type: type[DomainEvent]
    fields: dict[str, Any]


def recorded(event_type: type[DomainEvent], **fields: Any) -> Expected:
    return Expected(event_type, fields)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one step did to a history: the events it recorded, or the refusal."""

    history: tuple[DomainEvent, ...]
    new_events: list[DomainEvent]
    refusal: DomainError | None
    state_unchanged: bool

    def then(self, *expected: Expected) -> list[DomainEvent]:
        """Exactly these events, in this order, each the next version of the referral."""
        assert self.refusal is None, f"refused: {self.refusal!r}"
        assert [type(event) for event in self.new_events] == [e.event_type for e in expected]
        version = self.history[-1].originator_version
        for offset, (event, want) in enumerate(zip(self.new_events, expected, strict=True), 1):
            assert event.originator_version == version + offset
            assert event.originator_id == self.history[0].originator_id
            actual = {name: getattr(event, name) for name in want.fields}
            assert actual == want.fields, f"{type(event).__name__}: {actual} != {want.fields}"
        return self.new_events

    def then_refused(self, rule: Rule) -> ProcessRuleViolationError:
        """Refused by this rule of the process, in its words, and nothing recorded."""
        refusal = self._refused_with(ProcessRuleViolationError)
        assert (refusal.rule.code, str(refusal)) == (rule.code, rule.text), refusal.rule
        return refusal

    def then_not_permitted(self, rule: Rule) -> NotPermittedError:
        """Refused because the actor's role or agency may not take the step; nothing recorded."""
        refusal = self._refused_with(NotPermittedError)
        assert (refusal.rule.code, str(refusal)) == (rule.code, rule.text), refusal.rule
        return refusal

    def then_invalid(self, field: str, words: str = "") -> InvalidInstructionError:
        """Refused because the instruction contradicts the case, naming the field; nothing
        recorded."""
        refusal = self._refused_with(InvalidInstructionError)
        assert refusal.field == field, refusal.message
        assert words in refusal.message, refusal.message
        return refusal

    def _refused_with(self, kind: type[Refusal]) -> Refusal:
        assert isinstance(self.refusal, kind), f"expected {kind.__name__}, got {self.refusal!r}"
        assert self.new_events == [], "a refused step records nothing"
        assert self.state_unchanged, "a refused step leaves the referral as it was"
        return self.refusal


@dataclass(frozen=True, slots=True)
class Given:
    """The recorded history of one referral, and the business time it reached."""

    events: tuple[DomainEvent, ...]
    at: datetime

    def turn(self) -> Turn:
        referral = Referral.project(None, self.events)
        assert referral is not None, "a history starts with the referral's receipt"
        return Turn(referral, self.at)

    def and_then(self, *steps: Step) -> Given:
        turn = self.turn()
        for step in steps:
            step(turn)
        return Given((*self.events, *turn.referral.collect_events()), turn.at)

    def when(self, step: Step) -> Outcome:
        turn = self.turn()
        state_before = turn.referral.state.model_copy(deep=True)
        try:
            step(turn)
        except DomainError as refusal:
            unchanged = turn.referral.state == state_before
            return Outcome(self.events, turn.referral.collect_events(), refusal, unchanged)
        return Outcome(self.events, turn.referral.collect_events(), None, state_unchanged=False)


def given(
    *steps: Step, age_group: AgeGroup = AgeGroup.CHILD, received_at: datetime = RECEIVED_AT
) -> Given:
    """A referral received by the MASH (a child's unless `age_group` says), then `steps`."""
    received = Referral.receive(
        uuid4(),
        audit(TRIAGE, received_at),
        ReferralForm(
            received_at=received_at,
            received_via=ReceivedVia.MASH_EMAIL,
            on_call_detective_inspector=None,
            referring_agency="Greenfield High School",
            subject_age_group=age_group,
            subject=SubjectDetails(full_name="Subject", address=Address(lines=["1 Road"])),
            partner_and_parents=(),
            children_and_siblings=(),
            concern=ReferralConcern(
                reasons_for_referral="reasons", background_and_risk="background"
            ),
            referrer=ReferrerDetails(
                full_name="Referrer", position="DSL", contact=ReferrerContact()
            ),
        ),
    )
    return Given(tuple(received.collect_events()), received_at).and_then(*steps)
