"""The case list narrowed to an agency's cases and to the cases with a deadline overdue today,
on both stores: a practitioner never reaches beyond their own agency's cases, and the access
log keeps both filters.

Four cases: the police disclosed to the school in one, to the school and the mentors in
another, to the mentors alone in a third; a fourth involves no agency. The school's and the
mentors' involvement then ends in one case each, on Monday 21 December 2026: their section 8
obligations are due on Thursday 7 January 2027 (10 working days over Christmas).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

import pytest

from tests.api_client import Api
from tests.lifecycle import at
from tests.section8_support import case_with_disclosures, end_involvement
from tests.sharing_support import MENTORS, SCHOOL, register_agencies, sign_isp
from tests.support import FixedClock, referral_form


@dataclass(frozen=True)
class World:
    agencies: dict[str, UUID]
    school: UUID  # the school alone received
    shared: UUID  # the school and the mentors received
    mentors: UUID  # the mentors alone received
    nobody: UUID  # no agency involved


@pytest.fixture
def world(api: Api, clock: FixedClock) -> World:
    agencies = register_agencies(api)
    assert sign_isp(api, agencies[MENTORS]).status_code == 200
    school = case_with_disclosures(api, clock, agencies, "2026-03-05", [[SCHOOL]])
    shared = case_with_disclosures(api, clock, agencies, "2026-03-09", [[SCHOOL, MENTORS]])
    mentors = case_with_disclosures(api, clock, agencies, "2026-03-11", [[MENTORS]])
    nobody = api.received(referral_form())
    return World(agencies, school, shared, mentors, nobody)


def listed(api: Api, by: str, **params: Any) -> set[str]:
    """The ids on the (one) page of the list, which holds them all."""
    answer = api.client.get(
        "/referrals",
        params={"after_position": api.log_position(), **params},
        headers=api.headers(by),
    )
    assert answer.status_code == 200, answer.text
    page = answer.json()
    assert page["total"] == len(page["items"])
    return {item["referral_id"] for item in page["items"]}


def ids(*cases: UUID) -> set[str]:
    return {str(case) for case in cases}


def overdue_section_8(api: Api, clock: FixedClock, world: World) -> None:
    """The school's obligations in its own case and the mentors' in the shared one fall due
    on 7 January 2027."""
    end_involvement(api, clock, world.school, world.agencies[SCHOOL], "2026-12-21")
    end_involvement(api, clock, world.shared, world.agencies[MENTORS], "2026-12-21")


class TestAgencyFilter:
    def test_the_list_holds_only_the_cases_the_agency_is_involved_in(
        self, api: Api, world: World
    ) -> None:
        """Case staff narrow the list to any agency's cases."""
        school, mentors = world.agencies[SCHOOL], world.agencies[MENTORS]
        assert listed(api, "triage-1", agency_id=str(school)) == ids(world.school, world.shared)
        assert listed(api, "triage-1", agency_id=str(mentors)) == ids(world.shared, world.mentors)
        assert listed(api, "triage-1") == ids(
            world.school, world.shared, world.mentors, world.nobody
        )

    def test_a_practitioner_naming_another_agency_gets_an_empty_page(
        self, api: Api, world: World
    ) -> None:
        """Their own agency always narrows the list: naming another gives none of its cases,
        not even one both agencies are involved in (which would say the other is involved)."""
        school, mentors = world.agencies[SCHOOL], world.agencies[MENTORS]
        assert listed(api, "school-1", agency_id=str(mentors)) == set()
        assert listed(api, "mentor-1", agency_id=str(school)) == set()
        assert listed(api, "school-1", agency_id=str(school)) == ids(world.school, world.shared)
        assert listed(api, "school-1") == ids(world.school, world.shared)


class TestOverdueFilter:
    def test_only_the_cases_with_a_deadline_overdue_today(
        self, api: Api, clock: FixedClock, world: World
    ) -> None:
        """Exactly the cases the worklist shows an overdue deadline in; none the day they fall
        due; `overdue=false` gives the others."""
        overdue_section_8(api, clock, world)
        at(clock, "2027-01-07T09:00:00")  # due today: not yet overdue
        assert listed(api, "triage-1", overdue="true") == set()
        at(clock, "2027-01-08T09:00:00")
        assert listed(api, "triage-1", overdue="true") == ids(world.school, world.shared)
        assert listed(api, "triage-1", overdue="true") == worklist_overdue(api)
        assert listed(api, "triage-1", overdue="false") == ids(world.mentors, world.nobody)

    def test_a_practitioner_counts_only_its_own_agencys_deadlines(
        self, api: Api, clock: FixedClock, world: World
    ) -> None:
        """As on their worklist: the mentors' overdue obligations in the shared case are not
        the school's to see."""
        overdue_section_8(api, clock, world)
        at(clock, "2027-01-08T09:00:00")
        assert listed(api, "school-1", overdue="true") == ids(world.school)
        assert listed(api, "school-1", overdue="false") == ids(world.shared)
        assert listed(api, "mentor-1", overdue="true") == ids(world.shared)

    def test_both_filters_narrow_together(self, api: Api, clock: FixedClock, world: World) -> None:
        overdue_section_8(api, clock, world)
        at(clock, "2027-01-08T09:00:00")
        mentors = str(world.agencies[MENTORS])
        assert listed(api, "triage-1", agency_id=mentors, overdue="true") == ids(world.shared)
        assert listed(api, "triage-1", agency_id=mentors, overdue="false") == ids(world.mentors)


def worklist_overdue(api: Api) -> set[str]:
    answer = api.client.get("/worklist", headers=api.headers("hos-1"))
    assert answer.status_code == 200, answer.text
    return {item["referral_id"] for item in answer.json()["items"] if item["status"] == "overdue"}


def test_the_access_log_keeps_both_filters(api: Api, world: World) -> None:
    school = str(world.agencies[SCHOOL])
    listed(api, "school-1", agency_id=school, overdue="true", stage="strategy_discussion")
    log = api.client.get(
        "/access-log", params={"actor_id": "school-1"}, headers=api.headers("dpo-2")
    )
    assert log.status_code == 200, log.text
    entry = log.json()["consultations"][-1]
    assert entry["route"] == "list_cases"
    assert entry["filters"] == {
        "agency_id": school,
        "overdue": True,
        "stage": "strategy_discussion",
        "limit": 50,
        "offset": 0,
    }


@pytest.mark.parametrize(
    ("name", "value"), [("agency_id", "not-an-agency"), ("agency_id", "42"), ("overdue", "maybe")]
)
def test_a_bad_value_is_refused_naming_the_parameter(api: Api, name: str, value: str) -> None:
    answer = api.client.get("/referrals", params={name: value}, headers=api.headers("triage-1"))
    assert answer.status_code == 422, answer.text
    assert [error["field"] for error in answer.json()["errors"]] == [f"query.{name}"]
