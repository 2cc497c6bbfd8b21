"""A read's answer as a marked CSV file: the protective marking line first, each cell
neutralised for spreadsheets, streamed so that a failure half-way shows in the file."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any

from fastapi import Request
from fastapi.responses import StreamingResponse

from api.access.marking import marking_line
from api.http.streaming import ExportGuard
from commands.context import Actor
from projections.register_export import csv_document


def csv_answer(
    request: Request,
    actor: Actor,
    now: datetime,
    filename: str,
    columns: Sequence[str],
    cells: Callable[[Iterator[Any]], Iterator[list[str]]],
    found: Sequence[Any],
) -> StreamingResponse:
    """A marked CSV export of `found`, each row made into cells by `cells`."""
    guard = ExportGuard(request)
    rows = cells(guard.rows(found))
    return StreamingResponse(
        guard.csv(csv_document(columns, rows, marking_line(actor, now))),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
