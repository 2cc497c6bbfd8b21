"""The console's place in the app: its pages, its styles and assets, its error pages."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

from api.console import case_pages, record_pages, sign_in
from api.console.api_reads import ApiRefusalError
from api.console.guard import (
    CONSOLE,
    ForgedRequestError,
    SignInNeededError,
    optional_session,
    sessions,
    sign_in_redirect,
)
from api.console.oidc import PendingSignIns
from api.console.rendering import page
from api.console.sessions import COOKIE, ConsoleSessions
from api.http.routers import serve_routes
from api.settings import Settings

STATIC = Path(__file__).parent / "static"
log = structlog.get_logger("vtr.console")
TITLES = {
    403: "You do not have access to this",
    404: "Page not found",
    422: "There is a problem with what you asked for",
    503: "Sorry, the service is unavailable",
}


def install_console(app: FastAPI, settings: Settings) -> None:
    app.state.console_sessions = ConsoleSessions(
        idle=timedelta(minutes=settings.console_idle_minutes),
        lifetime=timedelta(hours=settings.console_session_hours),
    )
    app.state.console_oidc_pending = PendingSignIns()
    if (STATIC / "console.css").exists():
        app.mount(f"{CONSOLE}/assets", StaticFiles(directory=STATIC), name="console-assets")
    else:
        # Still usable (GOV.UK pages work unstyled), and the reason is in the log.
        log.warning("console_styles_missing", fix="run `make` to build the console's assets")
    for router in (sign_in.router, record_pages.router, case_pages.router):
        serve_routes(app, router)
    app.add_api_route(CONSOLE, _to_home, include_in_schema=False, methods=["GET"])
    app.add_api_route(
        CONSOLE + "/{unknown:path}", _not_found, include_in_schema=False, methods=["GET", "POST"]
    )
    app.add_exception_handler(SignInNeededError, _sign_in_needed)
    app.add_exception_handler(ApiRefusalError, _refused)
    app.add_exception_handler(ForgedRequestError, _forged)
    api_invalid = app.exception_handlers[RequestValidationError]

    async def invalid(request: Request, error: Exception) -> Response:
        """A console address or form that does not parse is a GOV.UK page; the API's own
        requests keep their problem+json."""
        if not request.url.path.startswith(CONSOLE + "/"):
            answered = api_invalid(request, error)
            return answered if isinstance(answered, Response) else await answered
        if isinstance(error, RequestValidationError) and any(
            part == "path" for problem in error.errors() for part in problem.get("loc", ())[:1]
        ):
            return await _not_found(request)
        return _error_page(request, 422, "Check what you entered: nothing was done.")

    app.add_exception_handler(RequestValidationError, invalid)


def _to_home() -> Response:
    return Response(status_code=307, headers={"Location": CONSOLE + "/"})


async def _not_found(request: Request) -> HTMLResponse:
    return _error_page(request, 404, "If you typed the address, check it is correct.")


async def _sign_in_needed(_request: Request, error: Exception) -> Response:
    back_to = error.back_to if isinstance(error, SignInNeededError) else CONSOLE + "/"
    return sign_in_redirect(back_to)


async def _forged(request: Request, _error: Exception) -> Response:
    return _error_page(
        request, 403, "The form had expired or did not come from this service: nothing was done."
    )


async def _refused(request: Request, error: Exception) -> Response:
    """The API refused the page's read: say so in its own words, which never name what the
    caller may not see."""
    if not isinstance(error, ApiRefusalError):
        raise error
    if error.status == 401:  # noqa: PLR2004 (the token was revoked or has expired)
        sessions(request).end(request.cookies.get(COOKIE))
        response = sign_in_redirect(request.url.path)
        response.delete_cookie(COOKIE, path=CONSOLE)
        return response
    status = error.status if error.status in TITLES else 503
    # The API's own title when it names what is missing ("There is no such referral").
    title = error.title if status == 404 else TITLES[status]  # noqa: PLR2004
    return _error_page(request, status, error.detail, problems=error.problems, title=title)


def _error_page(
    request: Request,
    status: int,
    detail: str,
    problems: tuple[str, ...] = (),
    title: str | None = None,
) -> HTMLResponse:
    return page(
        request,
        "error.html",
        optional_session(request),
        status=status,
        case_data=False,
        title=title or TITLES.get(status, TITLES[503]),
        detail=detail,
        problems=problems,
    )
