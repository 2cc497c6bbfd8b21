"""Who is calling: a locally issued API token, or an OpenID Connect JWT from the council's
identity provider.

API tokens are random (256 bits), shown once when issued, and stored only as SHA-256
digests with their holder, roles, agency, expiry and revocation; the service notices a
changed token table without a restart. A JWT is accepted only when signed by a key of the
configured key set (asymmetric algorithms only), for the configured issuer and audience,
and not expired. A refusal says why in words and never repeats the token.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal, NamedTuple
from uuid import UUID

import jwt
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from commands.context import Actor
from events.vocabulary import Role

TOKEN_PREFIX = "vtr_"  # noqa: S105 (a prefix, not a secret)
DEFAULT_VALIDITY = timedelta(days=90)
JWT_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA"]
ActorId = str


class TokenAgency(NamedTuple):
    """The agency a token is issued for: its id decides, its name is for people."""

    agency_id: UUID
    name: str


class TokenTableError(Exception):
    """The token table cannot be read or changed; the message says which file and why."""


class AuthenticationError(Exception):
    """The credential is refused; `reason` is a stable code, the message is for people."""

    def __init__(self, reason: str, message: str, token_id: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.token_id = token_id  # which stored token was refused (expired, revoked, ...)


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated person: who, for which agency, in which roles, proved how."""

    actor_id: ActorId
    agency_id: UUID
    agency: str  # the agency's name, for people reading the record; the id decides
    roles: tuple[Role, ...]
    credential: Literal["api-token", "oidc"]
    token_id: str | None = None

    def acting_as(self, role: Role) -> Actor:
        return Actor(
            actor_id=self.actor_id, role=role, agency=self.agency, agency_id=self.agency_id
        )


