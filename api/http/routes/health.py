"""Liveness and readiness for orchestrators."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.access.gate import GatedRoute
from api.bootstrap import Runtime
from api.http.deps import RuntimeDep
from api.http.outages import describe
from api.http.problems import problem
from commands.errors import KeyStoreMismatchError

READINESS_BUDGET_SECONDS = 1.5
# Probes run in threads of their own, so a store that hangs cannot hold the answer; a few
# threads are enough, and a hung probe finishes (and frees its thread) at its own timeout.
PROBING = ThreadPoolExecutor(max_workers=8, thread_name_prefix="readiness")

router = APIRouter(tags=["Health"], route_class=GatedRoute)


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz", response_model=None)
def readyz(runtime: RuntimeDep) -> JSONResponse:
    """The event store, key store, case view and access log answer (and can be written), and
    the projections run. Answers within about 2 seconds whatever the stores do: a probe that
    has not answered by then is reported as not answering."""
    started = {name: PROBING.submit(_check, probe, runtime) for name, probe in PROBES.items()}
    done, _ = wait(started.values(), timeout=READINESS_BUDGET_SECONDS)
    checks = {
        name: future.result() if future in done else "unavailable: no answer in time"
        for name, future in started.items()
    }
    if all(result == "ok" for result in checks.values()):
        return JSONResponse({"status": "ready", "checks": checks})
    response = problem(503, "not-ready", "Not ready", "A dependency is unavailable.", checks=checks)
    response.headers["Retry-After"] = "2"
    return response


class NotReadyError(Exception):
    """A dependency is not ready; the message says which and why, for operators."""


def _check(probe: Callable[[Runtime], object], runtime: Runtime) -> str:
    try:
        probe(runtime)
    except NotReadyError as error:
        return f"unavailable: {error}"
    except Exception as error:  # a readiness probe reports, it does not fail  # noqa: BLE001
        return f"unavailable: {describe(error)}"
    return "ok"


def _projection_running(runtime: Runtime) -> None:
    in_process = runtime.settings.projections == "in-process"
    projections = runtime.projections
    if in_process and not projections.running:
        raise NotReadyError("a projection worker is not running")
    if projections.last_error is not None:
        raise NotReadyError(f"a projection worker failed: {projections.last_error}")


def _key_store_paired(runtime: Runtime) -> None:
    keyring = runtime.ledger.keyring
    try:
        keyring.check_pairing()  # answered from memory but every few seconds
    except KeyStoreMismatchError as error:
        raise NotReadyError(f"the key store is not this ledger's ({error.reason})") from None
    keyring.check_master_key()


PROBES: dict[str, Callable[[Runtime], object]] = {
    "event_store": lambda runtime: runtime.ledger.ledger_recorder.check_writable(),
    "key_store": _key_store_paired,
    "case_view": lambda runtime: runtime.projections.case_view.position(),
    "access_log": lambda runtime: runtime.access_log.check_writable(),
    "projection": _projection_running,
}
