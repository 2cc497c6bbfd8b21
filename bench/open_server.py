"""The API with access control switched off, for measuring what it costs (bench only).

Every route's gate is replaced by a fixed caller: no token check, no permission matrix, no
access log. Nothing in the service itself can run this way: the bench rebuilds the routes.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

import uvicorn
from fastapi import Request, Response
from fastapi.routing import APIRoute

from aggregates.agency import agency_id_for
from api.access.gate import GatedRoute, Grant
from api.access.identity import Principal
from api.access.permissions import MATRIX
from api.http.app import create_app
from api.http.middleware import ProblemHttpToolsProtocol
from api.settings import Settings
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
    """Every gated route's handler built from now on skips the gate. FastAPI builds an
    included route's handler when the router is included (in `create_app`), so replacing a
    route's `app` afterwards changes nothing: the handler must be swapped before."""

    def ungated_handler(self: GatedRoute) -> Handler:
        return _fixed_caller(APIRoute.get_route_handler(self))

    GatedRoute.get_route_handler = ungated_handler  # type: ignore[method-assign]


def _fixed_caller(handler: Handler) -> Handler:
    async def ungated(request: Request) -> Response:
        request.state.grant = GRANT
        return await handler(request)

    return ungated


def main() -> None:
    settings = Settings()
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
