"""Who is calling: a bearer token looked up in a small token table.

The table stores only SHA-256 digests of tokens, never the tokens, so reading it does not
let anyone act as someone else. (A later capability replaces this with real identity.)
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Iterable, Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from commands.context import Actor
from events.vocabulary import Role


class TokenTableError(Exception):
    """The token table cannot be read; the message says which file and what is wrong."""


class TokenHolder(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    actor_id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
    role: Role
    agency: str = Field(min_length=1, max_length=120)
    token_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")

    @property
    def actor(self) -> Actor:
        return Actor(actor_id=self.actor_id, role=self.role, agency=self.agency)


class TokenTable(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    holders: list[TokenHolder]


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class TokenDirectory:
    def __init__(self, holders: Iterable[TokenHolder]) -> None:
        self._by_digest = {holder.token_sha256: holder.actor for holder in holders}

    @classmethod
    def load(cls, path: Path) -> TokenDirectory:
        return cls(cls.holders_in(path))

    @staticmethod
    def holders_in(path: Path) -> list[TokenHolder]:
        try:
            return TokenTable.model_validate_json(path.read_bytes()).holders
        except FileNotFoundError:
            raise TokenTableError(f"token table {path} does not exist") from None
        except ValidationError as error:
            raise TokenTableError(f"token table {path} is not valid: {error}") from None

    def authenticate(self, token: str) -> Actor | None:
        return self._by_digest.get(digest(token))


def issue_tokens(path: Path, actors: Sequence[Actor]) -> dict[str, str]:
    """Write a new token table for `actors`; returns each actor's token (shown once)."""
    tokens = {actor.actor_id: secrets.token_urlsafe(32) for actor in actors}
    _write_table(path, [_holder(actor, tokens[actor.actor_id]) for actor in actors])
    return tokens


def add_token(path: Path, actor: Actor) -> str:
    """Add a token for `actor` to the table (creating it if need be); returns the token."""
    holders = list(TokenDirectory.holders_in(path)) if path.exists() else []
    token = secrets.token_urlsafe(32)
    _write_table(path, [*holders, _holder(actor, token)])
    return token


def _holder(actor: Actor, token: str) -> TokenHolder:
    try:
        return TokenHolder(
            actor_id=actor.actor_id,
            role=actor.role,
            agency=actor.agency,
            token_sha256=digest(token),
        )
    except ValidationError as error:
        raise TokenTableError(f"cannot issue a token: {error}") from None


def _write_table(path: Path, holders: Sequence[TokenHolder]) -> None:
    """Replace the table atomically, readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as table:
        table.write(TokenTable(holders=list(holders)).model_dump_json(indent=2))
    temporary.replace(path)
