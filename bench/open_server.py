"""The API with access control switched off, for measuring what it costs (bench only).

`python -m bench.open_server`: every route's gate is replaced by a fixed caller: no token
check, no permission matrix, no access log. `python -m bench.open_server unlogged`: the gate
decides and hands its entries to the access log as always, but nothing is written, so no
read waits for a commit: what is left is the gate's own work. Nothing in the service
itself can run either way: the bench rebuilds the routes' handlers, or the log's appends.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

import uvicorn
from fastapi import Request, Response
from fastapi.routing import APIRoute, request_response

from aggregates.agency import agency_id_for
from api.access.gate import GatedRoute, Grant
from api.access.identity import Principal
from api.access.log import Consultation, PostgresAccessLog, SQLiteAccessLog
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


def without_access_log() -> None:
    """The gate's entries reach the access log's writer as always, but the stores drop them:
    no round trip, no commit to wait for."""

    def not_written(_log: object, _consultations: Sequence[Consultation]) -> None:
        return None

    async def not_written_async(_log: object, _consultations: Sequence[Consultation]) -> None:
        return None

    # A bench-only server: the stores' own methods are replaced, for this process alone.
    PostgresAccessLog.append_all = not_written  # type: ignore[method-assign,assignment]
    PostgresAccessLog.append_all_async = not_written_async  # type: ignore[method-assign,assignment]
    SQLiteAccessLog.append_all = not_written  # type: ignore[method-assign,assignment]


SWITCHED_OFF = {"open": without_gate, "unlogged": without_access_log}


def main() -> None:
    settings = load_settings()  # and its logging, as `python -m api serve` configures it
    SWITCHED_OFF[sys.argv[1] if len(sys.argv) > 1 else "open"]()
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
