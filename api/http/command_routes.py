"""One POST route per command, the same way for every stage: the body is the command, the
ledger decides, the answer is the outcome."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Response

from api.http.deps import IssuedDep, LedgerDep
from api.http.schemas import CommandAccepted
from commands.application import ReferralLedger
from commands.base import ChangeReferral
from commands.context import Issued, Outcome

Handler = Callable[[ReferralLedger, UUID, Any, Issued], Outcome]


@dataclass(frozen=True)
class CommandRoute:
    """`POST /referrals/{referral_id}/<path>`: `command` is the body, `handle` decides."""

    path: str
    command: type[ChangeReferral]
    handle: Handler


def add_command_routes(router: APIRouter, routes: Sequence[CommandRoute]) -> None:
    for route in routes:
        router.add_api_route(
            f"/referrals/{{referral_id}}/{route.path}",
            _endpoint(route),
            methods=["POST"],
            response_model=CommandAccepted,
            name=route.handle.__name__,
            summary=route.handle.__name__.replace("_", " ").capitalize(),
            description=route.command.__doc__ or "",
        )


def accepted(outcome: Outcome, response: Response) -> CommandAccepted:
    if outcome.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return CommandAccepted.of(outcome)


def _endpoint(route: CommandRoute) -> Callable[..., CommandAccepted]:
    def endpoint(
        referral_id: UUID,
        command: ChangeReferral,
        ledger: LedgerDep,
        issued: IssuedDep,
        response: Response,
    ) -> CommandAccepted:
        return accepted(route.handle(ledger, referral_id, command, issued), response)

    # FastAPI reads the body's model from the signature: give each route its own command.
    signature = inspect.signature(endpoint)
    endpoint.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[
            parameter.replace(annotation=route.command)
            if parameter.name == "command"
            else parameter
            for parameter in signature.parameters.values()
        ]
    )
    return endpoint
