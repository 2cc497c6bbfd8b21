"""Steps taken over HTTP: each as its route's JSON body, sent by the test client."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any
from uuid import UUID

import httpx2 as httpx
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic_core import to_jsonable_python

from commands.application import command_model
from commands.context import Actor
from scenarios.drivers import Refused, with_version

ACCEPTED = {200, 201}


class HttpDriver:
    """Steps as requests to the running service, each as its route's JSON body."""

    def __init__(
        self,
        client: TestClient,
        headers: Callable[[Actor], dict[str, str]],
        routes: Iterable[APIRoute],
        versions: dict[UUID, int] | None = None,
    ) -> None:
        self.client = client
        self.headers = headers
        self.paths = {route.name: route.path for route in routes}  # a route is named as its command
        self.versions = {} if versions is None else versions
        self.answer: dict[str, Any] = {}  # the service's answer to the last step it accepted

    def take(self, command: str, about: UUID | None, body: Mapping[str, Any], by: Actor) -> UUID:
        response = self.request(command, about, body, by)
        if response.status_code not in ACCEPTED:
            raise Refused(command, response.status_code, response.text)
        return UUID(self.answer.get("referral_id") or self.answer["agency_id"])

    def request(
        self, command: str, about: UUID | None, body: Mapping[str, Any], by: Actor
    ) -> httpx.Response:
        """The step's request, and the service's response as it came, a refusal's too; an
        accepted step's answer is kept (`answer`) and the version it names tracked."""
        model = command_model(command)
        version = None if about is None else self.versions.get(about)
        sent = with_version(model, about, body, version)
        path = self.paths[command].format(referral_id=about, agency_id=about)
        response = self.client.post(path, json=to_jsonable_python(sent), headers=self.headers(by))
        if response.status_code in ACCEPTED:
            self.answer = response.json()
            changed = UUID(self.answer.get("referral_id") or self.answer["agency_id"])
            self.versions[changed] = self.answer["version"]
        return response
