"""Access control in one place: authenticate the caller, apply the permission matrix, scope
them to the cases and agencies they may see, and log the consultation or the refusal.

Every route is a `GatedRoute`: the gate runs before the framework reads the body or solves
a parameter, so an anonymous request is a 401 whatever its body holds. A read that passes is
logged after the route has answered and before the answer leaves, with what the answer held:
the case, the filters as the framework validated them, whether sealed content was opened.
The gate reads query parameters with the framework's own parser, so the gate and the route
can never disagree about, say, whether `reveal=y` asked to open sealed data.

A refusal for a case says only that the caller has no access to it, whether the case exists
or not.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, NoReturn
from uuid import UUID

from fastapi import HTTPException, Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import request_params_to_args
from fastapi.routing import APIRoute
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from aggregates.referral_state import ReferralState
from api.access.identity import (
    AuthenticationError,
    Authenticator,
    Principal,
    from_identity_provider,
)
from api.access.log import Consultation
from api.access.permissions import (
    AGENCY_SCOPED,
    ALL_AGENCIES,
    BREAK_GLASS_ROLES,
    ENVELOPE_ONLY,
    MATRIX,
    Consulted,
    Permission,
    Scope,
)
from api.bootstrap import Runtime
from api.http.outages import OUTAGES, AccessLogUnavailableError
from api.http.request_body import check_json_body
from commands.context import Actor
from commands.errors import AgencyNotFoundError, ReferralNotFoundError
from events.vocabulary import Role

ZIP = "application/zip"
CHALLENGE = {"WWW-Authenticate": "Bearer"}
TOKENS_IN_URLS = frozenset({"access_token", "token", "bearer", "id_token", "api_key"})
NO_ACCESS = "You have no access to this case."
HEADER_LIMIT = 500
BREAK_GLASS_MIN_REASON = 10
# Query parameters that say how to answer rather than which records: logged in columns of
# their own, or not at all.
NOT_FILTERS = frozenset({"reveal", "output", "format", "after_position"})

Query = dict[str, Any]


@dataclass(frozen=True)
class Grant:
    """What the caller was allowed, as the route and the access log need it."""

    actor: Actor
    principal: Principal
    permission: Permission
    referral_id: UUID | None
    agency_id: UUID | None
    break_glass: str | None  # the stated reason, when break-glass was invoked
    beyond_scope: bool  # break-glass opened what the caller's scope does not reach
    purpose: str | None

    @property
    def agency_scoped(self) -> bool:
        """The caller sees only what their agency disclosed or received in the case."""
        return self.actor.role in AGENCY_SCOPED and not self.beyond_scope


class AccessDeniedError(HTTPException):
    def __init__(self, status: int, rule: str, detail: str) -> None:
        headers = CHALLENGE if status == 401 else None  # noqa: PLR2004 (HTTP status)
        super().__init__(status, detail, headers=headers)
        self.rule = rule


class _RefusedError(Exception):
    """A refusal decided by the gate, to be logged before it is answered."""

    def __init__(self, consultation: Consultation, answer: AccessDeniedError) -> None:
        super().__init__(answer.rule)
        self.consultation = consultation
        self.answer = answer


class GatedRoute(APIRoute):
    """A route that passes the gate first and logs what it served."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        name, permission = self.name, MATRIX.get(self.name)
        query_fields = list(_query_fields(self.dependant))
        takes_body = self.body_field is not None

        async def gated(request: Request) -> Response:
            if permission is not None and permission.public:
                return await handler(request)
            query = _validated_query(query_fields, request)
            grant = await admit(request, name, permission, query)
            if takes_body:
                await check_json_body(request)
            response = await handler(request)
            if grant.permission.consults is not None and response.status_code < 400:  # noqa: PLR2004
                await served(request, grant, query or {}, response)
            return response

        return gated


async def admit(
    request: Request, route: str, permission: Permission | None, query: Query | None
) -> Grant:
    """Let the caller through, or refuse (and log the refusal). `query` is the route's query
    parameters as the framework validates them; None when they do not validate (the route
    then answers 422 and serves nothing).

    The decision runs in the event loop, and in a worker thread only where it must wait: an
    identity provider's keys to fetch, a case's own events to read for its scope. A refusal
    is logged as a served read is, waiting for the access log's commit without a thread."""
    runtime: Runtime = request.app.state.runtime
    attempt = _Attempt(request, route, permission, query or {})
    try:
        # Verifying an identity provider's token may fetch its keys over the network.
        if attempt.credential is not None and from_identity_provider(attempt.credential):
            grant = await run_in_threadpool(_authenticated, attempt, runtime)
        else:
            grant = _authenticated(attempt, runtime)
        if _scope_reads_case(grant):
            beyond_scope = await run_in_threadpool(_check_scope, attempt, runtime, grant)
        else:
            beyond_scope = _check_scope(attempt, runtime, grant)
    except _RefusedError as refusal:
        await runtime.access_log.append_async(refusal.consultation)
        raise refusal.answer from None
    grant = replace(grant, beyond_scope=beyond_scope)
    request.state.grant = grant
    return grant


