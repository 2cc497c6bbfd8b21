"""The API with access control switched off, for measuring what it costs (bench only).

Every route's gate is replaced by a fixed caller: no token check, no permission matrix, no
access log. Nothing in the service itself can run this way: the bench rebuilds the routes'
handlers.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

import uvicorn
from fastapi import Request, Response
from fastapi.routing import APIRoute, request_response

from aggregates.agency import agency_id_for
from api.access.gate import GatedRoute, Grant
from api.access.identity import Principal
from api.access.permissions import MATRIX
from api.cli import load_settings
from api.http.app import api_routes, create_app
from api.http.middleware import ProblemHttpToolsProtocol
from events.vocabulary import Role

POLICE = "Norfolk Constabulary"
CALLER = Principal("bench-police", agency_id_for(POLICE), POLICE, (Role.POLICE,), "api-token")
GRANT = Grant(
    actor=CALLER.acting_as(Role.POLICE),
    principal=CALLER,
    permission=MATRIX["get_case"],
    referral_id=None,
    agency_id=None,
    break_glass=None,
    beyond_scope=False,
    purpose=None,
)
Handler = Callable[[Request], Coroutine[Any, Any, Response]]


def without_gate() -> None:
    """Every gated route skips its gate. A route builds its handler when it is declared
    (its router's module imported), so each gated route's handler is built again here."""
    for route in api_routes():
        if isinstance(route, GatedRoute):
            route.app = request_response(_fixed_caller(APIRoute.get_route_handler(route)))


def _fixed_caller(handler: Handler) -> Handler:
    async def ungated(request: Request) -> Response:
        request.state.grant = GRANT
        return await handler(request)

    return ungated


def main() -> None:
    settings = load_settings()  # and its logging, as `python -m api serve` configures it
    without_gate()
    app = create_app(settings)
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        http=ProblemHttpToolsProtocol,
    )


if __name__ == "__main__":
    main()
