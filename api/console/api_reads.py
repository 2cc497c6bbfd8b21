"""The console reads through the API itself, in-process, as the signed-in person.

Every page asks the API's own routes, with the session's credential in the Authorization
header: the same gate, permission matrix, scoping, sealing and access log as any API client,
so the console can never show what the API would refuse, and each page's reads are logged
exactly as the API logs them. The console's request id travels as the API call's
X-Request-ID, so an access-log entry names the page view that caused it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx2 as httpx
from fastapi import FastAPI, Request

from api.console.sessions import ConsoleSession

INTERNAL_ORIGIN = "http://console.internal"


@dataclass(frozen=True)
class ApiRefusalError(Exception):
    """The API refused or failed the read: its status and its problem's words."""

    status: int
    title: str
    detail: str
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class ApiAnswer:
    status: int
    body: bytes
    media_type: str
    headers: Mapping[str, str]

    def json(self) -> Any:
        return httpx.Response(self.status, content=self.body).json()


class ApiReads:
    """The reads of one page view, in the name of the session's holder."""

    def __init__(self, request: Request, session: ConsoleSession) -> None:
        self._app: FastAPI = request.app
        self._headers = {
            "Authorization": f"Bearer {session.credential}",
            "X-Request-ID": str(request.state.request_id),
        }

    async def get(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        purpose: str | None = None,
    ) -> ApiAnswer:
        """The API's answer to GET `path`; a refusal or failure raises ApiRefusalError."""
        headers = dict(self._headers)
        if purpose:
            headers["Access-Purpose"] = purpose
        query = {name: value for name, value in (params or {}).items() if value not in (None, "")}
        # A task of its own: the API's request binds its own log context, which must not
        # become the page view's.
        response = await asyncio.create_task(self._call(path, query, headers))
        answer = ApiAnswer(
            status=response.status_code,
            body=response.content,
            media_type=response.headers.get("content-type", ""),
            headers=dict(response.headers),
        )
        if response.status_code >= 400:  # noqa: PLR2004 (HTTP status)
            raise _refusal(answer)
        return answer

    async def _call(
        self, path: str, query: Mapping[str, Any], headers: Mapping[str, str]
    ) -> httpx.Response:
        transport = httpx.ASGITransport(app=self._app)
        async with httpx.AsyncClient(transport=transport, base_url=INTERNAL_ORIGIN) as client:
            return await client.get(path, params=query, headers=headers)

    async def json(
        self, path: str, params: Mapping[str, Any] | None = None, *, purpose: str | None = None
    ) -> Any:
        return (await self.get(path, params, purpose=purpose)).json()


def _refusal(answer: ApiAnswer) -> ApiRefusalError:
    try:
        problem = answer.json()
    except ValueError:
        problem = {}
    if not isinstance(problem, dict):
        problem = {}
    return ApiRefusalError(
        status=answer.status,
        title=str(problem.get("title") or "The request was refused"),
        detail=str(problem.get("detail") or ""),
        problems=tuple(_problems(problem)),
    )


def _problems(problem: dict[str, Any]) -> list[str]:
    """The fields a 422 names, in words (the API never echoes the input back)."""
    found = []
    for error in problem.get("errors", []) or []:
        if isinstance(error, dict):
            where = error.get("field") or error.get("loc") or ""
            if isinstance(where, list):
                where = ".".join(str(part) for part in where)
            where = str(where).removeprefix("query.")
            found.append(f"{where}: {error.get('message') or error.get('msg') or ''}".strip(": "))
    return found