def _authenticated(attempt: _Attempt, runtime: Runtime) -> Grant:
    """Who is calling, in which role, and whether this route is open to it."""
    request = attempt.request
    if TOKENS_IN_URLS & {name.lower() for name in request.query_params}:
        attempt.deny(401, "token-in-url", "Send tokens only in the Authorization header.")
    credential = attempt.credential
    if credential is None:
        attempt.deny(401, "no-token", "A bearer token is required.")
    authenticator: Authenticator = request.app.state.authenticator
    try:
        principal = authenticator.authenticate(credential, runtime.ledger.clock.now())
    except AuthenticationError as error:
        attempt.token_id = error.token_id
        attempt.deny(401, error.reason, str(error))
    attempt.principal = principal
    permission = attempt.permission
    if permission is None:
        attempt.deny(403, "route-not-in-matrix", "No role may use this route.")
    attempt.role = _acting_role(attempt, principal, permission)
    if attempt.break_glass is not None:
        _check_break_glass(attempt, permission)
    return Grant(
        actor=principal.acting_as(attempt.role),
        principal=principal,
        permission=permission,
        referral_id=attempt.referral_id,
        agency_id=attempt.agency_id,
        break_glass=attempt.break_glass,
        beyond_scope=False,
        purpose=attempt.purpose,
    )


def _scope_reads_case(grant: Grant) -> bool:
    """Whether the scope check reads the case's events (see `_check_scope`)."""
    role = grant.actor.role
    return grant.permission.scope is Scope.CASE and (role in AGENCY_SCOPED or role is Role.REFERRER)


async def served(request: Request, grant: Grant, query: Query, response: Response) -> None:
    """Log the consultation the route has just answered, before the answer leaves; an answer
    that cannot be logged is not given. It waits in the event loop, not in a thread: the
    entry is committed by the access log's writer, with those of other requests waiting."""
    runtime: Runtime = request.app.state.runtime
    entry = _entry(request, grant.principal, grant.actor.role, grant, query)
    try:
        consultation = entry.as_consultation("allowed", None, response.status_code)
        if response.media_type == ZIP:  # the format is the answer's, not a query parameter's
            consultation = consultation.model_copy(update={"output_format": "zip"})
        await runtime.access_log.append_async(consultation)
    except OUTAGES as error:
        raise AccessLogUnavailableError from error


def refused_after_gate(request: Request, status: int, rule: str) -> None:
    """Log a refusal raised after the gate let the caller in (a rule of the process that
    only the caller's role or agency may pass)."""
    grant: Grant | None = getattr(request.state, "grant", None)
    if grant is None:
        return
    runtime: Runtime = request.app.state.runtime
    query = _validated_query(_query_fields_of(request), request) or {}
    runtime.access_log.append(
        _entry(request, grant.principal, grant.actor.role, grant, query).as_consultation(
            "denied", rule, status
        )
    )


class _Attempt:
    """What the gate has learnt of a request so far: enough to log a refusal truthfully."""

    def __init__(
        self, request: Request, route: str, permission: Permission | None, query: Query
    ) -> None:
        self.request = request
        self.route = route
        self.permission = permission
        self.query = query
        self.principal: Principal | None = None
        self.role: Role | None = None
        self.token_id: str | None = None
        self.referral_id = _path_id(request, "referral_id")
        self.agency_id = _path_id(request, "agency_id") or _agency_filter(permission, query)
        self.break_glass = _header(request, "Break-Glass")
        self.purpose = _header(request, "Access-Purpose")
        self.credential = _bearer_credential(request)

    def deny(self, status: int, rule: str, detail: str) -> NoReturn:
        principal = self.principal
        role = self.role or (principal.roles[0] if principal and principal.roles else None)
        entry = _LogEntry(
            request=self.request,
            route=self.route,
            permission=self.permission,
            principal=principal,
            role=role,
            token_id=self.token_id or (principal.token_id if principal else None),
            referral_id=self.referral_id,
            agency_id=self.agency_id,
            purpose=self.purpose,
            break_glass=self.break_glass,
            beyond_scope=False,
            query=self.query,
        )
        raise _RefusedError(
            entry.as_consultation("denied", rule, status), AccessDeniedError(status, rule, detail)
        )


