"""Agencies, cases and disclosures for the information-sharing tests, over HTTP."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

import httpx2 as httpx

from scenarios import builder
from scenarios import steps as catalogue
from tests import lifecycle as steps
from tests.api_client import Api
from tests.lifecycle import at
from tests.support import FixedClock, referral_form

POLICE = "Norfolk Constabulary"
CHILDRENS = "Norfolk Children's Services"
ADULTS = "Norfolk Adult Social Services"
SCHOOL = "Greenfield High School"
MENTAL_HEALTH = "Norfolk Community Mental Health"
MENTORS = "Hope Mentoring Trust"  # a non-governmental organisation: needs the ISP
AGENCY_TYPES = {
    POLICE: "police",
    CHILDRENS: "children_and_young_people_services",
    ADULTS: "adult_and_community_services",
    SCHOOL: "education",
    MENTAL_HEALTH: "mental_health",
    MENTORS: "non_governmental_organisation",
}
TODAY_BASES = ("uk.public-task-art6-1e", "uk.sch1-para18-safeguarding", "uk.ctsa2015-s38")


# The sealed content of every test disclosure, to search for in stores and registers.
DISCLOSED = "Known associate of a proscribed group; attended two rallies in 2025."


def register_agencies(api: Api) -> dict[str, UUID]:
    return api.scenario().register(AGENCY_TYPES)


def sign_isp(api: Api, agency_id: UUID, **fields: Any) -> httpx.Response:
    agency = api.client.get(f"/agencies/{agency_id}", headers=api.headers("triage-1")).json()
    body = {
        "isp_version": "NCCSP ISP v4",
        "effective_from": "2026-01-01",
        "signatory_position": "Chief Executive",
        "expected_version": agency["version"],
        **fields,
    }
    return api.client.post(
        f"/agencies/{agency_id}/isp-signatures", json=body, headers=api.headers("triage-1")
    )


def at_discussion(api: Api, clock: FixedClock) -> UUID:
    """A child's referral whose strategy discussion is under way (its time has come)."""
    referral_id = steps.triage(api, clock)
    steps.discussion_under_way(api, clock, referral_id)
    return referral_id


def at_meeting(
    api: Api, clock: FixedClock, agencies: dict[str, UUID], *, statement: bool = True
) -> UUID:
    """A referral at its strategy meeting, police and school invited, the statement read."""
    case = steps.case_of(api, at_discussion(api, clock))
    case.then(
        builder.ready_to_decide(),
        catalogue.discussion_held(),
        builder.signatures(),
        catalogue.meeting_convened("2026-03-12T10:00:00Z"),
        [catalogue.agency_invited(name) for name in (POLICE, SCHOOL, CHILDRENS)],
    )
    at(clock, "2026-03-12T10:05:00")
    if statement:
        case.then(catalogue.confidentiality_statement_read())
    return case.referral_id


def disclosure(
    discloser: UUID,
    recipients: list[UUID],
    *,
    context: str = "strategy_discussion",
    **overrides: Any,
) -> dict[str, Any]:
    """A disclosure the guidance allows (without consent); tests change one thing at a time."""
    body = catalogue.disclosure(
        str(discloser), [str(r) for r in recipients], context=context, bases=TODAY_BASES
    )
    return {**body, "content": DISCLOSED, **overrides}


def discussion_on(api: Api, clock: FixedClock, day: str) -> UUID:
    """A child's referral received on `day`, at its strategy discussion that afternoon."""
    at(clock, f"{day}T09:00:00")
    form = referral_form(received_at=f"{day}T08:00:00Z")
    form["subject"] = {**form["subject"], "date_of_birth": "2000-05-01"}
    case = api.scenario().case(catalogue.referral_received(form)).then(builder.to_screened_in())
    steps.discussion_under_way(api, clock, case.referral_id, day)
    return case.referral_id


def sharing_record(api: Api, referral_id: UUID) -> list[dict[str, Any]]:
    response = api.client.get(
        f"/referrals/{referral_id}/sharing",
        params={"after_position": api.log_position()},
        headers=api.headers("triage-1"),
    )
    assert response.status_code == 200, response.text
    entries: list[dict[str, Any]] = response.json()["entries"]
    return entries


def refused(
    api: Api,
    referral_id: UUID,
    attempt: Callable[[], httpx.Response],
    status: int,
    rule: str | None = None,
    *,
    recorded: bool = False,
) -> dict[str, Any]:
    """Run a refused attempt; check what it answered and that only its record was stored."""
    history = len(api.history(referral_id))
    refusals = [e for e in sharing_record(api, referral_id) if e["event"] == "SharingRefused"]
    position = api.log_position()
    response = attempt()
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem: dict[str, Any] = response.json()
    if rule is not None:
        assert problem["rule"] == rule
    assert len(api.history(referral_id)) == history, "the referral itself is unchanged"
    if recorded:
        assert api.log_position() > position
        now = [e for e in sharing_record(api, referral_id) if e["event"] == "SharingRefused"]
        assert len(now) == len(refusals) + 1
        assert now[-1]["data"]["rule"] == rule
        assert now[-1]["data"]["refusal_id"] == problem["refused_attempt_id"]
        assert "content" not in now[-1]["data"]
    else:
        assert api.log_position() == position
        assert "refused_attempt_id" not in problem
    return problem


def send(
    api: Api, referral_id: UUID, path: str, body: dict[str, Any], by: str
) -> Callable[[], httpx.Response]:
    return lambda: api.send(referral_id, path, body, by=by)
