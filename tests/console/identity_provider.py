"""A council identity provider for the tests: the authorisation code flow of OpenID Connect
with PKCE, served for real on a local port (the council's own provider cannot run here).

It signs the person in at once (no login form), remembers each code once, checks the client's
secret, the redirect and the PKCE verifier at the token endpoint, and issues an RS256 ID
token carrying the nonce and the roles and agency claims the service reads.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import urlencode

import jwt
import uvicorn
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse

ISSUER = "https://idp.norfolk.example/realms/safeguarding"
CLIENT_ID = "vtr-console"
CLIENT_SECRET = "console-secret-for-tests"
KEY_ID = "signing-2026"


@dataclass
class Provider:
    key: rsa.RSAPrivateKey
    claims: dict[str, Any]  # who signs in: roles, agency, subject
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    nonce_override: str | None = None  # a provider that gets the nonce wrong
    port: int = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/authorize")
        def authorize(request: Request) -> RedirectResponse:
            asked = dict(request.query_params)
            code = secrets.token_urlsafe(16)
            self.codes[code] = asked
            back = urlencode({"code": code, "state": asked["state"]})
            return RedirectResponse(f"{asked['redirect_uri']}?{back}", status_code=303)

        @app.post("/token")
        def token(
            request: Request,
            grant_type: Annotated[str, Form()],
            code: Annotated[str, Form()],
            redirect_uri: Annotated[str, Form()],
            code_verifier: Annotated[str, Form()],
        ) -> JSONResponse:
            expected = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
            asked = self.codes.pop(code, None)
            challenge = base64.urlsafe_b64encode(hashlib.sha256(code_verifier.encode()).digest())
            if (
                request.headers.get("authorization") != expected
                or grant_type != "authorization_code"
                or asked is None
                or asked["redirect_uri"] != redirect_uri
                or asked["code_challenge"] != challenge.decode().rstrip("=")
            ):
                return JSONResponse({"error": "invalid_grant"}, status_code=400)
            now = int(time.time())
            claims = {
                "iss": ISSUER,
                "aud": CLIENT_ID,
                "iat": now,
                "exp": now + 300,
                "nonce": self.nonce_override or asked["nonce"],
                **self.claims,
            }
            id_token = jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": KEY_ID})
            return JSONResponse({"id_token": id_token, "token_type": "Bearer"})

        return app


@contextmanager
def serving(provider: Provider) -> Iterator[Provider]:
    config = uvicorn.Config(
        provider.app(), host="127.0.0.1", port=0, log_config=None, access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the identity provider did not start"
        time.sleep(0.05)
    provider.port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield provider
    finally:
        server.should_exit = True
        thread.join(timeout=20)
