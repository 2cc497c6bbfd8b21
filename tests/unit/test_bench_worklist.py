"""The bench's worklist figure comes out: at a tiny synthetic year, on a real PostgreSQL
database and a live server, the MASH's worklist is served (the bench refuses a refused or
empty answer) and its time is a positive number."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from api.settings import Settings
from bench.worklist import measure_worklist, worklist_result
from tests.conftest import make_settings


@pytest.fixture
def postgres_settings(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Settings]:
    yield from make_settings("postgres", tmp_path, request)


@pytest.mark.postgres
def test_the_worklist_bench_reports_a_served_worklist(postgres_settings: Settings) -> None:
    figures = measure_worklist(postgres_settings, rounds=2, cases=3)

    assert figures.items > 0
    assert figures.log_events > figures.items
    result = worklist_result(figures)
    assert result["worklist_ms"] > 0
