"""The API as its own description says it is: schemathesis fuzzes every operation, as every
role and anonymously, with valid and invalid inputs, against a live server holding real
cases, and then walks chains of calls (links inferred from the schema and Location headers).

Fails on any 5xx, any status code or content type the schema does not declare, and any
response that does not match its declared schema. Bounded: a few examples per operation and
role (raise VTR_TEST_FUZZ_EXAMPLES to hunt longer), deterministic in CI.
"""

from __future__ import annotations

import itertools
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.cookiejar import DefaultCookiePolicy
from typing import Any, cast
from uuid import UUID

import httpx2 as httpx
import pytest
import requests
import schemathesis
import uvicorn
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.generation.case import Case as GenericCase
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.http.app import create_app
from api.http.middleware import ProblemHttpToolsProtocol
from api.settings import Settings
from events.vocabulary import Role
from tests.api.test_access_matrix import ONE_PER_ROLE
from tests.api_client import Api
from tests.conftest import make_settings
from tests.section8_support import case_with_disclosures
from tests.sharing_support import MENTORS, SCHOOL, register_agencies, sign_isp
from tests.support import ACTORS, FixedClock, referral_form, token_for

Case = GenericCase[Any]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = int(os.environ.get("VTR_TEST_FUZZ_EXAMPLES", "3"))
STEPS = int(os.environ.get("VTR_TEST_FUZZ_STEPS", "6"))
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)


@dataclass(frozen=True)
class LiveWorld:
    base_url: str
    referral_ids: tuple[UUID, ...]
    agency_ids: tuple[UUID, ...]
    drawn: dict[tuple[str, GenerationMode], list[Case]] = field(default_factory=dict)


@pytest.fixture(scope="module")
def live_world(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[LiveWorld]:
    root = tmp_path_factory.mktemp("fuzz")
    settings: Settings
    (settings,) = make_settings("sqlite", root, request)
    clock = FixedClock()
    config = uvicorn.Config(
        create_app(settings, clock=clock),
        host="127.0.0.1",
        port=0,
        http=ProblemHttpToolsProtocol,
        log_config=None,
        access_log=False,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    base_url = f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    with httpx.Client(base_url=base_url, timeout=30) as client:
        api = Api(cast("TestClient", client), clock)
        agencies = register_agencies(api)
        assert sign_isp(api, agencies[MENTORS]).status_code == 200
        cases = (
            case_with_disclosures(api, clock, agencies, "2026-03-05", [[SCHOOL]]),
            case_with_disclosures(api, clock, agencies, "2026-03-09", [[MENTORS]]),
            api.received(referral_form()),
        )
    yield LiveWorld(base_url, cases, tuple(agencies.values()))
    server.should_exit = True
    thread.join(timeout=30)


def bearer(role: Role | None) -> dict[str, str]:
    if role is None:
        return {}
    return {"Authorization": f"Bearer {token_for(ACTORS[ONE_PER_ROLE[role]])}"}


class RealIds:
    """Points some generated path ids at real cases and agencies, so a fuzzed call reaches
    past the 404s and 403s into the routes themselves."""

    def __init__(self, world: LiveWorld) -> None:
        self._referrals = itertools.cycle([*world.referral_ids, None])
        self._agencies = itertools.cycle([*world.agency_ids, None])

    def apply(self, case: Case) -> None:
        parameters = case.path_parameters or {}
        for name, ids in (("referral_id", self._referrals), ("agency_id", self._agencies)):
            if name in parameters and (chosen := next(ids)) is not None:
                parameters[name] = str(chosen)


def drawn_cases(operation: Any, world: LiveWorld, mode: GenerationMode) -> list[Case]:
    """The operation's generated calls, drawn once and sent as every role: the draw is
    derandomised, so each role would get the very same calls, and drawing them is most of
    the fuzzing's cost."""
    key = (operation.label, mode)
    if key not in world.drawn:
        ids, cases = RealIds(world), world.drawn.setdefault(key, [])

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=mode))
        def draw(case: Case) -> None:
            ids.apply(case)
            cases.append(case)

        draw()
    return world.drawn[key]


def fuzz_operation(
    operation: Any,
    world: LiveWorld,
    role: Role | None,
    mode: GenerationMode,
    session: requests.Session,
) -> None:
    for case in drawn_cases(operation, world, mode):
        response = case.call(
            base_url=world.base_url, session=session, headers=bearer(role), timeout=30
        )
        case.validate_response(response, checks=CHECKS)


def calls_of_one_role() -> requests.Session:
    """One connection kept open for a role's calls. No cookie is kept from one call to the
    next, and nothing from the environment (proxies, netrc) is looked up for each call."""
    session = requests.Session()
    session.trust_env = False
    session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
    return session


ROLES: list[Role | None] = [None, *ONE_PER_ROLE]


@pytest.mark.parametrize("role", ROLES, ids=lambda role: str(role or "anonymous"))
def test_every_operation_answers_as_described_for_every_role(
    live_world: LiveWorld, role: Role | None
) -> None:
    schema = schemathesis.openapi.from_url(f"{live_world.base_url}/openapi.json")
    failures: list[str] = []
    results = list(schema.get_all_operations())
    operations = [result.ok() for result in results if isinstance(result, Ok)]
    assert len(operations) == len(results), "every operation's description is valid"
    assert len(operations) > 40
    with calls_of_one_role() as session:
        for operation, mode in itertools.product(operations, MODES):
            try:
                fuzz_operation(operation, live_world, role, mode, session)
            except Exception as failure:  # noqa: BLE001 (gather every operation's failure)
                failures.append(f"{operation.label} [{mode.value}]: {failure}"[:2000])
    assert failures == [], "\n\n".join(failures)


@pytest.mark.parametrize("role", [Role.MASH_TRIAGE, Role.COMPLIANCE_OFFICER, Role.PARTNER_AGENCY])
def test_chains_of_calls_answer_as_described(live_world: LiveWorld, role: Role) -> None:
    schema = schemathesis.openapi.from_url(f"{live_world.base_url}/openapi.json")
    machine = schema.as_state_machine()

    class AsRole(machine):  # type: ignore[valid-type, misc]
        def get_call_kwargs(self, case: Case) -> dict[str, Any]:
            del case
            return {"headers": bearer(role), "base_url": live_world.base_url, "timeout": 30}

        def validate_response(
            self,
            response: Any,
            case: Case,
            additional_checks: Any = None,
            **kwargs: Any,
        ) -> None:
            del additional_checks, kwargs
            case.validate_response(response, checks=CHECKS)

    AsRole.run(
        settings=settings(
            max_examples=EXAMPLES * 4,
            stateful_step_count=STEPS,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
    )
