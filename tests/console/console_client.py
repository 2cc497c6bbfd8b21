"""A browser's view of the console over the real HTTP stack: a cookie jar, forms with their
CSRF tokens, and no redirect followed unless asked."""

from __future__ import annotations

import re
from typing import Any, Self

import httpx2 as httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.console.sessions import COOKIE
from tests.api_client import TOKENS

# The session cookie is Secure: the console is reached over HTTPS, as in service.
ORIGIN = "https://testserver"
FORM_TOKEN = re.compile(r'name="csrf_token" value="([^"]*)"')


class Browser:
    def __init__(self, app: FastAPI) -> None:
        self.client = TestClient(app, base_url=ORIGIN, follow_redirects=False)

    def __enter__(self) -> Self:
        self.client.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.client.__exit__(*exc)

    def get(self, path: str, **params: Any) -> httpx.Response:
        return self.client.get(path, params=params or None)

    def form_token(self, path: str) -> str:
        found = FORM_TOKEN.search(self.get(path).text)
        assert found, f"no form on {path}"
        return found.group(1)

    def sign_in(self, actor_id: str, *, next_page: str = "/console/") -> httpx.Response:
        return self.sign_in_with(TOKENS[actor_id], next_page=next_page)

    def sign_in_with(self, token: str, *, next_page: str = "/console/") -> httpx.Response:
        csrf = self.form_token("/console/sign-in")
        return self.client.post(
            "/console/sign-in",
            data={"token": token, "csrf_token": csrf, "next": next_page},
            headers={"Origin": ORIGIN},
        )

    def post_form(self, path: str, fields: dict[str, str], *, from_page: str) -> httpx.Response:
        return self.post(path, fields, self.form_token(from_page))

    def post(self, path: str, fields: dict[str, str], csrf: str) -> httpx.Response:
        """A form as the page's own, carrying the token the page gave."""
        return self.client.post(
            path, data={**fields, "csrf_token": csrf}, headers={"Origin": ORIGIN}
        )

    def sign_out(self) -> httpx.Response:
        return self.post_form("/console/sign-out", {}, from_page="/console/")

    @property
    def session_cookie(self) -> str | None:
        return self.client.cookies.get(COOKIE)
