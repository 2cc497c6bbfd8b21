"""Signing in to the console with the API's own credentials, and signing out.

An API token is pasted once; with `VTR_OIDC_CLIENT_ID` and its companions set, the council's
identity provider signs people in with the authorisation code flow (PKCE, state and nonce),
and the ID token it issues is the session's credential. Either way the API's authenticator
decides, exactly as it does for a bearer token.
"""

from __future__ import annotations

import secrets
from typing import Annotated

import structlog
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.access.identity import AuthenticationError, Authenticator, Principal
from api.console import oidc
from api.console.guard import (
    CONSOLE,
    check_form,
    optional_session,
    safe_next,
    sessions,
    wall_clock,
)
from api.console.rendering import page
from api.console.sessions import COOKIE

router = APIRouter(prefix=CONSOLE, include_in_schema=False)
SIGN_IN_COOKIE = "vtr_console_sign_in"  # binds the sign-in form to this browser
SIGN_IN_MINUTES = 10
log = structlog.get_logger("vtr.console")


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_form(request: Request, next: str | None = None) -> Response:  # noqa: A002
    if optional_session(request) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _form(request, safe_next(next))


@router.post("/sign-in", response_class=HTMLResponse)
def sign_in(
    request: Request,
    token: Annotated[str, Form(max_length=8192)] = "",
    csrf_token: Annotated[str, Form(max_length=128)] = "",
    next: Annotated[str, Form(max_length=2048)] = "",  # noqa: A002
) -> Response:
    back_to = safe_next(next)
    check_form(request, csrf_token, request.cookies.get(SIGN_IN_COOKIE, ""))
    token = token.strip()
    if not token:
        return _form(request, back_to, error="Enter your API token", status=422)
    authenticator: Authenticator = request.app.state.authenticator
    runtime = request.app.state.runtime
    try:
        principal = authenticator.authenticate(token, runtime.ledger.clock.now())
    except AuthenticationError as error:
        log.info("console_sign_in_refused", reason=error.reason, token_id=error.token_id)
        return _form(
            request,
            back_to,
            error="The token was not accepted: it is unknown, expired or revoked",
            status=401,
        )
    return start_session(request, token, principal, back_to)


@router.post("/sign-out")
def sign_out(request: Request, csrf_token: Annotated[str, Form(max_length=128)] = "") -> Response:
    session = optional_session(request)
    if session is not None:
        check_form(request, csrf_token, session.csrf_token)
        sessions(request).end(request.cookies.get(COOKIE))
        log.info("console_signed_out", actor_id=session.principal.actor_id)
    response = RedirectResponse(f"{CONSOLE}/signed-out", status_code=303)
    response.delete_cookie(COOKIE, path=CONSOLE, secure=_secure(request), httponly=True)
    # The browser forgets every page it kept, so the back button shows nothing.
    response.headers["Clear-Site-Data"] = '"cache", "cookies"'
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/signed-out", response_class=HTMLResponse)
def signed_out(request: Request) -> Response:
    return page(request, "signed_out.html", None, case_data=False)


@router.get("/sign-in/oidc")
def oidc_start(request: Request, next: str | None = None) -> Response:  # noqa: A002
    return oidc.start(request, safe_next(next))


@router.get("/sign-in/callback")
async def oidc_callback(
    request: Request, code: str | None = None, state: str | None = None
) -> Response:
    finished = await oidc.finish(request, code, state)
    if isinstance(finished, str):
        return _form(request, CONSOLE + "/", error=finished, status=401)
    id_token, principal, back_to = finished
    return start_session(request, id_token, principal, back_to)


def start_session(
    request: Request, credential: str, principal: Principal, back_to: str
) -> Response:
    session_id = sessions(request).start(credential, principal, wall_clock(request))
    log.info("console_signed_in", actor_id=principal.actor_id, credential=principal.credential)
    response = RedirectResponse(back_to, status_code=303, headers={"Cache-Control": "no-store"})
    response.set_cookie(
        COOKIE,
        session_id,
        max_age=sessions(request).expires_in(),
        path=CONSOLE,
        secure=_secure(request),
        httponly=True,
        samesite="strict",
    )
    response.delete_cookie(SIGN_IN_COOKIE, path=CONSOLE + "/sign-in")
    return response


def _form(
    request: Request, back_to: str, *, error: str | None = None, status: int = 200
) -> Response:
    form_token = secrets.token_urlsafe(32)
    response = page(
        request,
        "sign_in.html",
        None,
        case_data=False,
        status=status,
        error=error,
        next=back_to,
        form_token=form_token,
        oidc_enabled=oidc.enabled(request),
    )
    response.set_cookie(
        SIGN_IN_COOKIE,
        form_token,
        max_age=SIGN_IN_MINUTES * 60,
        path=CONSOLE + "/sign-in",
        secure=_secure(request),
        httponly=True,
        samesite="strict",
    )
    return response


def _secure(request: Request) -> bool:
    settings = request.app.state.runtime.settings
    return not settings.console_insecure_cookie
