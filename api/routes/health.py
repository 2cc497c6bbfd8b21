"""Liveness and readiness for orchestrators."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.access import GatedRoute
from api.deps import RuntimeDep
from api.errors import problem
from api.runtime import Runtime

router = APIRouter(tags=["Health"], route_class=GatedRoute)


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz", response_model=None)
def readyz(runtime: RuntimeDep) -> JSONResponse:
    """The event store, key store and case view are reachable, and the projection runs."""
    checks = {name: _check(probe, runtime) for name, probe in PROBES.items()}
    if all(result == "ok" for result in checks.values()):
        return JSONResponse({"status": "ready", "checks": checks})
    return problem(503, "not-ready", "Not ready", "A dependency is unavailable.", checks=checks)


def _check(probe: Callable[[Runtime], object], runtime: Runtime) -> str:
    try:
        probe(runtime)
    except Exception as error:  # a readiness probe reports, it does not fail  # noqa: BLE001
        return f"unavailable: {type(error).__name__}"
    return "ok"


def _projection_running(runtime: Runtime) -> None:
    in_process = runtime.settings.projections == "in-process"
    projections = runtime.projections
    if in_process and not projections.running:
        raise RuntimeError("a projection worker is not running")
    if projections.last_error is not None:
        raise RuntimeError(projections.last_error)


PROBES: dict[str, Callable[[Runtime], object]] = {
    "event_store": lambda runtime: runtime.ledger.recorder.max_notification_id(),
    "key_store": lambda runtime: runtime.ledger.keyring.check_master_key(),
    "case_view": lambda runtime: runtime.projections.case_view.position(),
    "projection": _projection_running,
}
