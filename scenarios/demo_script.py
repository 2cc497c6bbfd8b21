"""The demo's staff, the part each plays, and its scripted clock."""

from __future__ import annotations

from datetime import UTC, date, datetime

from commands.context import Actor
from events.vocabulary import Role
from scenarios.builder import BusinessTime, Case, Cast, Scene
from scenarios.step import Part

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


class ScriptedClock(BusinessTime):
    """Business time that moves only when the script says so."""

    def at(self, day: date, hour: int = 10) -> None:
        self.moment = at_hour(day, hour)


DEMO_CAST = Cast(
    parts={
        Part.TRIAGE: TRIAGE,
        Part.DESK: DESK,
        Part.POLICE: POLICE,
        Part.CHILDRENS_SERVICES: CHILDRENS,
        Part.ADULT_SOCIAL_SERVICES: ADULTS,
        Part.CHAIR: CHAIR,
        Part.HEAD_OF_SAFEGUARDING: HEAD,
        Part.COMPLIANCE: COMPLIANCE,
    },
    agencies={actor.agency: actor for actor in (POLICE, CHILDRENS, SCHOOL, MENTOR)},
)


def at_hour(day: date, hour: int = 11) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def on(case: Case, day: date, *scenes: Scene, hour: int = 11) -> Case:
    """The steps taken on `day`, at `hour` o'clock."""
    return case.at(at_hour(day, hour)).then(*scenes)
