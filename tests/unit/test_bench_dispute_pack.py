"""The bench's dispute-pack figures come out: at a tiny size, on a real PostgreSQL database
and a live server, every pack verifies offline (the bench refuses one that does not) and
the ratio `make bench` prints is a positive number."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from api.settings import Settings
from bench.dispute_pack import measure_dispute_pack, pack_result
from tests.conftest import make_settings


@pytest.fixture
def postgres_settings(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Settings]:
    yield from make_settings("postgres", tmp_path, request)


@pytest.mark.postgres
def test_the_pack_bench_reports_a_verified_pack_and_its_ratio(postgres_settings: Settings) -> None:
    figures = measure_dispute_pack(postgres_settings, rounds=2, events=20)

    assert figures.events == 20
    assert figures.pack_bytes > 0
    result = pack_result(figures)
    for key in ("dispute_pack_ms", "revealed_history_read_ms", "pack_vs_history_read"):
        assert result[key] > 0, key
