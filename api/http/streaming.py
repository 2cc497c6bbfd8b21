"""Streamed answers that end visibly when they fail half-way.

Once a streamed export has sent its first byte the status line is gone: a failure after it
cannot become a 500. Such an answer must not look complete, so the rows stop at the failure,
the document ends with a line (CSV) or member (JSON) saying it is incomplete and why to
quote, and the request log records the failure.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

import structlog
from fastapi import Request

log = structlog.get_logger("vtr.api")
Row = TypeVar("Row")


class ExportGuard:
    def __init__(self, request: Request) -> None:
        self._state = request.scope.setdefault("state", {})
        self.failed = False

    def rows(self, rows: Iterable[Row]) -> Iterator[Row]:
        try:
            yield from rows
        except Exception:  # a failure mid-answer is reported in the answer
            self.failed = True
            self._state["answer_failed"] = True
            log.exception("answer_failed_midway")

    def csv(self, chunks: Iterable[str]) -> Iterator[str]:
        yield from chunks
        if self.failed:
            yield f'"# INCOMPLETE: {self._message()}"\r\n'

    def json_footer(self) -> dict[str, Any]:
        if not self.failed:
            return {}
        return {
            "incomplete": True,
            "error": {
                "type": "urn:vtr-ledger:problem:answer-failed",
                "detail": self._message(),
            },
        }

    def _message(self) -> str:
        request_id = self._state.get("request_id", "unknown")
        return (
            "this export failed part-way and is incomplete; the rows above are all it holds. "
            f"Quote request id {request_id}."
        )