class StoredToken(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    token_id: str = Field(pattern=r"^[A-Za-z0-9_-]{8,64}$")
    actor_id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
    roles: list[Role] = Field(min_length=1)
    agency_id: UUID | None = Field(
        default=None,
        description="The directory id of the holder's agency (tokens issued "
        "before agencies were identified by id have none and are refused: re-issue them).",
    )
    agency: str = Field(min_length=1, max_length=120, description="The agency's name as issued.")
    token_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    issued_at: AwareDatetime
    expires_at: AwareDatetime
    revoked_at: AwareDatetime | None = None


class TokenTable(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    tokens: list[StoredToken]


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class TokenStore:
    """The API tokens of one token table, re-read whenever the file changes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._seen: tuple[int, int] | None = None
        self._by_digest: dict[str, StoredToken] = {}
        self._refresh()

    def authenticate(self, token: str, now: datetime) -> Principal:
        self._refresh()
        stored = self._by_digest.get(digest(token))
        if stored is None:
            raise AuthenticationError("unknown-token", "The bearer token is not recognised.")
        token_id = stored.token_id
        if stored.revoked_at is not None and stored.revoked_at <= now:
            raise AuthenticationError(
                "revoked-token", "The bearer token has been revoked.", token_id
            )
        if stored.expires_at <= now:
            raise AuthenticationError("expired-token", "The bearer token has expired.", token_id)
        if stored.agency_id is None:
            raise AuthenticationError(
                "token-needs-reissue",
                "The bearer token was issued before agencies were identified by id; "
                "ask an administrator to issue a new one.",
                token_id,
            )
        return Principal(
            stored.actor_id,
            stored.agency_id,
            stored.agency,
            tuple(stored.roles),
            "api-token",
            token_id,
        )

    def _refresh(self) -> None:
        try:
            status = self.path.stat()
        except FileNotFoundError:
            raise TokenTableError(f"token table {self.path} does not exist") from None
        seen = (status.st_mtime_ns, status.st_size)
        with self._lock:
            if seen != self._seen:
                tokens = read_table(self.path)
                self._by_digest = {token.token_sha256: token for token in tokens}
                self._seen = seen


class OidcVerifier:
    """Checks JWTs from one identity provider: its issuer, this service's audience, its keys.

    The agency claim carries the agency's id in the directory; its name comes from the
    directory (`agency_name`), and an id the directory does not hold is refused.
    """

    def __init__(
        self,
        issuer: str,
        audience: str,
        keys: jwt.PyJWKSet | jwt.PyJWKClient,
        *,
        agency_name: Callable[[UUID], str | None],
        roles_claim: str = "vtr_roles",
        agency_claim: str = "vtr_agency",
    ) -> None:
        self.issuer = issuer
        self._agency_name = agency_name
        self.audience = audience
        self._keys = keys
        self._roles_claim = roles_claim
        self._agency_claim = agency_claim

    def authenticate(self, token: str) -> Principal:
        try:
            claims = jwt.decode(
                token,
                self._signing_key(token),
                algorithms=JWT_ALGORITHMS,
                audience=self.audience,
                issuer=self.issuer,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
                leeway=30,
            )
        except jwt.ExpiredSignatureError:
            raise AuthenticationError("expired-token", "The identity token has expired.") from None
        except jwt.InvalidAudienceError:
            raise AuthenticationError(
                "wrong-audience", "The identity token is not meant for this service."
            ) from None
        except jwt.InvalidIssuerError:
            raise AuthenticationError(
                "wrong-issuer", "The identity token comes from another issuer."
            ) from None
        except jwt.InvalidSignatureError:
            raise AuthenticationError(
                "bad-signature", "The identity token's signature does not verify."
            ) from None
        except jwt.InvalidTokenError:
            raise AuthenticationError(
                "malformed-token", "The identity token is not valid."
            ) from None
        return self._principal(claims)

    def _signing_key(self, token: str) -> Any:
        try:
            key_id = jwt.get_unverified_header(token).get("kid")
            if isinstance(self._keys, jwt.PyJWKClient):
                return self._keys.get_signing_key_from_jwt(token).key
            for key in self._keys.keys:
                if key.key_id == key_id:
                    return key.key
        except (jwt.InvalidTokenError, jwt.PyJWKClientError):
            raise AuthenticationError(
                "malformed-token", "The identity token is not valid."
            ) from None
        raise AuthenticationError(
            "bad-signature", "The identity token is signed by a key the provider does not list."
        )

    def _principal(self, claims: dict[str, Any]) -> Principal:
        agency = claims.get(self._agency_claim)
        named = claims.get(self._roles_claim)
        agency_id = _uuid(agency)
        if agency_id is None or not isinstance(named, list):
            raise AuthenticationError(
                "incomplete-token",
                f"The identity token must carry '{self._agency_claim}' (the agency's id in the "
                f"directory) and '{self._roles_claim}'.",
            )
        name = self._agency_name(agency_id)
        if name is None:
            raise AuthenticationError(
                "unknown-agency", "The identity token names an agency the directory does not hold."
            )
        roles = tuple(Role(name) for name in named if name in Role.__members__.values())
        return Principal(str(claims["sub"]), agency_id, name, roles, "oidc")


def _uuid(value: object) -> UUID | None:
    if not isinstance(value, str):
        return None
    try:
        return UUID(value)
    except ValueError:
        return None


def from_identity_provider(credential: str) -> bool:
    """A JWS (three parts), for the identity provider, rather than an API token."""
    return credential.count(".") == 2  # noqa: PLR2004


class Authenticator:
    """Routes each bearer credential to the API tokens or to the identity provider."""

    def __init__(self, tokens: TokenStore, oidc: OidcVerifier | None) -> None:
        self.tokens = tokens
        self.oidc = oidc

    def authenticate(self, credential: str, now: datetime) -> Principal:
        if from_identity_provider(credential):
            if self.oidc is None:
                raise AuthenticationError(
                    "oidc-not-configured", "This service accepts no identity-provider tokens."
                )
            return self.oidc.authenticate(credential)
        if not credential.startswith(TOKEN_PREFIX):
            raise AuthenticationError("malformed-token", "The bearer token is not well formed.")
        return self.tokens.authenticate(credential, now)


def load_jwks(path: Path) -> jwt.PyJWKSet:
    try:
        return jwt.PyJWKSet.from_json(path.read_text(encoding="utf-8"))
    except (OSError, jwt.PyJWKSetError, ValueError) as error:
        raise TokenTableError(f"OIDC key set {path} cannot be read: {error}") from None


def read_table(path: Path) -> list[StoredToken]:
    try:
        return TokenTable.model_validate_json(path.read_bytes()).tokens
    except FileNotFoundError:
        raise TokenTableError(f"token table {path} does not exist") from None
    except ValidationError as error:
        raise TokenTableError(f"token table {path} is not valid: {error}") from None


def issue_token(
    path: Path,
    actor_id: str,
    roles: Sequence[Role],
    agency: TokenAgency,
    now: datetime,
    valid_for: timedelta = DEFAULT_VALIDITY,
) -> tuple[StoredToken, str]:
    """Add a token to the table (creating it if need be); returns its record and the token,
    which is shown this once and never stored."""
    stored, token = _new_token(actor_id, roles, agency, now, valid_for)
    _write_table(path, [*(read_table(path) if path.exists() else []), stored])
    return stored, token


def _new_token(
    actor_id: str, roles: Sequence[Role], agency: TokenAgency, now: datetime, valid_for: timedelta
) -> tuple[StoredToken, str]:
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    try:
        stored = StoredToken(
            token_id=secrets.token_hex(8),
            actor_id=actor_id,
            roles=list(dict.fromkeys(roles)),
            agency_id=agency.agency_id,
            agency=agency.name,
            token_sha256=digest(token),
            issued_at=now,
            expires_at=now + valid_for,
        )
    except ValidationError as error:
        raise TokenTableError(f"cannot issue a token: {error}") from None
    return stored, token


def revoke_token(path: Path, token_id: str, now: datetime) -> StoredToken:
    tokens = read_table(path)
    found = next((token for token in tokens if token.token_id == token_id), None)
    if found is None:
        raise TokenTableError(f"there is no token {token_id} in {path}")
    if found.revoked_at is not None:
        return found
    revoked = found.model_copy(update={"revoked_at": now})
    _write_table(path, [revoked if token is found else token for token in tokens])
    return revoked


def issue_tokens(
    path: Path, actors: Sequence[Actor], now: datetime, valid_for: timedelta = DEFAULT_VALIDITY
) -> dict[str, str]:
    """A new token table with one token per actor (in its one role); returns the tokens."""
    issued = {
        actor.actor_id: _new_token(actor.actor_id, [actor.role], _agency_of(actor), now, valid_for)
        for actor in actors
    }
    _write_table(path, [stored for stored, _ in issued.values()])
    return {actor_id: token for actor_id, (_, token) in issued.items()}


def _agency_of(actor: Actor) -> TokenAgency:
    if actor.agency_id is None:
        raise TokenTableError(f"{actor.actor_id} has no agency id to issue a token for")
    return TokenAgency(agency_id=actor.agency_id, name=actor.agency)


def _write_table(path: Path, tokens: Sequence[StoredToken]) -> None:
    """Replace the table atomically, readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as table:
        table.write(TokenTable(tokens=list(tokens)).model_dump_json(indent=2))
    temporary.replace(path)
