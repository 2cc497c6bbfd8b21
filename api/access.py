"""Access control in one place: authenticate the caller, apply the permission matrix, scope
them to the cases and agencies they may see, and log the consultation or the refusal.

Every route's caller comes through `authorise`, before the route itself runs. A refusal for
a case says only that the caller has no access to it, whether the case exists or not.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import NoReturn
from uuid import UUID

from fastapi import HTTPException, Request

from aggregates.referral_state import ReferralState
from api.access_log import Consultation
from api.identity import AuthenticationError, Authenticator, Principal
from api.permissions import (
    AGENCY_SCOPED,
    ALL_AGENCIES,
    BREAK_GLASS_ROLES,
    ENVELOPE_ONLY,
    MATRIX,
    Permission,
    Scope,
)
from api.runtime import Runtime
from commands.context import Actor
from commands.errors import AgencyNotFoundError, ReferralNotFoundError
from events.vocabulary import Role

CHALLENGE = {"WWW-Authenticate": "Bearer"}
TOKENS_IN_URLS = frozenset({"access_token", "token", "bearer", "id_token", "api_key"})
NO_ACCESS = "You have no access to this case."


@dataclass(frozen=True)
class Grant:
    """What the caller was allowed, as the route and the access log need it."""

    actor: Actor
    principal: Principal
    permission: Permission
    referral_id: UUID | None
    agency_id: UUID | None
    break_glass: str | None
    purpose: str | None

    @property
    def agency_scoped(self) -> bool:
        """The caller sees only what their agency disclosed or received in the case."""
        return self.actor.role in AGENCY_SCOPED and self.break_glass is None


class AccessDeniedError(HTTPException):
    def __init__(self, status: int, rule: str, detail: str) -> None:
        headers = CHALLENGE if status == 401 else None  # noqa: PLR2004 (HTTP status)
        super().__init__(status, detail, headers=headers)
        self.rule = rule


def authorise(request: Request, credential: str | None) -> Grant:
    runtime: Runtime = request.app.state.runtime
    route = getattr(request.scope.get("route"), "name", "")
    permission = MATRIX.get(route)
    now = runtime.ledger.clock.now()
    if TOKENS_IN_URLS & {name.lower() for name in request.query_params}:
        _deny(request, None, 401, "token-in-url", "Send tokens only in the Authorization header.")
    if credential is None:
        _deny(request, None, 401, "no-token", "A bearer token is required.")
    authenticator: Authenticator = request.app.state.authenticator
    try:
        principal = authenticator.authenticate(credential, now)
    except AuthenticationError as error:
        _deny(request, None, 401, error.reason, str(error))
    if permission is None:
        _deny(request, principal, 403, "route-not-in-matrix", "No role may use this route.")
    role = _acting_role(request, principal, permission)
    grant = Grant(
        actor=principal.acting_as(role),
        principal=principal,
        permission=permission,
        referral_id=_path_id(request, "referral_id"),
        agency_id=_path_id(request, "agency_id"),
        break_glass=_header(request, "Break-Glass"),
        purpose=_header(request, "Access-Purpose"),
    )
    if not _check_scope(request, runtime, grant):
        grant = replace(grant, break_glass=None)  # asked for, but not needed: not flagged
    request.state.grant = grant
    if permission.consults is not None:
        _log(request, principal, role, "allowed", None, grant)
    return grant


def _acting_role(request: Request, principal: Principal, permission: Permission) -> Role:
    chosen = _header(request, "Acting-Role")
    if chosen is not None:
        if chosen not in {role.value for role in principal.roles}:
            _deny(request, principal, 403, "not-your-role", "You do not hold the acting role.")
        candidates = [Role(chosen)]
    else:
        candidates = list(principal.roles)
    for role in candidates:
        if role in permission.roles:
            return role
    allowed = ", ".join(sorted(permission.roles)) or "no role"
    return _deny(
        request,
        principal,
        403,
        "role-not-permitted",
        f"Your role does not allow this; it is open to: {allowed}.",
    )


def _check_scope(request: Request, runtime: Runtime, grant: Grant) -> bool:
    """Refuse what the caller's scope does not reach; True when break-glass opened it."""
    role = grant.actor.role
    agency_scoped = grant.permission.scope is Scope.AGENCY and role not in ALL_AGENCIES
    if agency_scoped and (
        grant.agency_id is None or _agency_name(runtime, grant.agency_id) != grant.actor.agency
    ):
        _deny(request, grant.principal, 403, "own-agency-only", "You see your own agency only.")
    if grant.permission.scope is not Scope.CASE:
        return False
    if role in ENVELOPE_ONLY and _reveals(request) and not grant.purpose:
        _deny(
            request,
            grant.principal,
            403,
            "purpose-required",
            "Opening sealed content needs an Access-Purpose header stating why.",
        )
    if role in AGENCY_SCOPED or role is Role.REFERRER:
        state = _state(runtime, grant.referral_id)
        if not _may_see(state, grant.actor):
            if role in BREAK_GLASS_ROLES and grant.break_glass and state is not None:
                return True
            _deny(request, grant.principal, 403, "no-access-to-case", NO_ACCESS)
    return False


