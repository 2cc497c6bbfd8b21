"""Refusals by the domain. Messages are fixed text with codes and stages, never personal data."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID


@dataclass(frozen=True, slots=True)
class Rule:
    """A rule of the process, with a stable code and the rule in words."""

    code: str
    text: str


class DomainError(Exception):
    """The domain refused an instruction; nothing was recorded but, for a refused sharing
    attempt, the record of the refusal (`recorded_as`)."""

    recorded_as: UUID | None = None


class ProcessRuleViolationError(DomainError):
    """The process does not allow this step now (HTTP 409)."""

    def __init__(self, rule: Rule, stage: str) -> None:
        super().__init__(rule.text)
        self.rule = rule
        self.stage = stage


class InvalidInstructionError(DomainError):
    """The instruction contradicts the facts of the case, e.g. a date before a meeting (422)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class NotPermittedError(DomainError):
    """The actor's role or agency does not allow this step (HTTP 403)."""

    def __init__(self, rule: Rule) -> None:
        super().__init__(rule.text)
        self.rule = rule
