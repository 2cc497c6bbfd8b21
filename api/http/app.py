"""The composition root: one FastAPI app per process, one runtime per app."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import partial
from uuid import UUID, uuid4

import jwt
from fastapi import FastAPI
from fastapi.routing import APIRoute

from api.access.gate import agency_name
from api.access.identity import Authenticator, OidcVerifier, TokenStore, load_jwks
from api.bootstrap import open_runtime
from api.console.install import install_console
from api.http.errors import install_error_handlers
from api.http.middleware import RequestLog
from api.http.openapi import install_openapi
from api.http.outages import install_outage_handlers
from api.http.routers import serve_routes
from api.http.routes import (
    access_log,
    agency,
    cases,
    catalogues,
    conclusion,
    consent,
    deadlines,
    disposal,
    dispute,
    erasure,
    health,
    intake,
    integrity,
    meetings,
    registers,
    replay,
    review,
    sharing,
    strategy_discussion,
    strategy_meeting,
)
from api.settings import Settings
from commands.clock import Clock

# One router per stage of the process (the same names as in events/, aggregates/ and
# commands/), then the reads that cut across stages.
ROUTERS = (
    intake.router,
    strategy_discussion.router,
    strategy_meeting.router,
    review.router,
    conclusion.router,
    dispute.router,
    meetings.router,
    consent.router,
    sharing.router,
    disposal.router,
    erasure.router,
    agency.router,
    cases.router,
    replay.router,
    deadlines.router,
    registers.router,
    access_log.router,
    integrity.router,
    catalogues.router,
    health.router,
)
DESCRIPTION = """
An event-sourced, audit-first record of the multi-agency *Vulnerable To Radicalisation*
referral process: every step is an immutable, attributed event; personal data is sealed
per referral; lists come from a rebuildable case view.

Authenticate with `Authorization: Bearer <token>`. Every change names the
`expected_version` it was decided on and may carry an `Idempotency-Key` header.
Refusals are `application/problem+json`: 409 names the process rule in words.
"""


def create_app(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    new_id: Callable[[], UUID] = uuid4,
) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = open_runtime(settings, clock=clock, new_id=new_id)
        app.state.runtime = runtime
        app.state.authenticator = authenticator(settings, partial(agency_name, runtime))
        if settings.projections == "in-process":
            runtime.projections.start()
        try:
            yield
        finally:
            runtime.close()

    app = FastAPI(title="vtr-ledger", version="0.1.0", description=DESCRIPTION, lifespan=lifespan)
    install_error_handlers(app)
    install_outage_handlers(app)
    app.add_middleware(RequestLog)
    for router in ROUTERS:
        serve_routes(app, router)
    install_openapi(app, api_routes())
    install_console(app, settings)
    return app


def api_routes() -> list[APIRoute]:
    """Every route of the API (the permission matrix must name each one)."""
    return [route for router in ROUTERS for route in router.routes if isinstance(route, APIRoute)]


def authenticator(settings: Settings, agency_name: Callable[[UUID], str | None]) -> Authenticator:
    oidc = None
    if settings.oidc_issuer is not None and settings.oidc_audience is not None:
        keys = (
            load_jwks(settings.oidc_jwks_file)
            if settings.oidc_jwks_file is not None
            else jwt.PyJWKClient(str(settings.oidc_jwks_url), cache_keys=True)
        )
        oidc = OidcVerifier(
            settings.oidc_issuer,
            settings.oidc_audience,
            keys,
            agency_name=agency_name,
            roles_claim=settings.oidc_roles_claim,
            agency_claim=settings.oidc_agency_claim,
        )
    return Authenticator(TokenStore(settings.token_table), oidc)
