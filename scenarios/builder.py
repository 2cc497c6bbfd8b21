"""Cases built from the catalogue of steps, taken through either driver.

`Scenario` holds a driver, the cast that plays each part and business time; `Case` is one
referral taken step by step. The functions at the end are the process's paths, in order,
each building on the one before: "a case at its strategy discussion", "a case at the
strategy meeting", "a case concluded". A mandatory step added to the process is added to
its path here, and every scenario, test and benchmark that takes the path takes it too. A
case that stops on the way (to share, to be refused) goes on along a longer path from where
it has come (`Case.along`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol
from uuid import UUID

from commands.context import Actor
from scenarios import steps
from scenarios.drivers import REFUSALS, Driver
from scenarios.step import ActingFor, FromNow, Part, StaffOf, Step


class MovableClock(Protocol):
    moment: datetime

    def now(self) -> datetime: ...


class BusinessTime:
    """Business time that moves only when a scenario moves it."""

    def __init__(self, start: datetime) -> None:
        self.moment = start

    def now(self) -> datetime:
        return self.moment


@dataclass(frozen=True)
class Cast:
    """Who plays each part, and who acts for each agency that discloses or disposes."""

    parts: Mapping[Part, Actor]
    agencies: Mapping[str, Actor] = field(default_factory=dict)

    def actor(self, by: Part | ActingFor | Actor) -> Actor:
        if isinstance(by, Actor):
            return by
        if isinstance(by, ActingFor):
            return self.agencies[by.agency]
        return self.parts[by]


@dataclass(frozen=True)
class Later:
    """Business time moves on between two steps of a path."""

    days: float = 0
    hours: float = 0
    minutes: float = 0


Scene = Step | Later


class Scenario:
    """A driver, its cast and its clock: where cases are received and steps taken."""

    def __init__(self, driver: Driver, cast: Cast, clock: MovableClock) -> None:
        self.driver = driver
        self.cast = cast
        self.clock = clock

    def at(self, moment: datetime) -> Scenario:
        self.clock.moment = moment
        return self

    def take(self, step: Step, about: UUID | None = None) -> UUID:
        """Take one step; `about` is the referral it changes (an agency's is in the step)."""
        return self.driver.take(step.command, step.about or about, *self.concrete(step))

    def concrete(self, step: Step) -> tuple[dict[str, Any], Actor]:
        """The step's body and who takes it, as they stand if it is taken now."""
        return resolved(step.fields, self.clock.now(), self.cast), self.cast.actor(step.by)

    def case(self, received: Step | None = None) -> Case:
        """A referral received (the catalogue's minimal form unless `received` says)."""
        return Case(self, self.take(received or steps.referral_received()))

    def register(self, agencies: Mapping[str, str]) -> dict[str, UUID]:
        """The agencies registered in the directory: name → id."""
        return {
            name: self.take(steps.agency_registered(name, agency_type))
            for name, agency_type in agencies.items()
        }


class Case:
    """One referral, taken through the process a step at a time."""

    def __init__(self, scenario: Scenario, referral_id: UUID) -> None:
        self.scenario = scenario
        self.referral_id = referral_id
        self.come: list[Scene] = []  # the path it has come along (`along`)

    @property
    def version(self) -> int:
        return self.scenario.driver.versions[self.referral_id]

    def then(self, *scenes: Scene | Iterable[Scene]) -> Case:
        """Take the steps (or paths of steps) in order; business time moves where a path
        says `Later`."""
        for scene in scenes:
            if isinstance(scene, Step):
                self.scenario.take(scene, self.referral_id)
            elif isinstance(scene, Later):
                self.later(days=scene.days, hours=scene.hours, minutes=scene.minutes)
            else:
                self.then(*scene)
        return self

    def along(self, path: Iterable[Scene]) -> Case:
        """Go on along one of the process's paths from as far as the case has come on it: what
        it took along a shorter path is not taken again. Steps taken with `then` in between
        are the case's own, not the path's."""
        scenes = list(path)
        self.then(onward(scenes, self.come))
        self.come = scenes
        return self

    def at(self, moment: datetime) -> Case:
        self.scenario.at(moment)
        return self

    def later(self, **delta: float) -> Case:
        self.scenario.at(self.scenario.clock.now() + timedelta(**delta))
        return self

    def attempt(self, step: Step) -> bool:
        """Take a step the process may refuse; whether it was accepted."""
        try:
            self.scenario.take(step, self.referral_id)
        except REFUSALS:
            return False
        return True


def resolved(value: Any, now: datetime, cast: Cast) -> Any:
    """A step's body with its relative times and its staff made concrete."""
    if isinstance(value, FromNow):
        return value.at(now)
    if isinstance(value, StaffOf):
        return cast.actor(value.part).actor_id
    if isinstance(value, Mapping):
        return {name: resolved(inner, now, cast) for name, inner in value.items()}
    if isinstance(value, list | tuple):
        return [resolved(inner, now, cast) for inner in value]
    return value


def onward(path: Sequence[Scene], come: Sequence[Scene]) -> list[Scene]:
    """What is left of `path` for a case that has come along `come`, the start of the same
    path (each of the process's paths below is the one before and its next stage)."""
    if list(path[: len(come)]) != list(come):
        raise ValueError("the path does not go on from where the case has come")
    return list(path[len(come) :])


# -- the process's paths, each the one before and its next stage -----------------------


def ready_to_screen() -> list[Scene]:
    """What screening needs first: the security checks."""
    return [steps.security_checks_recorded()]


def to_screened_in() -> list[Scene]:
    return [*ready_to_screen(), steps.screened_in()]


def to_screened_out(*reasons: str) -> list[Scene]:
    """Screened out at triage (as clearly not vulnerable unless `reasons` say)."""
    return [*ready_to_screen(), steps.screened_out(*reasons)]


def to_strategy_discussion(social_care: Part = Part.CHILDRENS_SERVICES) -> list[Scene]:
    """Screened in, the strategy discussion scheduled and under way."""
    return [*to_screened_in(), steps.discussion_scheduled(social_care)]


def ready_to_decide() -> list[Scene]:
    """What the discussion's decision needs first: the referrer consulted, the risk assessed."""
    return [steps.referrer_consulted(), steps.risk_assessed()]


def to_ready_to_decide(social_care: Part = Part.CHILDRENS_SERVICES) -> list[Scene]:
    """At the strategy discussion, with what its decision needs taken, not yet decided."""
    return [*to_strategy_discussion(social_care), *ready_to_decide()]


def to_discussion_held(
    outcome: str = "vtr_appropriate", social_care: Part = Part.CHILDRENS_SERVICES
) -> list[Scene]:
    return [*to_ready_to_decide(social_care), steps.discussion_held(outcome)]


def signatures(social_care: Part = Part.CHILDRENS_SERVICES) -> list[Scene]:
    """Section 2: the MASH decision signed by the police and the social care lead."""
    return [steps.mash_decision_signed(Part.POLICE), steps.mash_decision_signed(social_care)]


def to_signed(
    outcome: str = "vtr_appropriate", social_care: Part = Part.CHILDRENS_SERVICES
) -> list[Scene]:
    return [*to_discussion_held(outcome, social_care), *signatures(social_care)]


def to_strategy_meeting(social_care: Part = Part.CHILDRENS_SERVICES) -> list[Scene]:
    """Found VTR-appropriate and signed; the strategy meeting convened and under way."""
    return [*to_signed(social_care=social_care), steps.meeting_convened()]


def to_support(social_care: Part = Part.CHILDRENS_SERVICES) -> list[Scene]:
    """A strategy meeting that agreed a support package, its first review 35 days on."""
    return [*to_strategy_meeting(social_care), steps.meeting_held()]


def to_first_review(social_care: Part = Part.CHILDRENS_SERVICES) -> list[Scene]:
    """Support under way, and the day of its first review come (the review not yet held)."""
    return [*to_support(social_care), Later(days=35)]


def to_exit_agreed(social_care: Part = Part.CHILDRENS_SERVICES) -> list[Scene]:
    return [*to_first_review(social_care), steps.reviewed("conclude")]


def to_concluded(social_care: Part = Part.CHILDRENS_SERVICES) -> list[Scene]:
    return [*to_exit_agreed(social_care), steps.process_concluded()]
