"""What routes receive: the runtime's parts, the authenticated actor, the command's attribution."""

from __future__ import annotations

from typing import Annotated
from uuid import uuid4

import structlog
from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.access import Grant, authorise
from api.runtime import Runtime
from commands.application import ReferralLedger
from commands.context import Actor, Issued


# Dependencies that do no I/O are async: FastAPI would run a plain `def` in the thread pool.
async def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(_runtime)]


async def _ledger(runtime: RuntimeDep) -> ReferralLedger:
    return runtime.ledger


LedgerDep = Annotated[ReferralLedger, Depends(_ledger)]

_bearer = HTTPBearer(auto_error=False, description="An API token, or an identity-provider JWT.")


def authorise_request(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Grant:
    # A plain `def`, run in a worker thread: authorising may read the case and writes the
    # access log.
    return authorise(request, credentials.credentials if credentials else None)


async def _grant(grant: Annotated[Grant, Depends(authorise_request)]) -> Grant:
    # Bound here, in the request's own context: the worker thread has a copy of its own.
    structlog.contextvars.bind_contextvars(
        actor_id=grant.actor.actor_id, actor_role=grant.actor.role.value
    )
    return grant


GrantDep = Annotated[Grant, Depends(_grant)]


async def _actor(grant: GrantDep) -> Actor:
    return grant.actor


ActorDep = Annotated[Actor, Depends(_actor)]


async def _issued(
    actor: ActorDep,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            pattern=r"^[A-Za-z0-9._:-]{1,128}$",
            description="Send the same key to retry safely: a retry records nothing new.",
        ),
    ] = None,
) -> Issued:
    return Issued(actor=actor, command_id=uuid4(), idempotency_key=idempotency_key)


IssuedDep = Annotated[Issued, Depends(_issued)]
