"""Who is looking at a console page: the session the cookie names, or a way to sign in.

State-changing requests (sign-in, sign-out, revealing sealed content) carry the session's
CSRF token in the form and, when the browser sends one, an Origin of this service; the
session cookie is SameSite=Strict besides.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse

from api.console.sessions import COOKIE, ConsoleSession, ConsoleSessions

CONSOLE = "/console"


class SignInNeededError(Exception):
    """No live session: the page sends the browser to sign in, and back afterwards."""

    def __init__(self, back_to: str) -> None:
        super().__init__("sign in to use the console")
        self.back_to = back_to


class ForgedRequestError(Exception):
    """A form without this session's token, or from another origin: nothing is done."""


def sessions(request: Request) -> ConsoleSessions:
    held: ConsoleSessions = request.app.state.console_sessions
    return held


def wall_clock(request: Request) -> datetime:
    """Sessions expire in real time, whatever business time the ledger keeps."""
    now: Callable[[], datetime] = getattr(
        request.app.state, "console_clock", lambda: datetime.now(UTC)
    )
    return now()


async def _signed_in(request: Request) -> ConsoleSession:
    session = sessions(request).find(request.cookies.get(COOKIE), wall_clock(request))
    if session is None:
        raise SignInNeededError(_here(request))
    return session


SignedIn = Annotated[ConsoleSession, Depends(_signed_in)]


def optional_session(request: Request) -> ConsoleSession | None:
    return sessions(request).find(request.cookies.get(COOKIE), wall_clock(request))


def check_form(request: Request, offered: str | None, expected: str) -> None:
    """Refuse a state-changing form that is not this session's own."""
    origin = request.headers.get("origin")
    if origin is not None and origin != _own_origin(request):
        raise ForgedRequestError
    if not offered or not hmac.compare_digest(offered.encode(), expected.encode()):
        raise ForgedRequestError


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a console page of this service, never elsewhere."""
    if target and target.startswith(CONSOLE + "/") and "\\" not in target and "//" not in target:
        return target
    return CONSOLE + "/"


def sign_in_redirect(back_to: str) -> RedirectResponse:
    return RedirectResponse(
        f"{CONSOLE}/sign-in?next={quote(back_to, safe='/')}",
        status_code=303,
        headers={"Cache-Control": "no-store"},
    )


def _here(request: Request) -> str:
    return request.url.path if request.method == "GET" else CONSOLE + "/"


def _own_origin(request: Request) -> str:
    return f"{request.url.scheme}://{request.url.netloc}"
