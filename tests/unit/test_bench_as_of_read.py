"""The bench's as-of read figure comes out: at a tiny size, on a real PostgreSQL database and
a live server, the case read as of now and the live read answer the same case (the bench
refuses a run where they do not), and the ratio `make bench` prints is a positive number."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from api.settings import Settings
from bench import as_of_read
from bench.as_of_read import as_of_result, measure_as_of_read
from tests.conftest import make_settings

EVENTS = 20


@pytest.fixture
def postgres_settings(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Settings]:
    yield from make_settings("postgres", tmp_path, request)


@pytest.mark.postgres
def test_the_as_of_bench_reports_a_positive_ratio_of_reads_of_one_case(
    postgres_settings: Settings,
) -> None:
    figures = measure_as_of_read(postgres_settings, reads=3, rounds=2, events=EVENTS)

    assert (figures.events, figures.reads) == (EVENTS, 3)
    result = as_of_result(figures)
    for key in ("as_of_case_read_ms", "live_case_read_ms", "as_of_read_vs_live"):
        assert isinstance(result[key], float), key
        assert result[key] > 0, key


def test_the_bench_refuses_reads_that_answer_different_cases() -> None:
    """A read that answers another case, or the case short of its last event, gives no
    figure."""
    whole = b'{"case": {"version": 20, "stage": "strategy_discussion"}}'
    short = b'{"case": {"version": 19, "stage": "strategy_discussion"}}'
    as_of_read._check_same_case({"as_of": {whole}, "live": {whole}}, EVENTS)
    for answers in ({"as_of": {short}, "live": {whole}}, {"as_of": {short}, "live": {short}}):
        with pytest.raises(RuntimeError, match="same, whole case"):
            as_of_read._check_same_case(answers, EVENTS)