def _may_see(state: ReferralState | None, actor: Actor) -> bool:
    if state is None:
        return False
    if actor.role is Role.REFERRER:
        return state.recorded_by == actor.actor_id
    return actor.agency in state.involved_agencies()


def _state(runtime: Runtime, referral_id: UUID | None) -> ReferralState | None:
    if referral_id is None:
        return None
    # From the referral's own events, not the case view: a view running behind must never
    # decide who may see a case.
    try:
        return runtime.ledger.referral(referral_id).state
    except ReferralNotFoundError:
        return None


def _agency_name(runtime: Runtime, agency_id: UUID) -> str | None:
    try:
        return runtime.ledger.agency(agency_id).state.ref.name
    except AgencyNotFoundError:
        return None


def _reveals(request: Request) -> bool:
    return request.query_params.get("reveal", "").lower() in {"true", "1", "yes", "on"}


def _path_id(request: Request, name: str) -> UUID | None:
    value = request.path_params.get(name)
    try:
        return UUID(str(value)) if value is not None else None
    except ValueError:
        return None


def _header(request: Request, name: str) -> str | None:
    value = request.headers.get(name, "").strip()
    return value[:500] or None


def _deny(
    request: Request, principal: Principal | None, status: int, rule: str, detail: str
) -> NoReturn:
    role = principal.roles[0] if principal and principal.roles else None
    _log(request, principal, role, "denied", rule, None)
    raise AccessDeniedError(status, rule, detail)


def _log(
    request: Request,
    principal: Principal | None,
    role: Role | None,
    outcome: str,
    reason: str | None,
    grant: Grant | None,
) -> None:
    runtime: Runtime = request.app.state.runtime
    route = getattr(request.scope.get("route"), "name", request.url.path)
    permission = MATRIX.get(route)
    runtime.access_log.append(
        Consultation(
            recorded_at=runtime.ledger.clock.now(),
            actor_id=principal.actor_id if principal else None,
            role=role.value if role else None,
            agency=principal.agency if principal else None,
            credential=principal.credential if principal else None,
            route=route,
            consulted=permission.consults.value if permission and permission.consults else None,
            referral_id=_path_id(request, "referral_id"),
            agency_id=_path_id(request, "agency_id"),
            purpose=grant.purpose if grant else None,
            break_glass=bool(grant and grant.break_glass),
            revealed=_reveals(request) and outcome == "allowed",
            outcome=outcome,
            reason=reason,
            request_id=_request_id(request),
        )
    )


def _request_id(request: Request) -> str:
    """The id the request log gave it (a validated offered one, or a new one)."""
    return str(request.scope.get("state", {}).get("request_id", "unknown"))
