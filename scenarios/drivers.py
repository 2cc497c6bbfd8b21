"""How a scenario's steps are taken: straight to the ledger here, over HTTP in
`scenarios.http_driver` (which needs the test client, a development dependency).

Both take a step's command by its name (the ledger method is also the route's name), its
JSON body and the person who takes it, track each aggregate's version, and raise when the
process refuses, so one scenario runs the same through either.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Any, Protocol
from uuid import UUID, uuid4

from pydantic import ValidationError

from aggregates.errors import DomainError
from commands.application import ReferralLedger, command_model
from commands.base import ChangeAgency, Command
from commands.context import Actor, Issued, Outcome
from commands.errors import ApplicationError


class Refused(Exception):  # noqa: N818 (the process's word: a command is refused)
    """The service answered a step with a problem document."""

    def __init__(self, command: str, status: int, problem: str) -> None:
        super().__init__(f"{command}: {status} {problem}")
        self.status = status


# What either driver raises when the process (or the command's own validation) refuses.
REFUSALS = (DomainError, ApplicationError, ValidationError, Refused)


class Target(Enum):
    """What a command changes, which decides how it is addressed."""

    NEW = "a new referral or agency"
    REFERRAL = "a referral named in the path"
    REFERRAL_IN_BODY = "a referral named in the body (erasure)"
    AGENCY = "an agency of the directory"


def target_of(command: type[Command]) -> Target:
    if "expected_version" not in command.model_fields:
        return Target.NEW
    if issubclass(command, ChangeAgency):
        return Target.AGENCY
    if "referral_id" in command.model_fields:
        return Target.REFERRAL_IN_BODY
    return Target.REFERRAL


class Driver(Protocol):
    versions: dict[UUID, int]

    def take(self, command: str, about: UUID | None, body: Mapping[str, Any], by: Actor) -> UUID:
        """Issue `command` about the aggregate `about` (none for a new one); returns the id
        of the aggregate it changed."""
        ...


def with_version(
    command: type[Command], about: UUID | None, body: Mapping[str, Any], version: int | None
) -> dict[str, Any]:
    """The body as sent: the tracked version unless the step names one, and the referral's
    id where the command carries it in its body."""
    target = target_of(command)
    sent = dict(body)
    if target is not Target.NEW:
        sent.setdefault("expected_version", version)
    if target is Target.REFERRAL_IN_BODY:
        sent.setdefault("referral_id", about)
    return sent


class LedgerDriver:
    """Steps as method calls on the ledger (the Application), as the API would make them."""

    def __init__(self, ledger: ReferralLedger, idempotency_keys: bool = False) -> None:
        self.ledger = ledger
        self.idempotency_keys = idempotency_keys
        self.versions: dict[UUID, int] = {}

    def take(self, command: str, about: UUID | None, body: Mapping[str, Any], by: Actor) -> UUID:
        model = command_model(command)
        target = target_of(model)
        version = None if about is None else self.version_of(about, target)
        validated = model.model_validate(with_version(model, about, body, version))
        key = uuid4().hex if self.idempotency_keys else None
        issued = Issued(by, uuid4(), key)
        handle = getattr(self.ledger, command)
        outcome: Outcome = (
            handle(validated, issued)
            if target in (Target.NEW, Target.REFERRAL_IN_BODY)
            else handle(about, validated, issued)
        )
        self.versions[outcome.aggregate_id] = outcome.version
        return outcome.aggregate_id

    def version_of(self, about: UUID, target: Target) -> int:
        if about not in self.versions:
            aggregate = (
                self.ledger.agency(about)
                if target is Target.AGENCY
                else self.ledger.referral(about)
            )
            self.versions[about] = aggregate.version
        return self.versions[about]
