"""The projection workers' listener on PostgreSQL: woken by the event store's NOTIFY, and
stopped at once however long it would otherwise wait for the next one."""

from __future__ import annotations

import threading
from typing import Any

import psycopg
import pytest
from psycopg.sql import SQL, Identifier

from projections.postgres_wakeup import PostgresWakeUp

CHANNEL = "vtr_wakeup_test"


@pytest.fixture
def server(postgres_server: dict[str, Any]) -> dict[str, Any]:
    return {"dbname": "postgres", **postgres_server}


def notify(server: dict[str, Any]) -> None:
    with psycopg.connect(**server, autocommit=True) as conn:
        conn.execute(SQL("NOTIFY {0}").format(Identifier(CHANNEL)))


def listening(server: dict[str, Any]) -> bool:
    with psycopg.connect(**server, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE query = %s",
            (f'LISTEN "{CHANNEL}"',),
        ).fetchone()
    return row is not None and row[0] > 0


def test_a_notify_wakes_the_workers(server: dict[str, Any]) -> None:
    woken = threading.Event()
    listener = PostgresWakeUp(server, CHANNEL, woken.set, check_seconds=3600)
    listener.start()
    try:
        while not listening(server):
            threading.Event().wait(0.02)
        notify(server)
        assert woken.wait(timeout=10), "the NOTIFY did not wake the workers"
    finally:
        listener.stop()


def test_stopping_ends_the_listener_without_waiting_for_a_notify(server: dict[str, Any]) -> None:
    """An hour between checks: the listener must still end when stopped (a service or a
    test shutting down waited for the next check)."""
    listener = PostgresWakeUp(server, CHANNEL, lambda: None, check_seconds=3600)
    listener.start()
    while not listening(server):
        threading.Event().wait(0.02)
    listener.stop()
    assert not listener.running
    listener.stop()  # a second stop (the views closed after being stopped) is no error
    for _ in range(250):  # the server ends a closed connection's session on its own time
        if not listening(server):
            return
        threading.Event().wait(0.02)
    pytest.fail("the listener's connection was left open")