def _acting_role(attempt: _Attempt, principal: Principal, permission: Permission) -> Role:
    chosen = _header(attempt.request, "Acting-Role")
    if chosen is not None:
        if chosen not in {role.value for role in principal.roles}:
            attempt.deny(403, "not-your-role", "You do not hold the acting role.")
        candidates = [Role(chosen)]
    else:
        candidates = list(principal.roles)
    for role in candidates:
        if role in permission.roles:
            return role
    allowed = ", ".join(sorted(permission.roles)) or "no role"
    return attempt.deny(
        403, "role-not-permitted", f"Your role does not allow this; it is open to: {allowed}."
    )


def _check_break_glass(attempt: _Attempt, permission: Permission) -> None:
    """Break-glass is for reading in an emergency, with a reason a reviewer can judge."""
    # A dispute pack consults the case but also records its disclosure: a change.
    if permission.consults is None or attempt.request.method not in {"GET", "HEAD"}:
        attempt.deny(
            403,
            "break-glass-read-only",
            "Break-glass opens a case for reading in an emergency; it never allows a change.",
        )
    reason = attempt.break_glass or ""
    if len(reason) < BREAK_GLASS_MIN_REASON:
        attempt.deny(
            403,
            "break-glass-reason-required",
            f"State why in the Break-Glass header (at least {BREAK_GLASS_MIN_REASON} "
            "characters); the reason is kept for review.",
        )


def _check_scope(attempt: _Attempt, runtime: Runtime, grant: Grant) -> bool:
    """Refuse what the caller's scope does not reach; True when break-glass opened it."""
    role = grant.actor.role
    agency_scoped = grant.permission.scope is Scope.AGENCY and role not in ALL_AGENCIES
    if agency_scoped and grant.agency_id != grant.principal.agency_id:
        attempt.deny(403, "own-agency-only", "You see your own agency only.")
    if grant.permission.scope is not Scope.CASE:
        return False
    if role in ENVELOPE_ONLY and reveals(attempt.query, grant.permission) and not grant.purpose:
        attempt.deny(
            403,
            "purpose-required",
            "Opening sealed content needs an Access-Purpose header stating why.",
        )
    if role in AGENCY_SCOPED or role is Role.REFERRER:
        state = _state(runtime, grant.referral_id)
        if not _may_see(state, grant.actor):
            if role in BREAK_GLASS_ROLES and grant.break_glass and state is not None:
                return True
            attempt.deny(403, "no-access-to-case", NO_ACCESS)
    return False


def _may_see(state: ReferralState | None, actor: Actor) -> bool:
    if state is None:
        return False
    if actor.role is Role.REFERRER:
        return state.recorded_by == actor.actor_id
    return actor.agency_id in state.involved_agencies()


def _state(runtime: Runtime, referral_id: UUID | None) -> ReferralState | None:
    if referral_id is None:
        return None
    # From the referral's own events, not the case view: a view running behind must never
    # decide who may see a case.
    try:
        return runtime.ledger.referral(referral_id).state
    except ReferralNotFoundError:
        return None


def agency_name(runtime: Runtime, agency_id: UUID) -> str | None:
    try:
        return runtime.ledger.agency(agency_id).state.name
    except AgencyNotFoundError:
        return None


@dataclass(frozen=True)
class _LogEntry:
    """An access-log entry before its outcome is known."""

    request: Request
    route: str
    permission: Permission | None
    principal: Principal | None
    role: Role | None
    token_id: str | None
    referral_id: UUID | None
    agency_id: UUID | None
    purpose: str | None
    break_glass: str | None
    beyond_scope: bool
    query: Query

    def as_consultation(self, outcome: str, reason: str | None, status: int) -> Consultation:
        runtime: Runtime = self.request.app.state.runtime
        principal = self.principal
        consults = self.permission.consults if self.permission else None
        filters = _filters(self.query)
        referral_id, agency_id = self.referral_id, self.agency_id
        if consults is not None and consults is not Consulted.ACCESS_LOG:
            # An export narrowed to one case (or agency) is a consultation of that case.
            referral_id = referral_id or _as_uuid(filters.get("referral_id"))
            agency_id = agency_id or _as_uuid(filters.get("agency_id"))
        state = self.request.scope.get("state", {})
        return Consultation(
            recorded_at=runtime.ledger.clock.now(),
            actor_id=principal.actor_id if principal else None,
            role=self.role.value if self.role else None,
            agency=principal.agency if principal else None,
            actor_agency_id=principal.agency_id if principal else None,
            credential=principal.credential if principal else None,
            token_id=self.token_id,
            route=self.route,
            consulted=consults.value if consults else None,
            referral_id=referral_id,
            agency_id=agency_id,
            purpose=self.purpose,
            break_glass=self.break_glass is not None,
            break_glass_reason=self.break_glass,
            beyond_scope=self.beyond_scope and outcome == "allowed",
            revealed=outcome == "allowed" and reveals(self.query, self.permission),
            filters=filters,
            output_format=_output_format(self.query) if consults else None,
            outcome=outcome,
            reason=reason,
            status=status,
            request_id=str(state.get("request_id", "unknown")),
            client_request_id=state.get("client_request_id"),
        )


