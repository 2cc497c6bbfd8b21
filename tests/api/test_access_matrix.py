"""Generated from the permission matrix: every route, as every role, on a case (and agency)
of the caller's own and of another. Allowed calls pass the gate (reads answer 200); every
other call is 401 or 403 and tells nothing, not even whether the case exists."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from api.access.permissions import ALL_AGENCIES, MATRIX, Permission, Scope
from api.http.app import api_routes, create_app
from api.settings import Settings
from events.vocabulary import Role
from tests.api_client import Api
from tests.conftest import make_settings
from tests.section8_support import case_with_disclosures
from tests.sharing_support import MENTORS, register_agencies
from tests.support import ACTORS, FixedClock, referral_form, token_for

ONE_PER_ROLE = {
    Role.MASH_TRIAGE: "triage-1",
    Role.MASH_OPERATIONAL_DESK: "desk-1",
    Role.POLICE: "police-1",
    Role.CHILDRENS_SERVICES: "cs-1",
    Role.ADULT_SOCIAL_SERVICES: "ass-1",
    Role.MEETING_CHAIR: "chair-1",
    Role.MINUTE_TAKER: "minutes-1",
    Role.PARTNER_AGENCY: "school-1",
    Role.HEAD_OF_SAFEGUARDING: "hos-1",
    Role.DETECTIVE_SUPERINTENDENT: "dsupt-1",
    Role.COMPLIANCE_OFFICER: "dpo-1",
    Role.REFERRER: "referrer-1",
    Role.ADMINISTRATOR: "admin-1",
    Role.WITNESS: "witness-1",
}
QUERY: dict[str, dict[str, str | int]] = {
    "records_of_processing": {"from": "2026-01-01", "to": "2026-12-31"}
}
QUERY["s62_logs"] = QUERY["records_of_processing"]
QUERY["timeliness"] = QUERY["records_of_processing"]
QUERY["changes"] = {"from": "2026-01-01T00:00:00+00:00"}
QUERY["inclusion_proof"] = {"position": 1, "tree_size": 1}
QUERY["consistency_proof"] = {"first": 1, "second": 1}


@dataclass(frozen=True)
class World:
    """A case the school (a partner agency) is involved in, recorded by MASH triage; and a
    case recorded by the referrer, which the school has no part in."""

    school_case: UUID
    referrer_case: UUID
    agencies: dict[str, UUID]


@pytest.fixture(scope="module")
def world_api(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[tuple[Api, World]]:
    root = tmp_path_factory.mktemp("matrix")
    settings: Settings
    # The gate is the same on both stores; a checkpoint after every event, so there is one.
    (settings,) = make_settings("sqlite", root, request, checkpoint_every_events=1)
    clock = FixedClock()
    with TestClient(create_app(settings, clock=clock)) as client:
        api = Api(client)
        agencies = register_agencies(api)
        school_case = case_with_disclosures(
            api, clock, agencies, "2026-03-05", [["Greenfield High School"]]
        )
        response = client.post(
            "/referrals", json=referral_form(), headers=api.headers("referrer-1")
        )
        assert response.status_code == 201, response.text
        referrer_case = UUID(response.json()["referral_id"])
        client.app.state.runtime.projections.seal()  # type: ignore[attr-defined]
        yield api, World(school_case, referrer_case, agencies)


def own_case(role: Role, world: World) -> UUID:
    return world.referrer_case if role is Role.REFERRER else world.school_case


def other_case(role: Role, world: World) -> UUID:
    return world.school_case if role is Role.REFERRER else world.referrer_case


def own_agency(role: Role, world: World) -> UUID:
    agency = ACTORS[ONE_PER_ROLE[role]].agency
    return world.agencies.get(agency, world.agencies[MENTORS])


def expected(permission: Permission, role: Role, own: bool) -> bool:
    """Whether the matrix lets `role` call the route on its own (or another's) case/agency."""
    if role not in permission.roles:
        return False
    if permission.scope is Scope.CASE and role in {Role.PARTNER_AGENCY, Role.REFERRER}:
        return own
    if permission.scope is Scope.AGENCY and role not in ALL_AGENCIES:
        return own
    return True


def call(
    api: Api, route: APIRoute, path: str, token: str | None, agency_id: UUID | None = None
) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if MATRIX[route.name].reveals:  # the route opens sealed content: it needs a purpose
        headers["Access-Purpose"] = "Matrix check"
    method = next(iter(route.methods or {"GET"}))
    if method == "GET":
        params = dict(QUERY.get(route.name, {}))
        if agency_id is not None and names_agency_in_query(route):
            params["agency_id"] = str(agency_id)
        return api.client.get(path, params=params, headers=headers)
    return api.client.request(method, path, json={}, headers=headers)


def path_for(route: APIRoute, referral_id: UUID, agency_id: UUID) -> str:
    return route.path.replace("{referral_id}", str(referral_id)).replace(
        "{agency_id}", str(agency_id)
    )


def names_agency_in_query(route: APIRoute) -> bool:
    """An agency-scoped route without an agency in its path takes it as a filter."""
    return MATRIX[route.name].scope is Scope.AGENCY and "{agency_id}" not in route.path


def own_agency_filter(role: Role) -> UUID:
    """The caller's own agency as a filter names it: by the id its credential carries,
    whether or not the world registered it (the MASH, for one, is not)."""
    agency_id = ACTORS[ONE_PER_ROLE[role]].agency_id
    assert agency_id is not None
    return agency_id


def test_every_route_every_role_own_and_other(world_api: tuple[Api, World]) -> None:
    api, world = world_api
    wrong: list[str] = []
    for route in api_routes():
        permission = MATRIX[route.name]
        if permission.public:
            status = call(api, route, route.path, None).status_code
            if status != 200:
                wrong.append(f"{route.name}: public route answered {status}")
            continue
        anonymous = call(api, route, path_for(route, world.school_case, uuid4()), None)
        if anonymous.status_code != 401:
            wrong.append(f"{route.name} without a token: {anonymous.status_code}")
        for role, actor_id in ONE_PER_ROLE.items():
            token = token_for(ACTORS[actor_id])
            for own in (True, False):
                case = own_case(role, world) if own else other_case(role, world)
                agency = own_agency(role, world) if own else world.agencies[MENTORS]
                named = own_agency_filter(role) if own else agency
                response = call(api, route, path_for(route, case, agency), token, named)
                wrong.extend(_judge(api, route, permission, role, own, response, token))
    assert wrong == []


def _judge(
    api: Api,
    route: APIRoute,
    permission: Permission,
    role: Role,
    own: bool,
    response: Any,
    token: str,
) -> list[str]:
    where = f"{route.name} as {role} on {'own' if own else 'other'}"
    status = response.status_code
    if expected(permission, role, own):
        reads = "GET" in (route.methods or set())
        if status in {401, 403} or (reads and status != 200):
            return [f"{where}: allowed but answered {status} {response.text[:120]}"]
        return []
    if status != 403:
        return [f"{where}: should be refused, answered {status}"]
    if permission.scope is Scope.CASE and "{referral_id}" in route.path:
        unknown = call(api, route, path_for(route, uuid4(), uuid4()), token)
        if (unknown.status_code, unknown.json()["detail"]) != (403, response.json()["detail"]):
            return [f"{where}: a refusal differs for a case that does not exist"]
    return []


def test_the_matrix_names_every_route_and_only_routes() -> None:
    names = {route.name for route in api_routes()}
    assert names == set(MATRIX)


def test_break_glass_never_lets_a_command_through(world_api: tuple[Api, World]) -> None:
    """Every command route, as every role it is open to, refuses a Break-Glass header, on the
    caller's own case as on another's, and stores nothing."""
    api, world = world_api
    before = api.log_position()
    wrong: list[str] = []
    for route in api_routes():
        if "GET" in (route.methods or set()) or MATRIX[route.name].public:
            continue
        for role in MATRIX[route.name].roles:
            token = token_for(ACTORS[ONE_PER_ROLE[role]])
            for case in (own_case(role, world), other_case(role, world)):
                path = path_for(route, case, own_agency(role, world))
                answer = api.client.post(
                    path,
                    json={},
                    headers={
                        "Authorization": f"Bearer {token}",
                        "Break-Glass": "An emergency that needs this change now",
                    },
                )
                if (answer.status_code, answer.json().get("rule")) != (
                    403,
                    "break-glass-read-only",
                ):
                    wrong.append(f"{route.name} as {role}: {answer.status_code} {answer.text}")
    assert wrong == []
    assert api.log_position() == before


def test_lists_are_scoped_like_single_reads(world_api: tuple[Api, World]) -> None:
    """The case list holds, for each role, exactly the cases it may read one by one."""
    api, world = world_api
    every_case = [world.school_case, world.referrer_case]
    for role, actor_id in ONE_PER_ROLE.items():
        if role not in MATRIX["list_cases"].roles:
            continue
        headers = {"Authorization": f"Bearer {token_for(ACTORS[actor_id])}"}
        listed = api.client.get("/referrals", headers=headers)
        assert listed.status_code == 200
        in_list = {item["referral_id"] for item in listed.json()["items"]}
        readable = {
            str(case)
            for case in every_case
            if api.client.get(f"/referrals/{case}", headers=headers).status_code == 200
        }
        assert in_list == readable, role
