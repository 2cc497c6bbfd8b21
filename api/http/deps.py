"""What routes receive: the runtime's parts, the authenticated actor, the command's attribution."""

from __future__ import annotations

from typing import Annotated

import structlog
from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.access.gate import Grant, admit
from api.access.permissions import MATRIX
from api.bootstrap import Runtime
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


async def _grant(
    request: Request,
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Grant:
    # The gate (`api.access.GatedRoute`) has already authorised the request; the bearer
    # dependency is here so the API guide shows how to authenticate.
    grant: Grant | None = getattr(request.state, "grant", None)
    if grant is None:
        # A route added without the gate fails closed: the gate refuses what the permission
        # matrix does not name.
        route = request.scope.get("route")
        name = str(getattr(route, "name", ""))
        grant = await admit(request, name, MATRIX.get(name), None)
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
    ledger: LedgerDep,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            pattern=r"^[A-Za-z0-9._:-]{1,128}$",
            description="Send the same key to retry safely: a retry records nothing new.",
        ),
    ] = None,
) -> Issued:
    # The command's id comes from the ledger's id source, like every other id it records.
    return Issued(actor=actor, command_id=ledger.new_id(), idempotency_key=idempotency_key)


IssuedDep = Annotated[Issued, Depends(_issued)]
