"""The bench's tamper-evident log figures come out: at a tiny size, on a real PostgreSQL
database, every round seals, verifies (intact, to the last row) and scans the whole log, and
the four ratios `make bench` prints are positive numbers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from api.settings import Settings
from bench.integrity import integrity_result, measure_integrity
from bench.workload import rate
from tests.conftest import make_settings

EVENTS = 60
ROUNDS = 2  # both orders of the alternating rounds


@pytest.fixture
def postgres_settings(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Settings]:
    yield from make_settings("postgres", tmp_path, request)


@pytest.mark.postgres
def test_the_integrity_bench_reports_four_positive_ratios(postgres_settings: Settings) -> None:
    figures = measure_integrity(
        postgres_settings, EVENTS, ROUNDS, referrals=2, command_rounds=ROUNDS
    )

    assert figures.events >= EVENTS
    # Every round covered the whole log (measure_integrity refuses a verify that is not
    # intact or stops short).
    assert [m.operations for m in figures.verify] == [figures.events] * ROUNDS
    assert [m.operations for m in figures.raw_scan] == [figures.events] * ROUNDS
    assert [m.operations for m in figures.seal] == [figures.events] * ROUNDS
    # The same single-event commands, in the run's own measure of the ledger's command rate.
    result = integrity_result(figures, command_rate=rate(figures.without_sealer))
    for key in (
        "verify_events_per_s",
        "verify_vs_raw_scan",
        "sealer_vs_command",
        "command_with_sealer_vs_without",
    ):
        assert isinstance(result[key], float), key
        assert result[key] > 0, key
