"""What routes receive: the runtime's parts, the authenticated actor, the command's attribution."""

from __future__ import annotations

from typing import Annotated
from uuid import uuid4

import structlog
from fastapi import Depends, Header, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.identity import TokenDirectory
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

_bearer = HTTPBearer(auto_error=False, description="A token from the token table.")
_CHALLENGE = {"WWW-Authenticate": "Bearer"}


async def _actor(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor:
    if credentials is None:
        raise HTTPException(401, "A bearer token is required.", headers=_CHALLENGE)
    tokens: TokenDirectory = request.app.state.tokens
    actor = tokens.authenticate(credentials.credentials)
    if actor is None:
        raise HTTPException(401, "The bearer token is not recognised.", headers=_CHALLENGE)
    structlog.contextvars.bind_contextvars(actor_id=actor.actor_id, actor_role=actor.role.value)
    return actor


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
