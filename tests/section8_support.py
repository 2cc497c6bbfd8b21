"""Cases with disclosures, and section 8 steps, for the deletion and erasure tests, over HTTP."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from scenarios import steps as catalogue
from scenarios.step import Part, Step
from tests import lifecycle as steps
from tests.api_client import Api
from tests.lifecycle import at
from tests.sharing_support import (
    MENTORS,
    POLICE,
    SCHOOL,
    disclosure,
    discussion_on,
    register_agencies,
    sign_isp,
)
from tests.support import FixedClock


def case_with_disclosures(
    api: Api,
    clock: FixedClock,
    agencies: dict[str, UUID],
    day: str,
    recipients_per_disclosure: list[list[str]],
) -> UUID:
    """A referral at its strategy discussion on `day`, where the police disclosed once to each
    list of recipients, in order (disclosure numbers 1, 2, ...)."""
    referral_id = discussion_on(api, clock, day)
    steps.case_of(api, referral_id).then(
        Step("disclose", Part.POLICE, disclosure(agencies[POLICE], [agencies[n] for n in names]))
        for names in recipients_per_disclosure
    )
    return referral_id


def school_and_mentors_cases(api: Api, clock: FixedClock) -> tuple[dict[str, UUID], UUID, UUID]:
    """The agencies; a case the school received a disclosure in; a case it has no part in."""
    agencies = register_agencies(api)
    assert sign_isp(api, agencies[MENTORS]).status_code == 200
    school_case = case_with_disclosures(api, clock, agencies, "2026-03-05", [[SCHOOL]])
    mentors_case = case_with_disclosures(api, clock, agencies, "2026-03-09", [[MENTORS]])
    return agencies, school_case, mentors_case


def end_involvement(
    api: Api, clock: FixedClock, referral_id: UUID, agency_id: UUID, day: str
) -> None:
    at(clock, f"{day}T10:00:00")
    ended = catalogue.involvement_ended(str(agency_id), reason="role_in_risk_management_ended")
    steps.case_of(api, referral_id).then(ended)


def obligations(api: Api, **params: Any) -> list[dict[str, Any]]:
    params.setdefault("after_position", api.log_position())
    response = api.client.get("/disposal-obligations", params=params, headers=api.headers("dpo-1"))
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()["obligations"]
    return rows


def by_status(api: Api, agency_id: UUID) -> dict[str, set[tuple[str, int]]]:
    """The agency's obligations as {status: {(referral id, disclosure no), ...}}."""
    found: dict[str, set[tuple[str, int]]] = {}
    for row in obligations(api, agency_id=str(agency_id)):
        found.setdefault(row["status"], set()).add((row["referral_id"], row["disclosure_no"]))
    return found


def erasure(api: Api, path: str, body: dict[str, Any], by: str) -> Any:
    referral_id = UUID(body["referral_id"])
    return api.client.post(
        f"/erasure-requests{path}",
        json={"expected_version": api.versions[referral_id], **body},
        headers=api.headers(by),
    )


def erasure_ok(api: Api, path: str, body: dict[str, Any], by: str) -> dict[str, Any]:
    response = erasure(api, path, body, by)
    assert response.status_code in {200, 201}, response.text
    result: dict[str, Any] = response.json()
    api.versions[UUID(body["referral_id"])] = result["version"]
    return result


def erase_case(api: Api, referral_id: UUID, groups: list[str] | None = None) -> None:
    """Request (dpo-1), approve (dpo-2) and execute the erasure of the case's key groups."""
    requested = catalogue.erasure_requested()
    if groups is not None:
        requested = requested.but(key_groups=groups)
    case = steps.case_of(api, referral_id).then(requested)
    number = sum(1 for e in api.history(referral_id) if e["event"] == "ErasureRequested")
    case.then(catalogue.erasure_approved(number), catalogue.erasure_executed(number))


def wait_for_views(api: Api) -> None:
    position = api.log_position()
    api.case(next(iter(api.versions)), after=position)
