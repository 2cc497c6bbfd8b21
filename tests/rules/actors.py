"""The people who act in the rule tests, each in one role for one agency of the directory."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from aggregates.agency import agency_id_for
from events.forms import AgencyRef
from events.vocabulary import AgencyType, Role

POLICE_FORCE = "Norfolk Constabulary"
CHILDRENS_SERVICES = "Norfolk Children's Services"
ADULT_SERVICES = "Norfolk Adult Social Services"
MASH = "Norfolk MASH"
SCHOOL = "Greenfield High School"
MENTORS = "Hope Mentoring Trust"  # a non-governmental organisation: needs the ISP
AGENCY_TYPES = {
    POLICE_FORCE: AgencyType.POLICE,
    CHILDRENS_SERVICES: AgencyType.CHILDREN_AND_YOUNG_PEOPLE_SERVICES,
    ADULT_SERVICES: AgencyType.ADULT_AND_COMMUNITY_SERVICES,
    MASH: AgencyType.MULTI_AGENCY_SAFEGUARDING_HUB,
    SCHOOL: AgencyType.EDUCATION,
    MENTORS: AgencyType.NON_GOVERNMENTAL_ORGANISATION,
}


@dataclass(frozen=True, slots=True)
class Actor:
    actor_id: str
    role: Role
    agency: str

    @property
    def agency_id(self) -> UUID:
        return agency_id_for(self.agency)


def agency(name: str) -> AgencyRef:
    """An agency of the directory as an event names it."""
    return AgencyRef(agency_id=agency_id_for(name), name=name, agency_type=AGENCY_TYPES[name])


TRIAGE = Actor("triage-1", Role.MASH_TRIAGE, MASH)
DESK = Actor("desk-1", Role.MASH_OPERATIONAL_DESK, MASH)
INSPECTOR = Actor("police-1", Role.POLICE, POLICE_FORCE)
SECOND_OFFICER = Actor("police-2", Role.POLICE, POLICE_FORCE)
CHILDRENS_REP = Actor("cs-1", Role.CHILDRENS_SERVICES, CHILDRENS_SERVICES)
ADULTS_REP = Actor("ass-1", Role.ADULT_SOCIAL_SERVICES, ADULT_SERVICES)
CHAIR = Actor("chair-1", Role.MEETING_CHAIR, MASH)
HEAD_OF_SAFEGUARDING = Actor("hos-1", Role.HEAD_OF_SAFEGUARDING, MASH)
SCHOOL_LEAD = Actor("dsl-1", Role.PARTNER_AGENCY, SCHOOL)
COMPLIANCE = Actor("co-1", Role.COMPLIANCE_OFFICER, MASH)
SECOND_COMPLIANCE = Actor("co-2", Role.COMPLIANCE_OFFICER, MASH)