def _entry(
    request: Request, principal: Principal, role: Role, grant: Grant, query: Query
) -> _LogEntry:
    return _LogEntry(
        request=request,
        route=_route_name(request),
        permission=grant.permission,
        principal=principal,
        role=role,
        token_id=principal.token_id,
        referral_id=grant.referral_id,
        agency_id=grant.agency_id,
        purpose=grant.purpose,
        break_glass=grant.break_glass,
        beyond_scope=grant.beyond_scope,
        query=query,
    )


def reveals(query: Query, permission: Permission | None) -> bool:
    """Whether the request opens sealed content: it asked (`reveal=true`), or the route's
    every answer does (a dispute pack)."""
    return query.get("reveal") is True or bool(permission and permission.reveals)


def _route_name(request: Request) -> str:
    name = getattr(request.scope.get("route"), "name", None)
    # `request.url` is built only when no route matched: building it costs every read.
    return str(name) if name is not None else request.url.path


def _filters(query: Query) -> dict[str, Any]:
    """The validated query parameters that narrowed the answer, in JSON form."""
    flat: dict[str, Any] = {}
    for name, value in query.items():
        if isinstance(value, BaseModel):
            flat.update(value.model_dump(mode="json", by_alias=True, exclude_none=True))
        elif value is not None:
            flat[name] = value
    return {
        name: _json_value(value)
        for name, value in flat.items()
        if name not in NOT_FILTERS and value is not None
    }


def _json_value(value: Any) -> Any:
    if isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, date):  # datetimes too: ISO 8601, as the client sent them
        return value.isoformat()
    return str(value)


def _output_format(query: Query) -> str:
    for value in query.values():
        if isinstance(value, BaseModel):
            chosen = getattr(value, "output", None) or getattr(value, "format", None)
            if chosen is not None:
                return str(chosen)
    return str(query.get("format") or query.get("output") or "json")


def _as_uuid(value: object) -> UUID | None:
    try:
        return UUID(str(value)) if value is not None else None
    except ValueError:
        return None


def _query_fields(dependant: Dependant) -> Iterator[Any]:
    """The query parameters of a route and of every dependency it declares."""
    seen: set[str] = set()
    stack = [dependant]
    while stack:
        current = stack.pop()
        for field in current.query_params:
            if field.name not in seen:
                seen.add(field.name)
                yield field
        stack.extend(current.dependencies)


def _query_fields_of(request: Request) -> list[Any]:
    route = request.scope.get("route")
    return list(_query_fields(route.dependant)) if isinstance(route, APIRoute) else []


def _validated_query(fields: list[Any], request: Request) -> Query | None:
    """The query parameters as the framework validates them for the route, by the names the
    client uses (aliases); None when they do not validate."""
    values, errors = request_params_to_args(fields, request.query_params)
    if errors:
        return None
    return {field.alias: values[field.name] for field in fields if field.name in values}


def _bearer_credential(request: Request) -> str | None:
    scheme, _, credential = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not credential.strip():
        return None
    return credential.strip()


def _agency_filter(permission: Permission | None, query: Query) -> UUID | None:
    """The agency an agency-scoped route names in its query, when its path names none (the
    worklist): scoped, logged and refused like one in the path."""
    if permission is None or permission.scope is not Scope.AGENCY:
        return None
    return _as_uuid(_filters(query).get("agency_id"))


def _path_id(request: Request, name: str) -> UUID | None:
    value = request.path_params.get(name)
    return _as_uuid(value)


def _header(request: Request, name: str) -> str | None:
    value = request.headers.get(name, "").strip()
    return value[:HEADER_LIMIT] or None
