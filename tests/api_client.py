"""A thin helper over the real HTTP stack: sends commands as test actors and tracks versions."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import httpx2 as httpx
from fastapi.testclient import TestClient

from api.http.app import api_routes
from commands.context import Actor
from scenarios.builder import Scenario
from scenarios.http_driver import HttpDriver
from scenarios.step import Step
from tests.support import ACTORS, DUAL_ROLE, TEST_CAST, FixedClock, token_for

TOKENS = {
    **{actor_id: token_for(actor) for actor_id, actor in ACTORS.items()},
    "dual-1/police": token_for(DUAL_ROLE[0]),
    "dual-1/childrens_services": token_for(DUAL_ROLE[1]),
}


class Api:
    def __init__(self, client: TestClient, clock: FixedClock | None = None) -> None:
        self.client = client
        self.versions: dict[UUID, int] = {}
        self._clock = clock  # for a live server's client, which has no app to ask

    def scenario(self, driver: HttpDriver | None = None) -> Scenario:
        """The builder's steps taken over this client, by the test cast, on the app's clock
        (versions shared with `send`)."""
        clock = self._clock or self.client.app.state.runtime.ledger.clock  # type: ignore[attr-defined]
        assert isinstance(clock, FixedClock), "scenarios move the app's clock"
        return Scenario(driver or self.driver(), TEST_CAST, clock)

    def driver(self) -> HttpDriver:
        """The builder's HTTP driver over this client, sending as each test actor (one of two
        roles included) with versions shared with `send`."""
        return HttpDriver(self.client, self.headers_of, api_routes(), self.versions)

    def attempt(self, referral_id: UUID, step: Step) -> httpx.Response:
        """The request the builder sends for `step` now, and the response as it came: for a
        contract's look at an answer, a refusal's above all."""
        scenario = self.scenario()
        body, actor = scenario.concrete(step)
        return self.driver().request(step.command, referral_id, body, actor)

    def headers_of(self, actor: Actor) -> dict[str, str]:
        return {"Authorization": f"Bearer {token_for(actor)}"}

    def headers(self, by: str, key: str | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {TOKENS[by]}"}
        if key is not None:
            headers["Idempotency-Key"] = key
        return headers

    def receive(
        self, form: dict[str, Any], *, by: str = "triage-1", key: str | None = None
    ) -> httpx.Response:
        response = self.client.post("/referrals", json=form, headers=self.headers(by, key))
        if response.status_code == 201:
            self.versions[UUID(response.json()["referral_id"])] = response.json()["version"]
        return response

    def received(self, form: dict[str, Any]) -> UUID:
        response = self.receive(form)
        assert response.status_code == 201, response.text
        return UUID(response.json()["referral_id"])

    def send(
        self,
        referral_id: UUID,
        path: str,
        body: dict[str, Any] | None = None,
        *,
        by: str,
        key: str | None = None,
        version: int | None = None,
    ) -> httpx.Response:
        expected = self.versions.get(referral_id, 1) if version is None else version
        response = self.client.post(
            f"/referrals/{referral_id}/{path}",
            json={"expected_version": expected, **(body or {})},
            headers=self.headers(by, key),
        )
        if response.status_code == 200:
            self.versions[referral_id] = response.json()["version"]
        return response

    def ok(
        self, referral_id: UUID, path: str, body: dict[str, Any] | None = None, *, by: str
    ) -> dict[str, Any]:
        response = self.send(referral_id, path, body, by=by)
        assert response.status_code == 200, f"{path}: {response.status_code} {response.text}"
        result: dict[str, Any] = response.json()
        return result

    def history(self, referral_id: UUID, *, reveal: bool = False) -> list[dict[str, Any]]:
        response = self.client.get(
            f"/referrals/{referral_id}/history",
            params={"reveal": reveal},
            headers=self.headers("triage-1"),
        )
        assert response.status_code == 200, response.text
        events: list[dict[str, Any]] = response.json()["events"]
        return events

    def log_position(self) -> int:
        response = self.client.get("/referrals", headers=self.headers("triage-1"))
        assert response.status_code == 200, response.text
        position: int = response.json()["projection"]["log_position"]
        return position

    def case(self, referral_id: UUID, after: int | None = None) -> dict[str, Any]:
        params = {"after_position": after} if after else {}
        response = self.client.get(
            f"/referrals/{referral_id}", params=params, headers=self.headers("triage-1")
        )
        assert response.status_code == 200, response.text
        case: dict[str, Any] = response.json()["case"]
        return case
