"""Sign-in through the council's OpenID Connect provider: the authorisation code flow with
PKCE (S256), a state bound to the browser by a cookie, and a nonce checked in the ID token.

The ID token must pass the API's own verifier (issuer, audience, signature, expiry, the
roles and agency claims): set `VTR_OIDC_AUDIENCE` to the console's client id, or to an
audience the provider adds to its ID tokens for this service.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlencode

import httpx2 as httpx
import jwt
import structlog
from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from api.access.identity import AuthenticationError, Authenticator, Principal
from api.settings import Settings

STATE_COOKIE = "vtr_console_oidc"
PENDING_SECONDS = 600
TOKEN_TIMEOUT_SECONDS = 10
log = structlog.get_logger("vtr.console")


@dataclass(frozen=True)
class _Pending:
    verifier: str
    nonce: str
    back_to: str
    started: float


class PendingSignIns:
    """Sign-ins sent to the provider and not yet back: one use each, for ten minutes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_state: dict[str, _Pending] = {}

    def add(self, state: str, pending: _Pending) -> None:
        with self._lock:
            now = time.monotonic()
            for stale in [
                s for s, held in self._by_state.items() if now - held.started > PENDING_SECONDS
            ]:
                del self._by_state[stale]
            self._by_state[state] = pending

    def take(self, state: str) -> _Pending | None:
        with self._lock:
            pending = self._by_state.pop(state, None)
        if pending is None or time.monotonic() - pending.started > PENDING_SECONDS:
            return None
        return pending


def pending_sign_ins(request: Request) -> PendingSignIns:
    held: PendingSignIns = request.app.state.console_oidc_pending
    return held


def enabled(request: Request) -> bool:
    settings: Settings = request.app.state.runtime.settings
    return settings.oidc_client_id is not None


def redirect_uri(settings: Settings) -> str:
    return f"{settings.public_url}/console/sign-in/callback"


def start(request: Request, back_to: str) -> Response:
    settings: Settings = request.app.state.runtime.settings
    if settings.oidc_client_id is None or settings.oidc_authorization_endpoint is None:
        return RedirectResponse("/console/sign-in", status_code=303)
    state, verifier, nonce = (secrets.token_urlsafe(32) for _ in range(3))
    pending_sign_ins(request).add(state, _Pending(verifier, nonce, back_to, time.monotonic()))
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    query = urlencode(
        {
            "response_type": "code",
            "client_id": settings.oidc_client_id,
            "redirect_uri": redirect_uri(settings),
            "scope": "openid profile",
            "state": state,
            "nonce": nonce,
            "code_challenge": challenge.decode().rstrip("="),
            "code_challenge_method": "S256",
        }
    )
    response = RedirectResponse(
        f"{settings.oidc_authorization_endpoint}?{query}",
        status_code=303,
        headers={"Cache-Control": "no-store"},
    )
    # Lax, not Strict: the provider's redirect back is a cross-site navigation.
    response.set_cookie(
        STATE_COOKIE,
        state,
        max_age=PENDING_SECONDS,
        path="/console/sign-in",
        secure=not settings.console_insecure_cookie,
        httponly=True,
        samesite="lax",
    )
    return response


async def finish(
    request: Request, code: str | None, state: str | None
) -> tuple[str, Principal, str] | str:
    """The ID token, who it names and where to go next; or why sign-in failed, in words."""
    settings: Settings = request.app.state.runtime.settings
    if not code or not state or request.cookies.get(STATE_COOKIE) != state:
        return "The sign-in could not be completed: start again"
    pending = pending_sign_ins(request).take(state)
    if pending is None:
        return "The sign-in took too long or was already used: start again"
    id_token = await _exchange(settings, code, pending.verifier)
    if id_token is None:
        return "The identity provider did not issue an ID token: start again"
    authenticator: Authenticator = request.app.state.authenticator
    try:
        principal = authenticator.authenticate(
            id_token, request.app.state.runtime.ledger.clock.now()
        )
    except AuthenticationError as error:
        log.info("console_oidc_refused", reason=error.reason)
        return "Your account was not accepted by this service"
    claims = jwt.decode(id_token, options={"verify_signature": False})
    if not secrets.compare_digest(str(claims.get("nonce", "")), pending.nonce):
        return "The sign-in could not be completed: start again"
    return id_token, principal, pending.back_to


async def _exchange(settings: Settings, code: str, verifier: str) -> str | None:
    endpoint, client_id, secret = (
        settings.oidc_token_endpoint,
        settings.oidc_client_id,
        settings.oidc_client_secret,
    )
    if endpoint is None or client_id is None or secret is None:
        return None
    auth = (client_id, secret.get_secret_value())
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri(settings),
        "code_verifier": verifier,
    }
    try:
        async with httpx.AsyncClient(timeout=TOKEN_TIMEOUT_SECONDS) as client:
            answer = await client.post(endpoint, data=form, auth=auth)
        issued = answer.json() if answer.status_code == 200 else {}  # noqa: PLR2004
    except (httpx.HTTPError, ValueError) as error:
        log.warning("console_oidc_token_endpoint_failed", error=type(error).__name__)
        return None
    token = issued.get("id_token") if isinstance(issued, dict) else None
    return token if isinstance(token, str) else None
