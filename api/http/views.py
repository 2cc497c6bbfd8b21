"""What every view read shares: how far a view has caught up, and waiting for it; the day
and the process clock that deadlines are read by."""

from __future__ import annotations

from datetime import date

from fastapi.responses import JSONResponse

from aggregates.calendar import uk_date
from aggregates.errors import InvalidInstructionError
from aggregates.process_clock import LocalTargets, ProcessClock
from api.bootstrap import Runtime
from api.http.problems import problem
from api.http.schemas import (
    ProjectionStatus,
)
from projections.runner import wait_for_position


def projection_status(runtime: Runtime, position: int) -> ProjectionStatus:
    """How far a projection has caught up with the log."""
    log_position = runtime.ledger.recorder.max_notification_id() or 0
    return ProjectionStatus(
        position=position, log_position=log_position, caught_up=position >= log_position
    )


def caught_up(runtime: Runtime, view: str, position: int) -> bool:
    """Wait (a little) for the view to reflect `position`: read-your-writes for lists. A
    position the log has not reached is refused at once: waiting for it would be in vain."""
    log_end = runtime.ledger.recorder.max_notification_id() or 0
    if position > log_end:
        raise InvalidInstructionError(
            "after_position", f"The log ends at position {log_end}; no view can reach {position}."
        )
    runtime.projections.wake()
    projection = runtime.projections.workers[view].projection
    return wait_for_position(projection, position, runtime.settings.read_wait_seconds)


def catching_up(view: str, position: int) -> JSONResponse:
    response = problem(
        503,
        "view-catching-up",
        f"The {view} has not caught up yet",
        f"The {view} has not reached position {position}; retry shortly.",
    )
    response.headers["Retry-After"] = "1"
    return response


def wait_for_view(runtime: Runtime, view: str, position: int | None) -> JSONResponse | None:
    if position is None or caught_up(runtime, view, position):
        return None
    return catching_up(view.replace("_", " "), position)


def today(runtime: Runtime) -> date:
    return uk_date(runtime.ledger.clock.now())


def process_clock(runtime: Runtime) -> ProcessClock:
    """The process clock with the targets the guidance leaves to local policy."""
    settings = runtime.settings
    return ProcessClock(
        LocalTargets(
            minutes_working_days=settings.minutes_working_days,
            feedback_working_days=settings.referrer_feedback_working_days,
        )
    )
